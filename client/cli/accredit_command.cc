// sello accredit create|suspend|reinstate|withdraw|show|list.
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
  cli.printer().Print(a, [&] {
    PrintFields({{"id", a.id()},
                 {"certifier", a.certifier_id()},
                 {"scope", ScopeText(a)},
                 {"valid", absl::StrCat(Day(a.valid_from()), " .. ", Day(a.valid_until()))},
                 {"status", v1::Accreditation::Status_Name(a.status())},
                 {"reason", a.status_reason()},
                 {"seals", SealsChoiceText(a)}});
  });
  return kExitOk;
}

struct AccreditCreateOptions {
  std::string certifier, from, until;
  std::vector<std::string> scopes;
};

int AccreditCreate(client::Connection& connection, const Cli& cli,
                   const AccreditCreateOptions& options) {
  v1::CreateAccreditationRequest request;
  v1::Accreditation* a = request.mutable_accreditation();
  a->set_certifier_id(options.certifier);
  for (const std::string& text : options.scopes) {
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
  if (!ParseDateFlag("--from", options.from, a->mutable_valid_from(), &exit_code) ||
      !ParseDateFlag("--until", options.until, a->mutable_valid_until(), &exit_code)) {
    return exit_code;
  }
  v1::Accreditation response;
  grpc::Status status = connection.accreditations().CreateAccreditation(
      connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("accredit create", status);
  return ShowAccreditation(cli, response);
}

void AddAccreditCreate(CLI::App* accredit, Cli& cli) {
  auto options = std::make_shared<AccreditCreateOptions>();
  CLI::App* create = accredit->add_subcommand("create", "accredit a certifier");
  create->add_option("--certifier", options->certifier, "the certifier's organisation id")
      ->required();
  create->add_option("--standard", options->scopes, "STANDARD or STANDARD:stage,stage (repeatable)")
      ->required();
  create->add_option("--from", options->from, "valid from (YYYY-MM-DD)")->required();
  create->add_option("--until", options->until, "valid until (YYYY-MM-DD)")->required();
  OnRun(create, cli, options, AccreditCreate);
}

struct AccreditShowOptions {
  std::string id;
};

int AccreditShow(client::Connection& connection, const Cli& cli,
                 const AccreditShowOptions& options) {
  v1::GetAccreditationRequest request;
  request.set_accreditation_id(options.id);
  v1::Accreditation response;
  grpc::Status status = connection.accreditations().GetAccreditation(connection.NewContext().get(),
                                                                     request, &response);
  if (!status.ok()) return Fail("accredit show", status);
  return ShowAccreditation(cli, response);
}

void AddAccreditShow(CLI::App* accredit, Cli& cli) {
  auto options = std::make_shared<AccreditShowOptions>();
  CLI::App* show = accredit->add_subcommand("show", "show an accreditation");
  show->add_option("id", options->id, "accreditation id")->required();
  OnRun(show, cli, options, AccreditShow);
}

struct AccreditListOptions {
  std::string certifier;
};

int AccreditList(client::Connection& connection, const Cli& cli,
                 const AccreditListOptions& options) {
  v1::ListAccreditationsRequest request;
  request.set_certifier_id(options.certifier);
  v1::ListAccreditationsResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.accreditations().ListAccreditations(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("accredit list", status);
  cli.printer().Print(all, [&] {
    Table table({"id", "certifier", "scope", "valid", "status"});
    for (const auto& a : all.accreditations()) {
      table.AddRow({a.id(), a.certifier_id(), ScopeText(a),
                    absl::StrCat(Day(a.valid_from()), "..", Day(a.valid_until())),
                    v1::Accreditation::Status_Name(a.status())});
    }
    table.Print();
  });
  return kExitOk;
}

void AddAccreditList(CLI::App* accredit, Cli& cli) {
  auto options = std::make_shared<AccreditListOptions>();
  CLI::App* list = accredit->add_subcommand("list", "the public register of accredited certifiers");
  list->add_option("--certifier", options->certifier, "only this certifier's");
  OnRun(list, cli, options, AccreditList);
}

}  // namespace

void AddAccreditCommands(CLI::App& app, Cli& cli) {
  CLI::App* accredit = app.add_subcommand("accredit", "accreditation of certifiers (ADMIN)");
  accredit->require_subcommand(1);
  AddAccreditCreate(accredit, cli);
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
  AddAccreditShow(accredit, cli);
  AddAccreditList(accredit, cli);
}

}  // namespace sello::cli
