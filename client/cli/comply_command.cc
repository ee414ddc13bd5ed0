// sello comply site|report.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/cli.h"
#include "daemon/domain/time_convert.h"
#include "google/protobuf/util/json_util.h"

namespace sello::cli {

namespace {

// The reason, or "-" when it is not for the caller to see (REASON_UNSPECIFIED).
std::string ReasonName(v1::ComplianceVerdict::Reason reason) {
  return reason == v1::ComplianceVerdict::REASON_UNSPECIFIED
             ? "-"
             : v1::ComplianceVerdict::Reason_Name(reason);
}

// Each norm's verdict on the site, then each norm's stages.
void ShowCompliance(const v1::CheckComplianceResponse& response) {
  if (response.verdicts().empty()) {
    std::cout << "no norm in force covers site " << response.site_id() << "\n";
    return;
  }
  Table table({"norm", "status", "reason", "stage", "detail"});
  for (const auto& v : response.verdicts()) {
    table.AddRow({v.norm_id(), v1::ComplianceVerdict::Status_Name(v.status()),
                  ReasonName(v.reason()), v.deciding_stage(), v.detail()});
  }
  table.Print();
  for (const auto& v : response.verdicts()) {
    if (!v.norm_notice().empty()) std::cout << "note: " << v.norm_notice() << "\n";
    if (v.stages().empty()) continue;
    std::cout << "\n" << v.norm_id() << ", stage by stage:\n";
    Table stages({"stage", "status", "reason", "inspection", "valid until", "detail"});
    for (const auto& stage : v.stages()) {
      stages.AddRow({stage.stage_id(), v1::ComplianceVerdict::Status_Name(stage.status()),
                     ReasonName(stage.reason()), stage.inspection_id(), Day(stage.valid_until()),
                     stage.detail()});
    }
    stages.Print();
  }
}

struct ComplySiteOptions {
  std::string site, as_of;
};

int ComplySite(client::Connection& connection, const Cli& cli, const ComplySiteOptions& options) {
  v1::CheckComplianceRequest request;
  request.set_site_id(options.site);
  int exit_code = kExitOk;
  if (!ParseDateFlag("--as-of", options.as_of, request.mutable_as_of(), &exit_code)) {
    return exit_code;
  }
  v1::CheckComplianceResponse response;
  grpc::Status status =
      connection.norms().CheckCompliance(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("comply site", status);
  int code = kExitOk;
  for (const auto& verdict : response.verdicts()) {
    if (verdict.status() != v1::ComplianceVerdict::COMPLIANT) code = kExitInvalid;
  }
  cli.printer().Print(response, ShowCompliance);
  return code;
}

void AddComplySite(CLI::App* comply, Cli& cli) {
  auto options = std::make_shared<ComplySiteOptions>();
  CLI::App* site = comply->add_subcommand(
      "site",
      "does a site comply with every norm in force that covers it, and why, stage by stage "
      "(public: anyone learns whether; the site's firm, its certifiers, regulators and ADMIN "
      "also why not); exit 0 when it does, 5 when it does not");
  site->add_option("site", options->site, "site id")->required();
  site->add_option("--as-of", options->as_of, "as the records were on this date (YYYY-MM-DD)");
  OnRun(site, cli, options, ComplySite);
}

// One JSON object per site, a line each.
void PrintReportJsonl(const v1::ComplianceReportResponse& all) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  for (const auto& entry : all.entries()) {
    std::string line;
    (void)google::protobuf::util::MessageToJsonString(entry, &line, options);
    std::cout << line << "\n";
  }
}

void PrintReportCsv(const v1::ComplianceReportResponse& all) {
  std::cout << "site_id,site_name,firm_id,region,member,status,reason,inspection_id,"
               "valid_until,failing_criteria,detail,deciding_stage\n";
  for (const auto& e : all.entries()) {
    const v1::ComplianceVerdict& v = e.verdict();
    std::cout << absl::StrJoin(
                     {CsvField(e.site_id()), CsvField(e.site_name()), CsvField(e.firm_id()),
                      CsvField(e.region()), std::string(e.member() ? "true" : "false"),
                      v1::ComplianceVerdict::Status_Name(v.status()),
                      v1::ComplianceVerdict::Reason_Name(v.reason()), CsvField(v.inspection_id()),
                      Day(v.valid_until()), CsvField(absl::StrJoin(v.failing_criteria(), " ")),
                      CsvField(v.detail()), CsvField(v.deciding_stage())},
                     ",")
              << "\n";
  }
}

// The sites in a table, how many comply, and the norm's notice.
void ShowReport(const v1::ComplianceReportResponse& all) {
  Table table({"site", "firm", "member", "status", "reason", "stage", "detail"});
  int compliant = 0;
  for (const auto& e : all.entries()) {
    const v1::ComplianceVerdict& v = e.verdict();
    compliant += v.status() == v1::ComplianceVerdict::COMPLIANT;
    table.AddRow({e.site_id(), e.firm_id(), e.member() ? "member" : "non-member",
                  v1::ComplianceVerdict::Status_Name(v.status()), ReasonName(v.reason()),
                  v.deciding_stage(), v.detail()});
  }
  table.Print();
  std::cout << compliant << " of " << all.entries_size() << " sites comply\n";
  if (!all.entries().empty() && !all.entries(0).verdict().norm_notice().empty()) {
    std::cout << "note: " << all.entries(0).verdict().norm_notice() << "\n";
  }
}

struct ComplyReportOptions {
  std::string norm, as_of, format = "table";
};

int ComplyReport(client::Connection& connection, const Cli& cli,
                 const ComplyReportOptions& options) {
  v1::ComplianceReportRequest request;
  request.set_norm_id(options.norm);
  int exit_code = kExitOk;
  if (!ParseDateFlag("--as-of", options.as_of, request.mutable_as_of(), &exit_code)) {
    return exit_code;
  }
  v1::ComplianceReportResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.norms().ComplianceReport(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("comply report", status);
  if (options.format == "jsonl") {
    PrintReportJsonl(all);
  } else if (options.format == "csv") {
    PrintReportCsv(all);
  } else {
    cli.printer().Print(all, ShowReport);  // -o json makes the table JSON
  }
  return kExitOk;
}

void AddComplyReport(CLI::App* comply, Cli& cli) {
  auto options = std::make_shared<ComplyReportOptions>();
  CLI::App* report = comply->add_subcommand(
      "report", "every site in a norm's scope with its status and reason (REGULATOR, ADMIN)");
  report->add_option("norm", options->norm, "norm id")->required();
  report->add_option("--as-of", options->as_of, "as the records were on this date");
  report->add_option("--format", options->format, "table, csv or jsonl")
      ->check(CLI::IsMember({"table", "csv", "jsonl"}))
      ->capture_default_str();
  OnRun(report, cli, options, ComplyReport);
}

}  // namespace

void AddComplyCommands(CLI::App& app, Cli& cli) {
  CLI::App* comply = app.add_subcommand("comply", "compliance with the norms in force");
  comply->require_subcommand(1);
  AddComplySite(comply, cli);
  AddComplyReport(comply, cli);
}

}  // namespace sello::cli
