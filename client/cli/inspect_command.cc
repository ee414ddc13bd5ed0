// sello inspect submit|correct|show|list|status.
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

std::string OutcomeText(const v1::Inspection& inspection) {
  if (inspection.outcome() == v1::Inspection::PASS) {
    return absl::StrCat("PASS ", v1::Grade_Name(inspection.grade()));
  }
  return absl::StrCat("FAIL (", absl::StrJoin(inspection.failing_criteria(), ", "), ")");
}

int ShowInspection(const Cli& cli, const v1::Inspection& inspection) {
  cli.printer().Print(inspection, [&] {
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
  });
  return kExitOk;
}

struct InspectSubmitOptions {
  std::string file, request_id;
};

int InspectSubmit(client::Connection& connection, const Cli& cli,
                  const InspectSubmitOptions& options) {
  v1::SubmitInspectionRequest request;
  if (absl::Status status =
          client::LoadMessageFile(options.file, "inspection", *request.mutable_inspection());
      !status.ok()) {
    return Fail("inspect submit", status);
  }
  if (!options.request_id.empty()) {
    request.mutable_inspection()->set_request_id(options.request_id);
  }
  v1::Inspection response;
  grpc::Status status =
      connection.inspections().SubmitInspection(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("inspect submit", status);
  return ShowInspection(cli, response);
}

void AddInspectSubmit(CLI::App* inspect, Cli& cli) {
  auto options = std::make_shared<InspectSubmitOptions>();
  CLI::App* submit =
      inspect->add_subcommand("submit",
                              "submit an inspection file (proto3 JSON of sello.v1.Inspection); the "
                              "registry computes the grade");
  submit->add_option("file", options->file, "inspection file")->required();
  submit->add_option("--request-id", options->request_id,
                     "idempotency key (overrides the file's); a retry returns the first result");
  OnRun(submit, cli, options, InspectSubmit);
}

struct InspectCorrectOptions {
  std::string id, file, reason, request_id;
};

int InspectCorrect(client::Connection& connection, const Cli& cli,
                   const InspectCorrectOptions& options) {
  v1::CorrectInspectionRequest request;
  request.set_inspection_id(options.id);
  request.set_reason(options.reason);
  if (absl::Status status =
          client::LoadMessageFile(options.file, "inspection", *request.mutable_inspection());
      !status.ok()) {
    return Fail("inspect correct", status);
  }
  if (!options.request_id.empty()) {
    request.mutable_inspection()->set_request_id(options.request_id);
  }
  v1::Inspection response;
  grpc::Status status =
      connection.inspections().CorrectInspection(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("inspect correct", status);
  return ShowInspection(cli, response);
}

void AddInspectCorrect(CLI::App* inspect, Cli& cli) {
  auto options = std::make_shared<InspectCorrectOptions>();
  CLI::App* correct =
      inspect->add_subcommand("correct", "supersede one of your inspections with a corrected one");
  correct->add_option("id", options->id, "the inspection to supersede")->required();
  correct->add_option("file", options->file, "the corrected inspection file")->required();
  correct->add_option("--reason", options->reason, "why")->required();
  correct->add_option("--request-id", options->request_id, "idempotency key");
  OnRun(correct, cli, options, InspectCorrect);
}

struct InspectShowOptions {
  std::string id;
};

int InspectShow(client::Connection& connection, const Cli& cli, const InspectShowOptions& options) {
  v1::GetInspectionRequest request;
  request.set_inspection_id(options.id);
  v1::Inspection response;
  grpc::Status status =
      connection.inspections().GetInspection(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("inspect show", status);
  return ShowInspection(cli, response);
}

void AddInspectShow(CLI::App* inspect, Cli& cli) {
  auto options = std::make_shared<InspectShowOptions>();
  CLI::App* show = inspect->add_subcommand("show", "show an inspection with every grade");
  show->add_option("id", options->id, "inspection id")->required();
  OnRun(show, cli, options, InspectShow);
}

struct InspectListOptions {
  std::string site, firm, lot, certifier, standard, from, to;
};

int InspectList(client::Connection& connection, const Cli& cli, const InspectListOptions& options) {
  v1::ListInspectionsRequest request;
  request.set_site_id(options.site);
  request.set_firm_id(options.firm);
  request.set_lot_id(options.lot);
  request.set_certifier_id(options.certifier);
  request.set_standard_id(options.standard);
  int exit_code = kExitOk;
  if (!ParseDateFlag("--from", options.from, request.mutable_from_time(), &exit_code) ||
      !ParseDateFlag("--to", options.to, request.mutable_to_time(), &exit_code)) {
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
  cli.printer().Print(all, [&] {
    Table table({"id", "date", "site", "lot", "certifier", "standard", "outcome", "status"});
    for (const auto& i : all.inspections()) {
      table.AddRow({i.id(), Day(i.inspection_date()), i.site_id(), i.lot_id(), i.certifier_id(),
                    absl::StrCat(i.standard_id(), "@", i.standard_version()), OutcomeText(i),
                    v1::Inspection::Status_Name(i.status())});
    }
    table.Print();
  });
  return kExitOk;
}

void AddInspectList(CLI::App* inspect, Cli& cli) {
  auto options = std::make_shared<InspectListOptions>();
  CLI::App* list = inspect->add_subcommand("list", "list inspections you may read");
  list->add_option("--site", options->site, "only this site's");
  list->add_option("--firm", options->firm, "only this firm's");
  list->add_option("--lot", options->lot, "only this lot's");
  list->add_option("--certifier", options->certifier, "only this certifier's");
  list->add_option("--standard", options->standard, "only this standard's");
  list->add_option("--from", options->from, "inspection date from (YYYY-MM-DD)");
  list->add_option("--to", options->to, "inspection date before (YYYY-MM-DD)");
  OnRun(list, cli, options, InspectList);
}

// The site's certifications, each with its stages.
void ShowCertificationStatus(const v1::GetCertificationStatusResponse& response) {
  std::cout << response.site_name() << " (" << response.site_id() << ", " << response.firm_id()
            << ")\n";
  if (response.certifications().empty()) {
    std::cout << "no certification to show\n";
    return;
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
}

struct InspectStatusOptions {
  std::string site;
};

int InspectStatus(client::Connection& connection, const Cli& cli,
                  const InspectStatusOptions& options) {
  v1::GetCertificationStatusRequest request;
  request.set_site_id(options.site);
  v1::GetCertificationStatusResponse response;
  grpc::Status status = connection.inspections().GetCertificationStatus(
      connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("inspect status", status);
  cli.printer().Print(response, ShowCertificationStatus);
  return kExitOk;
}

void AddInspectStatus(CLI::App* inspect, Cli& cli) {
  auto options = std::make_shared<InspectStatusOptions>();
  CLI::App* status = inspect->add_subcommand(
      "status",
      "a site's certification per standard, stage by stage: the newest current inspection "
      "covering each stage (a plant audit or of one of its lots) decides, the worst stage "
      "grades the site and any failing stage fails it. Public: anyone sees what is certified; "
      "the site's firm, its certifiers, regulators and ADMIN also see failures and "
      "inspections");
  status->add_option("site", options->site, "site id")->required();
  OnRun(status, cli, options, InspectStatus);
}

}  // namespace

void AddInspectCommands(CLI::App& app, Cli& cli) {
  CLI::App* inspect = app.add_subcommand("inspect", "inspections (submitted by CERTIFIERs)");
  inspect->require_subcommand(1);
  AddInspectSubmit(inspect, cli);
  AddInspectCorrect(inspect, cli);
  AddInspectShow(inspect, cli);
  AddInspectList(inspect, cli);
  AddInspectStatus(inspect, cli);
}

}  // namespace sello::cli
