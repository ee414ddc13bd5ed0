// sello stats certifiers|criteria|benchmark|compliance|verify.
#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/cli.h"

namespace sello::cli {
namespace {

struct WindowOptions {
  std::string from, to, period, format = "table";
};

// The publication rule, said once for `sello stats --help` and every subcommand's.
constexpr const char* kPublicationRule =
    "Who sees what: ADMIN and REGULATOR see current figures for any window. Everyone else "
    "sees published figures only: closed periods (a month is published once it has ended, as "
    "the records stood then; later corrections and back-dated inspections never change it), "
    "fixed windows (--period: a month, a calendar quarter or a calendar year; default the "
    "last quarter that has ended), and only cells of at least 5 firms, including every cell "
    "that subtracting one published cell from another would expose (e.g. a quarter less its "
    "published months). Withheld cells say so and do not even give their number of firms.";

void AddWindowOptions(CLI::App* command, WindowOptions& options) {
  command->add_option("--period", options.period,
                      "a fixed window: a month YYYY-MM, a quarter YYYY-Qn or a year YYYY");
  command->add_option("--from", options.from,
                      "first month, YYYY-MM (ADMIN, REGULATOR: any range; default 11 months ago)");
  command->add_option("--to", options.to, "last month, YYYY-MM (default: this month)");
  command->add_option("--format", options.format, "table, csv or json (also -o json)")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  command->footer(kPublicationRule);
}

// --period into --from and --to: "2026-03" (that month), "2026-Q2" (April to June), "2026"
// (January to December). False (message printed) when it is none of them or given with
// --from/--to.
bool ResolvePeriod(WindowOptions& options, int* exit_code) {
  if (options.period.empty()) return true;
  if (!options.from.empty() || !options.to.empty()) {
    *exit_code = Fail(kExitUsage, "--period: give either --period or --from/--to");
    return false;
  }
  const std::string& p = options.period;
  int year = 0, quarter = 0;
  if (p.size() == 4 && absl::SimpleAtoi(p, &year)) {
    options.from = absl::StrCat(p, "-01");
    options.to = absl::StrCat(p, "-12");
    return true;
  }
  if (p.size() == 7 && p[4] == '-' && (p[5] == 'Q' || p[5] == 'q') &&
      absl::SimpleAtoi(p.substr(0, 4), &year) && absl::SimpleAtoi(p.substr(6), &quarter) &&
      quarter >= 1 && quarter <= 4) {
    options.from = absl::StrFormat("%04d-%02d", year, 3 * quarter - 2);
    options.to = absl::StrFormat("%04d-%02d", year, 3 * quarter);
    return true;
  }
  int month = 0;
  if (p.size() == 7 && p[4] == '-' && absl::SimpleAtoi(p.substr(0, 4), &year) &&
      absl::SimpleAtoi(p.substr(5), &month) && month >= 1 && month <= 12) {
    options.from = options.to = p;
    return true;
  }
  *exit_code = Fail(kExitUsage, absl::StrCat("--period: '", p,
                                             "' is not a month (YYYY-MM), a quarter (YYYY-Qn) "
                                             "or a year (YYYY)"));
  return false;
}

// Prints `stats` as --format asks: csv, json, or the table through the printer; -o json
// makes any of them JSON.
template <typename Stats>
int PrintStats(const Cli& cli, const WindowOptions& options, const Stats& stats,
               void (*csv)(const Stats&), void (*table)(const Stats&)) {
  if (options.format == "json" && !cli.printer().json()) {
    PrintJson(stats);
  } else if (options.format == "csv" && !cli.printer().json()) {
    csv(stats);
  } else {
    cli.printer().Print(stats, table);
  }
  return kExitOk;
}

// "CSCS@2" -> ("CSCS", 2); false (message printed) otherwise.
bool ParseVersion(const std::string& text, std::string* id, uint32_t* version, int* exit_code) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('@', 1));
  if (parts.size() != 2 || parts[0].empty() || !absl::SimpleAtoi(parts[1], version)) {
    *exit_code = Fail(kExitUsage, "--standard: give the exact version, e.g. CSCS@2");
    return false;
  }
  *id = parts[0];
  return true;
}

