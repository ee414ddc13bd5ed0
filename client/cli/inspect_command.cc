// sello accredit ..., sello lot ..., sello inspect submit|correct|show|list.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/cli.h"
#include "client/standard_file.h"
#include "daemon/domain/time_convert.h"

namespace sello::cli {
namespace {

std::string ScopeText(const v1::Accreditation& accreditation) {
  std::vector<std::string> parts;
  for (const auto& scope : accreditation.scope()) {
    parts.push_back(
        scope.stage_ids().empty()
            ? scope.standard_id()
            : absl::StrCat(scope.standard_id(), ":", absl::StrJoin(scope.stage_ids(), ",")));
  }
  return absl::StrJoin(parts, " ");
}

// What the last suspension or withdrawal did to the certifier's seals.
std::string SealsChoiceText(const v1::Accreditation& accreditation) {
  if (accreditation.history().empty()) return "";
  const v1::AccreditationStatusChange& last = *accreditation.history().rbegin();
  switch (last.seals()) {
    case v1::KEEP_SEALS:
      return "kept valid";
    case v1::SUSPEND_SEALS:
      return absl::StrCat(last.seals_suspended(), " suspended");
    default:
      return "";
  }
}

int ShowAccreditation(const Cli& cli, const v1::Accreditation& a) {
  if (cli.format() == Format::kJson) {
    PrintJson(a);
    return kExitOk;
  }
  PrintFields({{"id", a.id()},
               {"certifier", a.certifier_id()},
               {"scope", ScopeText(a)},
               {"valid", absl::StrCat(Day(a.valid_from()), " .. ", Day(a.valid_until()))},
               {"status", v1::Accreditation::Status_Name(a.status())},
               {"reason", a.status_reason()},
               {"seals", SealsChoiceText(a)}});
  return kExitOk;
}

// "PASS GRADE_I", "FAIL", "not inspected".
std::string StageResult(const v1::StageCertification& stage) {
  if (stage.outcome() == v1::Inspection::PASS) {
    return absl::StrCat("PASS ", v1::Grade_Name(stage.grade()));
  }
  if (stage.outcome() == v1::Inspection::FAIL) return "FAIL";
  return "not inspected";
}

// Each stage: whether a seal requires it (lots), its result and the inspection deciding it.
void PrintStages(const google::protobuf::RepeatedPtrField<v1::StageCertification>& stages,
                 bool lot) {
  std::vector<std::string> header = {"stage",   "result",    "inspection",
                                     "version", "inspected", "certifier"};
  if (lot) header.insert(header.begin() + 1, "sealed");
  Table table(header);
  for (const v1::StageCertification& stage : stages) {
    std::vector<std::string> row = {
        stage.stage_id(),
        StageResult(stage),
        stage.inspection_id(),
        stage.standard_version() > 0 ? absl::StrCat("@", stage.standard_version()) : "",
        Day(stage.inspection_date()),
        stage.certifier_id()};
    if (lot) row.insert(row.begin() + 1, stage.required() ? "required" : "");
    table.AddRow(row);
  }
  table.Print();
}

int ShowLot(const Cli& cli, const v1::Lot& lot) {
  if (cli.format() == Format::kJson) {
    PrintJson(lot);
    return kExitOk;
  }
  PrintFields({{"id", lot.id()},
               {"firm", lot.firm_id()},
               {"site", lot.site_id()},
               {"product", lot.product_form()},
               {"harvested", Day(lot.harvest_date())},
               {"boxes", absl::StrCat(lot.box_count())},
               {"seals issued", absl::StrCat(lot.seals_issued())},
               {"registered by", lot.created_by()}});
  // Only GetLot computes certifications; a lot just created has none yet.
  for (const v1::Certification& c : lot.certifications()) {
    std::string status = v1::Certification::Status_Name(c.status());
    if (c.status() == v1::Certification::CERTIFIED) {
      absl::StrAppend(&status, " ", v1::Grade_Name(c.grade()));
    }
    std::cout << "\ncertification " << c.standard_id() << "@" << c.standard_version() << ": "
              << status << "\n  " << c.detail() << "\n";
    PrintStages(c.stages(), /*lot=*/true);
  }
  return kExitOk;
}

std::string OutcomeText(const v1::Inspection& inspection) {
  if (inspection.outcome() == v1::Inspection::PASS) {
    return absl::StrCat("PASS ", v1::Grade_Name(inspection.grade()));
  }
  return absl::StrCat("FAIL (", absl::StrJoin(inspection.failing_criteria(), ", "), ")");
}

int ShowInspection(const Cli& cli, const v1::Inspection& inspection) {
  if (cli.format() == Format::kJson) {
    PrintJson(inspection);
    return kExitOk;
  }
  PrintFields(
      {{"id", inspection.id()},
       {"outcome", OutcomeText(inspection)},
       {"limited by", absl::StrJoin(inspection.limiting_criteria(), ", ")},
       {"status", v1::Inspection::Status_Name(inspection.status())},
       {"superseded by", inspection.superseded_by()},
       {"supersedes", inspection.supersedes()},
       {"correction", inspection.correction_reason()},
       {"appeal", inspection.appeal_id()},
       {"certifier", inspection.certifier_id()},
       {"inspector", inspection.inspector()},
       {"firm", inspection.firm_id()},
       {"site", inspection.site_id()},
       {"lot", inspection.lot_id()},
       {"standard", absl::StrCat(inspection.standard_id(), "@", inspection.standard_version())},
       {"stages", absl::StrJoin(inspection.stages(), ", ")},
       {"date", Day(inspection.inspection_date())}});
  std::cout << "\n";
  Table table({"criterion", "stage", "grade", "reason"});
  for (const auto& graded : inspection.criterion_grades()) {
    table.AddRow({graded.criterion_id(), graded.stage_id(),
                  graded.fails_outcome()                    ? "FAIL"
                  : graded.grade() == v1::GRADE_UNSPECIFIED ? "-"
                                                            : v1::Grade_Name(graded.grade()),
                  graded.reason()});
  }
  table.Print();
  return kExitOk;
}

}  // namespace

void AddAccreditCommands(CLI::App& app, Cli& cli) {
  CLI::App* accredit = app.add_subcommand("accredit", "accreditation of certifiers (ADMIN)");
  accredit->require_subcommand(1);
  {
    struct Options {
      std::string certifier, from, until;
      std::vector<std::string> scopes;
    };
    auto options = std::make_shared<Options>();
    CLI::App* create = accredit->add_subcommand("create", "accredit a certifier");
    create->add_option("--certifier", options->certifier, "the certifier's organisation id")
        ->required();
    create
        ->add_option("--standard", options->scopes, "STANDARD or STANDARD:stage,stage (repeatable)")
        ->required();
    create->add_option("--from", options->from, "valid from (YYYY-MM-DD)")->required();
    create->add_option("--until", options->until, "valid until (YYYY-MM-DD)")->required();
    OnRun(create, cli, [&cli, options](client::Connection& connection) {
      v1::CreateAccreditationRequest request;
      v1::Accreditation* a = request.mutable_accreditation();
      a->set_certifier_id(options->certifier);
      for (const std::string& text : options->scopes) {
        std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
        v1::AccreditationScope* scope = a->add_scope();
        scope->set_standard_id(parts[0]);
        if (parts.size() == 2) {
          for (absl::string_view stage : absl::StrSplit(parts[1], ',', absl::SkipEmpty())) {
            scope->add_stage_ids(std::string(stage));
          }
        }
      }
      int exit_code = kExitOk;
      if (!ParseDateFlag("--from", options->from, a->mutable_valid_from(), &exit_code) ||
          !ParseDateFlag("--until", options->until, a->mutable_valid_until(), &exit_code)) {
        return exit_code;
      }
      v1::Accreditation response;
      grpc::Status status = connection.accreditations().CreateAccreditation(
          connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("accredit create", status);
      return ShowAccreditation(cli, response);
    });
  }
  for (const auto& [name, help] :
       {std::pair{"suspend",
                  "suspend an accreditation; --seals says, in the same call, whether the "
                  "certifier's current seals within its scope stay valid or are suspended"},
        std::pair{"reinstate",
                  "reinstate a suspended accreditation (seals suspended with it stay suspended "
                  "until ADMIN reinstates them: sello seal reinstate --lot L)"},
        std::pair{"withdraw", "withdraw an accreditation for good; --seals as for suspend"}}) {
    struct Options {
      std::string id, reason, seals;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = accredit->add_subcommand(name, help);
    command->add_option("id", options->id, "accreditation id")->required();
    command->add_option("--reason", options->reason, "why")->required();
    const std::string verb = name;
    if (verb != "reinstate") {
      command
          ->add_option("--seals", options->seals,
                       "keep: the certifier's current seals stay valid; suspend: every VALID "
                       "seal it issued within the accreditation's scope is suspended (only "
                       "ADMIN may reinstate them)")
          ->check(CLI::IsMember({"keep", "suspend"}))
          ->required();
    }
    OnRun(command, cli, [&cli, options, verb](client::Connection& connection) {
      v1::ChangeAccreditationRequest request;
      request.set_accreditation_id(options->id);
      request.set_reason(options->reason);
      if (!options->seals.empty()) {
        request.set_seals(options->seals == "keep" ? v1::KEEP_SEALS : v1::SUSPEND_SEALS);
      }
      v1::Accreditation response;
      auto context = connection.NewContext();
      grpc::Status status =
          verb == "suspend"
              ? connection.accreditations().SuspendAccreditation(context.get(), request, &response)
          : verb == "reinstate" ? connection.accreditations().ReinstateAccreditation(
                                      context.get(), request, &response)
                                : connection.accreditations().WithdrawAccreditation(
                                      context.get(), request, &response);
      if (!status.ok()) return Fail("accredit " + verb, status);
      return ShowAccreditation(cli, response);
    });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = accredit->add_subcommand("show", "show an accreditation");
    show->add_option("id", *id, "accreditation id")->required();
    OnRun(show, cli, [&cli, id](client::Connection& connection) {
      v1::GetAccreditationRequest request;
      request.set_accreditation_id(*id);
      v1::Accreditation response;
      grpc::Status status = connection.accreditations().GetAccreditation(
          connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("accredit show", status);
      return ShowAccreditation(cli, response);
    });
  }
  {
    auto certifier = std::make_shared<std::string>();
    CLI::App* list =
        accredit->add_subcommand("list", "the public register of accredited certifiers");
    list->add_option("--certifier", *certifier, "only this certifier's");
    OnRun(list, cli, [&cli, certifier](client::Connection& connection) {
      v1::ListAccreditationsRequest request;
      request.set_certifier_id(*certifier);
      v1::ListAccreditationsResponse all;
      grpc::Status status = FetchAllPages(
          connection, request,
          [&](grpc::ClientContext* context, const auto& r, auto* page) {
            return connection.accreditations().ListAccreditations(context, r, page);
          },
          &all);
      if (!status.ok()) return Fail("accredit list", status);
      if (cli.format() == Format::kJson) {
        PrintJson(all);
        return kExitOk;
      }
      Table table({"id", "certifier", "scope", "valid", "status"});
      for (const auto& a : all.accreditations()) {
        table.AddRow({a.id(), a.certifier_id(), ScopeText(a),
                      absl::StrCat(Day(a.valid_from()), "..", Day(a.valid_until())),
                      v1::Accreditation::Status_Name(a.status())});
      }
      table.Print();
      return kExitOk;
    });
  }
}

void AddLotCommands(CLI::App& app, Cli& cli) {
  CLI::App* lot = app.add_subcommand("lot", "production lots");
  lot->require_subcommand(1);
  {
    struct Options {
      std::string site, product, harvested;
      uint32_t boxes = 0;
    };
    auto options = std::make_shared<Options>();
    CLI::App* create =
        lot->add_subcommand("create", "register a lot (its FIRM, or a CERTIFIER inspecting it)");
    create->add_option("--site", options->site, "the site it comes from")->required();
    create->add_option("--product-form", options->product, "e.g. 'fresh whole', 'frozen fillet'")
        ->required();
    create->add_option("--harvest-date", options->harvested, "YYYY-MM-DD")->required();
    create->add_option("--boxes", options->boxes, "number of boxes")->required();
    OnRun(create, cli, [&cli, options](client::Connection& connection) {
      v1::CreateLotRequest request;
      request.mutable_lot()->set_site_id(options->site);
      request.mutable_lot()->set_product_form(options->product);
      request.mutable_lot()->set_box_count(options->boxes);
      int exit_code = kExitOk;
      if (!ParseDateFlag("--harvest-date", options->harvested,
                         request.mutable_lot()->mutable_harvest_date(), &exit_code)) {
        return exit_code;
      }
      v1::Lot response;
      grpc::Status status =
          connection.inspections().CreateLot(connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("lot create", status);
      return ShowLot(cli, response);
    });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = lot->add_subcommand(
        "show",
        "show a lot and its certification per standard, computed now from all its current "
        "inspections: per stage the newest one covering it decides; the lot is FAILED when "
        "any stage fails, UNCERTIFIED while a stage its seals require is not covered, else "
        "CERTIFIED at its worst stage's grade");
    show->add_option("id", *id, "lot id")->required();
    OnRun(show, cli, [&cli, id](client::Connection& connection) {
      v1::GetLotRequest request;
      request.set_lot_id(*id);
      v1::Lot response;
      grpc::Status status =
          connection.inspections().GetLot(connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("lot show", status);
      return ShowLot(cli, response);
    });
  }
  {
    struct Options {
      std::string site, firm;
    };
    auto options = std::make_shared<Options>();
    CLI::App* list = lot->add_subcommand("list", "list lots (a FIRM sees its own)");
    list->add_option("--site", options->site, "only this site's");
    list->add_option("--firm", options->firm, "only this firm's");
    OnRun(list, cli, [&cli, options](client::Connection& connection) {
      v1::ListLotsRequest request;
      request.set_site_id(options->site);
      request.set_firm_id(options->firm);
      v1::ListLotsResponse all;
      grpc::Status status = FetchAllPages(
          connection, request,
          [&](grpc::ClientContext* context, const auto& r, auto* page) {
            return connection.inspections().ListLots(context, r, page);
          },
          &all);
      if (!status.ok()) return Fail("lot list", status);
      if (cli.format() == Format::kJson) {
        PrintJson(all);
        return kExitOk;
      }
      Table table({"id", "firm", "site", "product", "harvested", "boxes", "sealed"});
      for (const auto& l : all.lots()) {
        table.AddRow({l.id(), l.firm_id(), l.site_id(), l.product_form(), Day(l.harvest_date()),
                      absl::StrCat(l.box_count()), absl::StrCat(l.seals_issued())});
      }
      table.Print();
      return kExitOk;
    });
  }
}

void AddInspectCommands(CLI::App& app, Cli& cli) {
  CLI::App* inspect = app.add_subcommand("inspect", "inspections (submitted by CERTIFIERs)");
  inspect->require_subcommand(1);
  {
    struct Options {
      std::string file, request_id;
    };
    auto options = std::make_shared<Options>();
    CLI::App* submit = inspect->add_subcommand(
        "submit",
        "submit an inspection file (proto3 JSON of sello.v1.Inspection); the "
        "registry computes the grade");
    submit->add_option("file", options->file, "inspection file")->required();
    submit->add_option("--request-id", options->request_id,
                       "idempotency key (overrides the file's); a retry returns the first result");
    OnRun(submit, cli, [&cli, options](client::Connection& connection) {
      v1::SubmitInspectionRequest request;
      if (absl::Status status =
              client::LoadMessageFile(options->file, "inspection", *request.mutable_inspection());
          !status.ok()) {
        return Fail("inspect submit", status);
      }
      if (!options->request_id.empty()) {
        request.mutable_inspection()->set_request_id(options->request_id);
      }
      v1::Inspection response;
      grpc::Status status = connection.inspections().SubmitInspection(connection.NewContext().get(),
                                                                      request, &response);
      if (!status.ok()) return Fail("inspect submit", status);
      return ShowInspection(cli, response);
    });
  }
  {
    struct Options {
      std::string id, file, reason, request_id;
    };
    auto options = std::make_shared<Options>();
    CLI::App* correct = inspect->add_subcommand(
        "correct", "supersede one of your inspections with a corrected one");
    correct->add_option("id", options->id, "the inspection to supersede")->required();
    correct->add_option("file", options->file, "the corrected inspection file")->required();
    correct->add_option("--reason", options->reason, "why")->required();
    correct->add_option("--request-id", options->request_id, "idempotency key");
    OnRun(correct, cli, [&cli, options](client::Connection& connection) {
      v1::CorrectInspectionRequest request;
      request.set_inspection_id(options->id);
      request.set_reason(options->reason);
      if (absl::Status status =
              client::LoadMessageFile(options->file, "inspection", *request.mutable_inspection());
          !status.ok()) {
        return Fail("inspect correct", status);
      }
      if (!options->request_id.empty()) {
        request.mutable_inspection()->set_request_id(options->request_id);
      }
      v1::Inspection response;
      grpc::Status status = connection.inspections().CorrectInspection(
          connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("inspect correct", status);
      return ShowInspection(cli, response);
    });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = inspect->add_subcommand("show", "show an inspection with every grade");
    show->add_option("id", *id, "inspection id")->required();
    OnRun(show, cli, [&cli, id](client::Connection& connection) {
      v1::GetInspectionRequest request;
      request.set_inspection_id(*id);
      v1::Inspection response;
      grpc::Status status =
          connection.inspections().GetInspection(connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("inspect show", status);
      return ShowInspection(cli, response);
    });
  }
  {
    struct Options {
      std::string site, firm, lot, certifier, standard, from, to;
    };
    auto options = std::make_shared<Options>();
    CLI::App* list = inspect->add_subcommand("list", "list inspections you may read");
    list->add_option("--site", options->site, "only this site's");
    list->add_option("--firm", options->firm, "only this firm's");
    list->add_option("--lot", options->lot, "only this lot's");
    list->add_option("--certifier", options->certifier, "only this certifier's");
    list->add_option("--standard", options->standard, "only this standard's");
    list->add_option("--from", options->from, "inspection date from (YYYY-MM-DD)");
    list->add_option("--to", options->to, "inspection date before (YYYY-MM-DD)");
    OnRun(list, cli, [&cli, options](client::Connection& connection) {
      v1::ListInspectionsRequest request;
      request.set_site_id(options->site);
      request.set_firm_id(options->firm);
      request.set_lot_id(options->lot);
      request.set_certifier_id(options->certifier);
      request.set_standard_id(options->standard);
      int exit_code = kExitOk;
      if (!ParseDateFlag("--from", options->from, request.mutable_from_time(), &exit_code) ||
          !ParseDateFlag("--to", options->to, request.mutable_to_time(), &exit_code)) {
        return exit_code;
      }
      v1::ListInspectionsResponse all;
      grpc::Status status = FetchAllPages(
          connection, request,
          [&](grpc::ClientContext* context, const auto& r, auto* page) {
            return connection.inspections().ListInspections(context, r, page);
          },
          &all);
      if (!status.ok()) return Fail("inspect list", status);
      if (cli.format() == Format::kJson) {
        PrintJson(all);
        return kExitOk;
      }
      Table table({"id", "date", "site", "lot", "certifier", "standard", "outcome", "status"});
      for (const auto& i : all.inspections()) {
        table.AddRow({i.id(), Day(i.inspection_date()), i.site_id(), i.lot_id(), i.certifier_id(),
                      absl::StrCat(i.standard_id(), "@", i.standard_version()), OutcomeText(i),
                      v1::Inspection::Status_Name(i.status())});
      }
      table.Print();
      return kExitOk;
    });
  }
  {
    auto site = std::make_shared<std::string>();
    CLI::App* status = inspect->add_subcommand(
        "status",
        "a site's certification per standard, stage by stage: the newest current inspection "
        "covering each stage (a plant audit or of one of its lots) decides, the worst stage "
        "grades the site and any failing stage fails it. Public: anyone sees what is certified; "
        "the site's firm, its certifiers, regulators and ADMIN also see failures and "
        "inspections");
    status->add_option("site", *site, "site id")->required();
    OnRun(status, cli, [&cli, site](client::Connection& connection) {
      v1::GetCertificationStatusRequest request;
      request.set_site_id(*site);
      v1::GetCertificationStatusResponse response;
      grpc::Status status = connection.inspections().GetCertificationStatus(
          connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("inspect status", status);
      if (cli.format() == Format::kJson) {
        PrintJson(response);
        return kExitOk;
      }
      std::cout << response.site_name() << " (" << response.site_id() << ", " << response.firm_id()
                << ")\n";
      if (response.certifications().empty()) {
        std::cout << "no certification to show\n";
        return kExitOk;
      }
      Table table({"standard", "status", "grade", "deciding stage", "inspected", "certifier"});
      for (const auto& c : response.certifications()) {
        table.AddRow({absl::StrCat(c.standard_id(), "@", c.standard_version()),
                      v1::Certification::Status_Name(c.status()),
                      c.status() == v1::Certification::CERTIFIED ? v1::Grade_Name(c.grade()) : "-",
                      c.deciding_stage(), Day(c.inspection_date()), c.certifier_id()});
      }
      table.Print();
      for (const auto& c : response.certifications()) {
        std::cout << "\n"
                  << c.standard_id() << "@" << c.standard_version() << ": " << c.detail() << "\n";
        PrintStages(c.stages(), /*lot=*/false);
      }
      return kExitOk;
    });
  }
}

}  // namespace sello::cli
