// sello appeal file|assign|resolve|dismiss|withdraw|show|list.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/cli.h"
#include "client/standard_file.h"

namespace sello::cli {
namespace {

std::string ResultText(v1::Inspection::Outcome outcome, v1::Grade grade) {
  if (outcome == v1::Inspection::OUTCOME_UNSPECIFIED) return "";
  return outcome == v1::Inspection::PASS ? absl::StrCat("PASS ", v1::Grade_Name(grade)) : "FAIL";
}

// "2026-12-10 15:00:00Z", and "(overdue)" after it when the appeal is open past it.
std::string DeadlineText(const v1::Appeal& appeal) {
  return absl::StrCat(ShowTime(appeal.deadline()), appeal.overdue() ? " (overdue)" : "");
}

int ShowAppeal(const Cli& cli, const v1::Appeal& appeal) {
  cli.printer().Print(appeal, [&] {
    PrintFields(
        {{"id", appeal.id()},
         {"status", v1::Appeal::Status_Name(appeal.status())},
         {"inspection", appeal.inspection_id()},
         {"result appealed", ResultText(appeal.original_outcome(), appeal.original_grade())},
         {"certifier", appeal.original_certifier_id()},
         {"firm", appeal.firm_id()},
         {"site", appeal.site_id()},
         {"lot", appeal.lot_id()},
         {"standard", absl::StrCat(appeal.standard_id(), "@", appeal.standard_version())},
         {"stages", absl::StrJoin(appeal.stages(), ", ")},
         {"grounds", appeal.grounds()},
         {"assigned to", appeal.assigned_certifier_id()},
         {"re-inspection", appeal.reinspection_id()},
         {"re-inspected", ResultText(appeal.reinspection_outcome(), appeal.reinspection_grade())},
         {"seals suspended",
          appeal.seals_suspended() == 0 ? "" : absl::StrCat(appeal.seals_suspended())},
         {"filed", ShowTime(appeal.file_time())},
         {"deadline", DeadlineText(appeal)}});
    std::cout << "\n";
    Table history({"time", "status", "by", "role", "detail"});
    for (const v1::AppealStep& step : appeal.history()) {
      std::string detail = step.note();
      if (step.status() == v1::Appeal::ASSIGNED) {
        detail = absl::StrCat("to ", step.certifier_id(), detail.empty() ? "" : ": ", detail);
      }
      history.AddRow({ShowTime(step.time()), v1::Appeal::Status_Name(step.status()),
                      step.actor_organisation_id(), v1::Role_Name(step.actor_role()), detail});
    }
    history.Print();
  });
  return kExitOk;
}

// One appeal call with its request, the answer shown.
template <typename Request, typename Call>
int AppealCall(const Cli& cli, absl::string_view what, const Request& request, Call call) {
  v1::Appeal response;
  grpc::Status status = call(request, &response);
  if (!status.ok()) return Fail(what, status);
  return ShowAppeal(cli, response);
}

struct AppealFileOptions {
  std::string inspection, grounds;
};

int AppealFile(client::Connection& connection, const Cli& cli, const AppealFileOptions& options) {
  v1::FileAppealRequest request;
  request.set_inspection_id(options.inspection);
  request.set_grounds(options.grounds);
  return AppealCall(cli, "appeal file", request, [&](const auto& r, v1::Appeal* out) {
    return connection.appeals().FileAppeal(connection.NewContext().get(), r, out);
  });
}

void AddAppealFile(CLI::App* appeal, Cli& cli) {
  auto options = std::make_shared<AppealFileOptions>();
  CLI::App* file = appeal->add_subcommand("file", "contest one of your current inspections (FIRM)");
  file->add_option("inspection", options->inspection, "the inspection id")->required();
  file->add_option("--grounds", options->grounds, "why the firm contests it")->required();
  OnRun(file, cli, options, AppealFile);
}

struct AppealAssignOptions {
  std::string id, certifier, note;
};

int AppealAssign(client::Connection& connection, const Cli& cli,
                 const AppealAssignOptions& options) {
  v1::AssignAppealRequest request;
  request.set_appeal_id(options.id);
  request.set_certifier_id(options.certifier);
  request.set_note(options.note);
  return AppealCall(cli, "appeal assign", request, [&](const auto& r, v1::Appeal* out) {
    return connection.appeals().AssignAppeal(connection.NewContext().get(), r, out);
  });
}

void AddAppealAssign(CLI::App* appeal, Cli& cli) {
  auto options = std::make_shared<AppealAssignOptions>();
  CLI::App* assign = appeal->add_subcommand(
      "assign",
      "assign (or reassign) the re-inspecting certifier: accredited for the scope, never "
      "the original one (ADMIN)");
  assign->add_option("id", options->id, "appeal id")->required();
  assign->add_option("--certifier", options->certifier, "certifier organisation id")->required();
  assign->add_option("--note", options->note, "recorded with the assignment");
  OnRun(assign, cli, options, AppealAssign);
}

struct AppealResolveOptions {
  std::string id, file, request_id;
};

int AppealResolve(client::Connection& connection, const Cli& cli,
                  const AppealResolveOptions& options) {
  v1::ResolveAppealRequest request;
  request.set_appeal_id(options.id);
  if (absl::Status status =
          client::LoadMessageFile(options.file, "inspection", *request.mutable_reinspection());
      !status.ok()) {
    return Fail("appeal resolve", status);
  }
  if (!options.request_id.empty()) {
    request.mutable_reinspection()->set_request_id(options.request_id);
  }
  return AppealCall(cli, "appeal resolve", request, [&](const auto& r, v1::Appeal* out) {
    return connection.appeals().ResolveAppeal(connection.NewContext().get(), r, out);
  });
}

void AddAppealResolve(CLI::App* appeal, Cli& cli) {
  auto options = std::make_shared<AppealResolveOptions>();
  CLI::App* resolve = appeal->add_subcommand(
      "resolve",
      "submit the re-inspection (proto3 JSON of sello.v1.Inspection, same site, lot, "
      "version and stages), which resolves the appeal (the assigned CERTIFIER)");
  resolve->add_option("id", options->id, "appeal id")->required();
  resolve->add_option("file", options->file, "the re-inspection file")->required();
  resolve->add_option("--request-id", options->request_id,
                      "idempotency key (overrides the file's); a retry returns the appeal");
  OnRun(resolve, cli, options, AppealResolve);
}

struct AppealDismissOptions {
  std::string id, reason;
};

int AppealDismiss(client::Connection& connection, const Cli& cli,
                  const AppealDismissOptions& options) {
  v1::DismissAppealRequest request;
  request.set_appeal_id(options.id);
  request.set_reason(options.reason);
  return AppealCall(cli, "appeal dismiss", request, [&](const auto& r, v1::Appeal* out) {
    return connection.appeals().DismissAppeal(connection.NewContext().get(), r, out);
  });
}

void AddAppealDismiss(CLI::App* appeal, Cli& cli) {
  auto options = std::make_shared<AppealDismissOptions>();
  CLI::App* dismiss = appeal->add_subcommand(
      "dismiss",
      "dismiss an appeal before it is assigned, with a reason; the inspection stands "
      "(ADMIN)");
  dismiss->add_option("id", options->id, "appeal id")->required();
  dismiss->add_option("--reason", options->reason, "why (recorded in its history and the log)")
      ->required();
  OnRun(dismiss, cli, options, AppealDismiss);
}

struct AppealWithdrawOptions {
  std::string id, reason;
};

int AppealWithdraw(client::Connection& connection, const Cli& cli,
                   const AppealWithdrawOptions& options) {
  v1::WithdrawAppealRequest request;
  request.set_appeal_id(options.id);
  request.set_reason(options.reason);
  return AppealCall(cli, "appeal withdraw", request, [&](const auto& r, v1::Appeal* out) {
    return connection.appeals().WithdrawAppeal(connection.NewContext().get(), r, out);
  });
}

void AddAppealWithdraw(CLI::App* appeal, Cli& cli) {
  auto options = std::make_shared<AppealWithdrawOptions>();
  CLI::App* withdraw = appeal->add_subcommand(
      "withdraw",
      "withdraw your own appeal before it is resolved (FILED or ASSIGNED); the inspection "
      "stands and cannot be appealed again (FIRM)");
  withdraw->add_option("id", options->id, "appeal id")->required();
  withdraw->add_option("--reason", options->reason, "why (recorded in its history)");
  OnRun(withdraw, cli, options, AppealWithdraw);
}

struct AppealShowOptions {
  std::string id;
};

int AppealShow(client::Connection& connection, const Cli& cli, const AppealShowOptions& options) {
  v1::GetAppealRequest request;
  request.set_appeal_id(options.id);
  return AppealCall(cli, "appeal show", request, [&](const auto& r, v1::Appeal* out) {
    return connection.appeals().GetAppeal(connection.NewContext().get(), r, out);
  });
}

void AddAppealShow(CLI::App* appeal, Cli& cli) {
  auto options = std::make_shared<AppealShowOptions>();
  CLI::App* show = appeal->add_subcommand("show", "show an appeal and its history");
  show->add_option("id", options->id, "appeal id")->required();
  OnRun(show, cli, options, AppealShow);
}

struct AppealListOptions {
  std::string firm, inspection, status;
  bool overdue = false;
};

int AppealList(client::Connection& connection, const Cli& cli, const AppealListOptions& options) {
  v1::ListAppealsRequest request;
  request.set_firm_id(options.firm);
  request.set_inspection_id(options.inspection);
  request.set_overdue(options.overdue);
  if (!options.status.empty()) {
    v1::Appeal::Status status = v1::Appeal::STATUS_UNSPECIFIED;
    v1::Appeal::Status_Parse(options.status, &status);
    request.set_status(status);
  }
  v1::ListAppealsResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.appeals().ListAppeals(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("appeal list", status);
  cli.printer().Print(all, [&] {
    Table table({"id", "status", "inspection", "firm", "appealed", "assigned", "result", "filed",
                 "deadline"});
    for (const v1::Appeal& a : all.appeals()) {
      table.AddRow({a.id(), v1::Appeal::Status_Name(a.status()), a.inspection_id(), a.firm_id(),
                    ResultText(a.original_outcome(), a.original_grade()), a.assigned_certifier_id(),
                    ResultText(a.reinspection_outcome(), a.reinspection_grade()),
                    Day(a.file_time()),
                    absl::StrCat(Day(a.deadline()), a.overdue() ? " OVERDUE" : "")});
    }
    table.Print();
  });
  return kExitOk;
}

void AddAppealList(CLI::App* appeal, Cli& cli) {
  auto options = std::make_shared<AppealListOptions>();
  CLI::App* list = appeal->add_subcommand("list", "list the appeals you are party to");
  list->add_option("--firm", options->firm, "only this firm's");
  list->add_option("--inspection", options->inspection, "only those against this inspection");
  list->add_option("--status", options->status, "only those in this state")
      ->check(
          CLI::IsMember({"FILED", "ASSIGNED", "UPHELD", "OVERTURNED", "DISMISSED", "WITHDRAWN"}));
  list->add_flag("--overdue", options->overdue,
                 "only the late ones: still open (FILED or ASSIGNED) past their deadline");
  OnRun(list, cli, options, AppealList);
}

}  // namespace

void AddAppealCommands(CLI::App& app, Cli& cli) {
  CLI::App* appeal = app.add_subcommand(
      "appeal",
      "appeals: a FIRM contests an inspection, ADMIN assigns a different certifier, whose "
      "re-inspection resolves it (UPHELD: the original stands; OVERTURNED: it is superseded); "
      "ADMIN may dismiss one before assignment, the FIRM withdraw its own before resolution; "
      "each has a deadline set at filing (list --overdue shows the late ones)");
  appeal->require_subcommand(1);
  AddAppealFile(appeal, cli);
  AddAppealAssign(appeal, cli);
  AddAppealResolve(appeal, cli);
  AddAppealDismiss(appeal, cli);
  AddAppealWithdraw(appeal, cli);
  AddAppealShow(appeal, cli);
  AddAppealList(appeal, cli);
}

}  // namespace sello::cli