double Share(int64_t part, int64_t whole) {
  return whole == 0 ? std::nan("") : static_cast<double>(part) / static_cast<double>(whole);
}

// PREMIUM, GRADE_I, INDUSTRIAL, FAIL shares of `counts`.
std::vector<double> Shares(const v1::GradeCounts& counts) {
  return {Share(counts.premium(), counts.inspections()),
          Share(counts.grade_i(), counts.inspections()),
          Share(counts.industrial(), counts.inspections()),
          Share(counts.failed(), counts.inspections())};
}

std::string VerdictText(const v1::OutlierTest& test) {
  switch (test.verdict()) {
    case v1::OutlierTest::LENIENT:
      return "LENIENT ⚠";
    case v1::OutlierTest::STRICT:
      return "STRICT ⚠";
    case v1::OutlierTest::IN_LINE:
      return "in line";
    default:
      return "not tested";
  }
}

void ShowCertifiersCsv(const v1::CertifierStatsResponse& stats) {
  PrintCsvRow({"certifier_id",
               "stages",
               "inspections",
               "premium",
               "grade_i",
               "industrial",
               "failed",
               "peer_inspections",
               "peer_premium",
               "peer_grade_i",
               "peer_industrial",
               "peer_failed",
               "overturned",
               "verdict",
               "chi_square",
               "df",
               "p_value",
               "alpha",
               "cramers_v",
               "premium_share_difference_pp",
               "fail_rate_difference_pp",
               "suppressed"});
  for (const v1::CertifierRow& r : stats.rows()) {
    const v1::OutlierTest& t = r.test();
    PrintCsvRow({r.certifier_id(),
                 r.stages(),
                 absl::StrCat(r.own().inspections()),
                 absl::StrCat(r.own().premium()),
                 absl::StrCat(r.own().grade_i()),
                 absl::StrCat(r.own().industrial()),
                 absl::StrCat(r.own().failed()),
                 absl::StrCat(r.peers().inspections()),
                 absl::StrCat(r.peers().premium()),
                 absl::StrCat(r.peers().grade_i()),
                 absl::StrCat(r.peers().industrial()),
                 absl::StrCat(r.peers().failed()),
                 absl::StrCat(r.overturned()),
                 v1::OutlierTest::Verdict_Name(t.verdict()),
                 absl::StrCat(t.chi_square()),
                 absl::StrCat(t.degrees_of_freedom()),
                 absl::StrCat(t.p_value()),
                 absl::StrCat(t.alpha()),
                 absl::StrCat(t.cramers_v()),
                 absl::StrCat(t.premium_share_difference()),
                 absl::StrCat(t.fail_rate_difference()),
                 r.suppressed() ? "true" : "false"});
  }
}

void ShowCertifiersTable(const v1::CertifierStatsResponse& stats) {
  std::cout << stats.standard_id() << ", " << stats.from_month() << " to " << stats.to_month()
            << " (shares: PREMIUM GRADE_I INDUSTRIAL FAIL)\n\n";
  Table table({"certifier", "stages", "n", "premium", "grade_i", "indust.", "fail", "own", "peers",
               "p-value", "V", "verdict", "overturned"});
  for (const v1::CertifierRow& r : stats.rows()) {
    if (r.suppressed()) {
      table.AddRow({r.certifier_id(), r.stages(), "(withheld: fewer than 5 firms)", "", "", "", "",
                    "", "", "", "", "", ""});
      continue;
    }
    const std::vector<double> own = Shares(r.own());
    const v1::OutlierTest& t = r.test();
    const bool tested = t.verdict() == v1::OutlierTest::IN_LINE ||
                        t.verdict() == v1::OutlierTest::LENIENT ||
                        t.verdict() == v1::OutlierTest::STRICT;
    table.AddRow({r.certifier_id(), r.stages(), absl::StrCat(r.own().inspections()),
                  Percent(own[0]), Percent(own[1]), Percent(own[2]), Percent(own[3]),
                  Sparkline(own), Sparkline(Shares(r.peers())),
                  tested ? absl::StrFormat("%.2g", t.p_value()) : "-",
                  tested ? absl::StrFormat("%.2f", t.cramers_v()) : "-", VerdictText(t),
                  absl::StrCat(r.overturned())});
  }
  table.Print();
  std::cout << "\n" << stats.method() << "\n";
}

void ShowCriteriaCsv(const v1::CriterionStatsResponse& stats) {
  PrintCsvRow({"criterion_id", "kind", "unit", "month", "evaluated", "failed", "limiting",
               "fail_rate", "limiting_rate", "min", "p10", "p25", "p50", "p75", "p90", "max",
               "firms", "suppressed"});
  for (const v1::CriterionRow& r : stats.rows()) {
    const v1::Quantiles& q = r.values();
    const bool numeric = r.has_values();
    const auto value = [numeric](double v) { return numeric ? absl::StrCat(v) : ""; };
    PrintCsvRow({r.criterion_id(), r.kind(), r.unit(), r.month(), absl::StrCat(r.evaluated()),
                 absl::StrCat(r.failed()), absl::StrCat(r.limiting()), absl::StrCat(r.fail_rate()),
                 absl::StrCat(r.limiting_rate()), value(q.min()), value(q.p10()), value(q.p25()),
                 value(q.p50()), value(q.p75()), value(q.p90()), value(q.max()),
                 absl::StrCat(r.firms()), r.suppressed() ? "true" : "false"});
  }
}

void ShowCriteriaTable(const v1::CriterionStatsResponse& stats) {
  std::cout << stats.standard_id() << "@" << stats.standard_version() << ", " << stats.from_month()
            << " to " << stats.to_month()
            << " (cost: the criterion decided a grade below PREMIUM, or the FAIL)\n\n";
  Table table(
      {"criterion", "month", "n", "fail", "", "cost", "", "p10", "p50", "p90", "unit", "firms"});
  for (const v1::CriterionRow& r : stats.rows()) {
    const std::string month = r.month().empty() ? "all" : r.month();
    if (r.suppressed()) {
      table.AddRow({r.criterion_id(), month, "(withheld: fewer than 5 firms)", "", "", "", "", "",
                    "", "", "", r.firms() == 0 ? "" : absl::StrCat(r.firms())});
      continue;
    }
    const bool numeric = r.has_values();
    table.AddRow({r.criterion_id(), month, absl::StrCat(r.evaluated()),
                  r.evaluated() ? Percent(r.fail_rate()) : "-", Bar(r.fail_rate(), 8),
                  r.evaluated() ? Percent(r.limiting_rate()) : "-", Bar(r.limiting_rate(), 8),
                  numeric ? Number(r.values().p10()) : "", numeric ? Number(r.values().p50()) : "",
                  numeric ? Number(r.values().p90()) : "", r.unit(), absl::StrCat(r.firms())});
  }
  table.Print();
}

// Where `value` lies between p10 and p90 of the cluster, on a 10-cell scale: "···●······".
std::string Position(double value, double p10, double p90) {
  if (std::isnan(value) || p90 <= p10) return "";
  const int at =
      static_cast<int>(std::lround(std::clamp((value - p10) / (p90 - p10), 0.0, 1.0) * 9));
  std::string scale;
  for (int i = 0; i < 10; ++i) scale += i == at ? "●" : "·";
  return scale;
}

void ShowBenchmarkCsv(const v1::FirmBenchmarkResponse& benchmark) {
  PrintCsvRow({"criterion_id", "kind", "unit", "firm_value", "firm_inspections", "firm_fail_rate",
               "cluster_p10", "cluster_p50", "cluster_p90", "cluster_fail_rate", "firm_percentile",
               "cluster_firms", "suppressed", "higher_is_better"});
  for (const v1::BenchmarkRow& r : benchmark.rows()) {
    PrintCsvRow({r.criterion_id(), r.kind(), r.unit(), absl::StrCat(r.firm_value()),
                 absl::StrCat(r.firm_inspections()), absl::StrCat(r.firm_fail_rate()),
                 absl::StrCat(r.cluster_p10()), absl::StrCat(r.cluster_p50()),
                 absl::StrCat(r.cluster_p90()), absl::StrCat(r.cluster_fail_rate()),
                 absl::StrCat(r.firm_percentile()), absl::StrCat(r.cluster_firms()),
                 r.suppressed() ? "true" : "false", r.higher_is_better() ? "true" : "false"});
  }
}

void ShowBenchmarkTable(const v1::FirmBenchmarkResponse& benchmark) {
  std::cout << benchmark.firm_id() << " against the cluster, " << benchmark.standard_id() << "@"
            << benchmark.standard_version() << ", " << benchmark.from_month() << " to "
            << benchmark.to_month()
            << " (value: median measurement, or pass rate for yes/no criteria; cluster: "
               "percentiles over firms)\n\n";
  Table table({"criterion", "yours", "p10", "p50", "p90", "p10..p90", "rank", "your fail",
               "cluster fail", "unit"});
  for (const v1::BenchmarkRow& r : benchmark.rows()) {
    const bool boolean = r.kind() == "BOOLEAN";
    const auto value = [boolean](double v) {
      return boolean ? absl::StrCat(Number(v, 1), "%") : Number(v);
    };
    const std::string yours = r.firm_inspections() == 0 ? "-" : value(r.firm_value());
    const std::string your_fail = r.firm_inspections() == 0 ? "-" : Percent(r.firm_fail_rate());
    if (r.suppressed()) {
      table.AddRow({r.criterion_id(), yours, "withheld (fewer than 5 firms)", "", "", "", "",
                    your_fail, "", r.unit()});
      continue;
    }
    table.AddRow({r.criterion_id(), yours, value(r.cluster_p10()), value(r.cluster_p50()),
                  value(r.cluster_p90()),
                  r.firm_inspections() == 0
                      ? ""
                      : Position(r.firm_value(), r.cluster_p10(), r.cluster_p90()),
                  r.firm_inspections() == 0 ? "-" : absl::StrCat(Number(r.firm_percentile(), 0)),
                  your_fail, Percent(r.cluster_fail_rate()), boolean ? "" : r.unit()});
  }
  table.Print();
}

// "harvest 2, processing 1": the non-compliant sites by the stage that decided.
std::string DecidingStages(const v1::ComplianceOverviewRow& row, absl::string_view between,
                           absl::string_view separator) {
  std::vector<std::string> parts;
  for (const v1::StageCount& count : row.non_compliant_by_stage()) {
    parts.push_back(absl::StrCat(count.stage_id(), between, count.sites()));
  }
  return absl::StrJoin(parts, separator);
}

void ShowOverviewCsv(const v1::ComplianceOverviewResponse& overview) {
  PrintCsvRow({"month", "region", "sites", "compliant", "non_compliant", "not_inspected",
               "suppressed", "non_compliant_by_stage"});
  for (const v1::ComplianceOverviewRow& r : overview.rows()) {
    PrintCsvRow({r.month(), r.region(), absl::StrCat(r.sites()), absl::StrCat(r.compliant()),
                 absl::StrCat(r.non_compliant()), absl::StrCat(r.not_inspected()),
                 r.suppressed() ? "true" : "false", DecidingStages(r, ":", " ")});
  }
}

void ShowOverviewTable(const v1::ComplianceOverviewResponse& overview) {
  std::cout << overview.norm().id() << ": " << overview.norm().title() << " ("
            << overview.norm().standard_id() << "@" << overview.norm().standard_version()
            << "), at the end of each month in force\n\n";
  Table table({"month", "region", "sites", "compliant", "", "non-compliant", "not inspected",
               "decided by stage"});
  for (const v1::ComplianceOverviewRow& r : overview.rows()) {
    if (r.suppressed()) {
      table.AddRow({r.month(), r.region(), r.sites() == 0 ? "" : absl::StrCat(r.sites()),
                    "withheld (fewer than 5 sites of 5 firms)", "", "", "", ""});
      continue;
    }
    const double share = Share(r.compliant(), r.sites());
    table.AddRow({r.month(), r.region(), absl::StrCat(r.sites()),
                  absl::StrCat(r.compliant(), " (", Percent(share), ")"), Bar(share, 10),
                  absl::StrCat(r.non_compliant()), absl::StrCat(r.not_inspected()),
                  DecidingStages(r, " ", ", ")});
  }
  table.Print();
}

struct StatsCertifiersOptions : WindowOptions {
  std::string standard, certifier;
};

int StatsCertifiers(client::Connection& connection, const Cli& cli,
                    const StatsCertifiersOptions& options) {
  WindowOptions window = options;
  if (int exit_code = kExitOk; !ResolvePeriod(window, &exit_code)) return exit_code;
  v1::CertifierStatsRequest request;
  request.set_standard_id(options.standard);
  request.set_certifier_id(options.certifier);
  request.set_from_month(window.from);
  request.set_to_month(window.to);
  v1::CertifierStatsResponse response;
  grpc::Status status =
      connection.stats().CertifierStats(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("stats certifiers", status);
  return PrintStats(cli, options, response, ShowCertifiersCsv, ShowCertifiersTable);
}

void AddStatsCertifiers(CLI::App* stats, Cli& cli) {
  auto options = std::make_shared<StatsCertifiersOptions>();
  CLI::App* certifiers = stats->add_subcommand(
      "certifiers",
      "each certifier's grade distribution against its peers', with an outlier test "
      "(chi-square, Bonferroni, Cramér's V)");
  certifiers->add_option("--standard", options->standard, "standard id, e.g. CSCS")->required();
  certifiers->add_option("--certifier", options->certifier, "only this certifier's rows");
  AddWindowOptions(certifiers, *options);
  OnRun(certifiers, cli, options, StatsCertifiers);
}

struct StatsCriteriaOptions : WindowOptions {
  std::string standard;
};

int StatsCriteria(client::Connection& connection, const Cli& cli,
                  const StatsCriteriaOptions& options) {
  WindowOptions window = options;
  if (int exit_code = kExitOk; !ResolvePeriod(window, &exit_code)) return exit_code;
  v1::CriterionStatsRequest request;
  int exit_code = kExitOk;
  std::string id;
  uint32_t version = 0;
  if (!ParseVersion(options.standard, &id, &version, &exit_code)) return exit_code;
  request.set_standard_id(id);
  request.set_standard_version(version);
  request.set_from_month(window.from);
  request.set_to_month(window.to);
  v1::CriterionStatsResponse response;
  grpc::Status status =
      connection.stats().CriterionStats(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("stats criteria", status);
  return PrintStats(cli, options, response, ShowCriteriaCsv, ShowCriteriaTable);
}

void AddStatsCriteria(CLI::App* stats, Cli& cli) {
  auto options = std::make_shared<StatsCriteriaOptions>();
  CLI::App* criteria = stats->add_subcommand(
      "criteria",
      "per criterion: how often it fails, how often it cost the grade, measured values by "
      "month");
  criteria->add_option("--standard", options->standard, "the exact version, ID@N")->required();
  AddWindowOptions(criteria, *options);
  OnRun(criteria, cli, options, StatsCriteria);
}

struct StatsBenchmarkOptions : WindowOptions {
  std::string standard, firm;
};

int StatsBenchmark(client::Connection& connection, const Cli& cli,
                   const StatsBenchmarkOptions& options) {
  WindowOptions window = options;
  if (int exit_code = kExitOk; !ResolvePeriod(window, &exit_code)) return exit_code;
  v1::FirmBenchmarkRequest request;
  int exit_code = kExitOk;
  std::string id;
  uint32_t version = 0;
  if (!ParseVersion(options.standard, &id, &version, &exit_code)) return exit_code;
  request.set_firm_id(options.firm);
  request.set_standard_id(id);
  request.set_standard_version(version);
  request.set_from_month(window.from);
  request.set_to_month(window.to);
  v1::FirmBenchmarkResponse response;
  grpc::Status status =
      connection.stats().FirmBenchmark(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("stats benchmark", status);
  return PrintStats(cli, options, response, ShowBenchmarkCsv, ShowBenchmarkTable);
}

void AddStatsBenchmark(CLI::App* stats, Cli& cli) {
  auto options = std::make_shared<StatsBenchmarkOptions>();
  CLI::App* benchmark = stats->add_subcommand(
      "benchmark",
      "a firm's results per criterion next to anonymised cluster percentiles (a FIRM: its "
      "own)");
  benchmark->add_option("--standard", options->standard, "the exact version, ID@N")->required();
  benchmark->add_option("--firm", options->firm, "firm id (default: the caller's firm)");
  AddWindowOptions(benchmark, *options);
  OnRun(benchmark, cli, options, StatsBenchmark);
}

struct StatsComplianceOptions : WindowOptions {
  std::string norm, as_of;
};

int StatsCompliance(client::Connection& connection, const Cli& cli,
                    const StatsComplianceOptions& options) {
  WindowOptions window = options;
  if (int exit_code = kExitOk; !ResolvePeriod(window, &exit_code)) return exit_code;
  v1::ComplianceOverviewRequest request;
  int exit_code = kExitOk;
  if (!ParseDateFlag("--as-of", options.as_of, request.mutable_as_of(), &exit_code)) {
    return exit_code;
  }
  request.set_norm_id(options.norm);
  request.set_from_month(window.from);
  request.set_to_month(window.to);
  v1::ComplianceOverviewResponse response;
  grpc::Status status =
      connection.stats().ComplianceOverview(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("stats compliance", status);
  return PrintStats(cli, options, response, ShowOverviewCsv, ShowOverviewTable);
}

void AddStatsCompliance(CLI::App* stats, Cli& cli) {
  auto options = std::make_shared<StatsComplianceOptions>();
  CLI::App* compliance = stats->add_subcommand(
      "compliance",
      "per region: compliant, non-compliant and not inspected sites at the end of each "
      "month, and the stage that decided each non-compliant site's verdict");
  compliance->add_option("norm", options->norm, "norm id")->required();
  compliance->add_option("--as-of", options->as_of,
                         "as the records stood then (YYYY-MM-DD or RFC 3339; default now; "
                         "ADMIN and REGULATOR)");
  AddWindowOptions(compliance, *options);
  OnRun(compliance, cli, options, StatsCompliance);
}

int StatsVerify(client::Connection& connection, const Cli& cli) {
  v1::VerifyAggregatesResponse response;
  grpc::Status status = connection.stats().VerifyAggregates(
      connection.NewContext().get(), v1::VerifyAggregatesRequest(), &response);
  if (!status.ok()) return Fail("stats verify", status);
  cli.printer().Print(response, [&] {
    std::cout << response.cells() << " cells compared with a recomputation from "
              << response.inspections() << " inspections: " << response.mismatches()
              << " differences\n";
    for (const std::string& difference : response.differences()) {
      std::cout << "  " << difference << "\n";
    }
  });
  return response.mismatches() == 0 ? kExitOk : kExitMisbehaviour;
}

void AddStatsVerify(CLI::App* stats, Cli& cli) {
  CLI::App* verify = stats->add_subcommand(
      "verify",
      "recompute the statistics aggregates from every inspection and compare (ADMIN); "
      "exit 7 on a difference");
  OnRun(verify, cli, StatsVerify);
}

}  // namespace

void AddStatsCommands(CLI::App& app, Cli& cli) {
  CLI::App* stats =
      app.add_subcommand("stats",
                         "statistics: certifiers against their peers, criteria, firm benchmarks, "
                         "compliance over time");
  stats->require_subcommand(1);
  stats->footer(kPublicationRule);
  AddStatsCertifiers(stats, cli);
  AddStatsCriteria(stats, cli);
  AddStatsBenchmark(stats, cli);
  AddStatsCompliance(stats, cli);
  AddStatsVerify(stats, cli);
}

}  // namespace sello::cli
