// End-to-end: statistics through the real `sello`. The aggregates kept with every
// submission, correction and overturned appeal equal a full recomputation; a lenient
// certifier is flagged against its peers; and no firm sees another firm's identified
// results — firms and certifiers see published figures only (closed months, fixed windows,
// cells of at least five firms), so that neither a new inspection nor overlapping windows
// can be differenced into one firm's results. (What a closed month's published figures hold
// is tested on the domain rules, tests/unit/domain/statistics_test.cc: sellod's clock cannot
// be moved to let a month end within a test.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/stats.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The certification fixture plus three more firms with a plant each (five in all), a
// regulator, and Norte accredited too.
class StatsTest : public CertificationTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
    for (const char* firm : {"firm-3", "firm-4", "firm-5"}) {
      ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                                             firm, "--id", firm)));
      ASSERT_TRUE(Succeeded(daemon_.RunCliAs(
          admin_, "site", "create", "--firm", firm, "--type", "plant", "--name",
          absl::StrCat("Plant of ", firm), "--region", "Los Lagos", "--registration-code",
          absl::StrCat("PL-", firm), "--id", absl::StrCat(firm, "-plant"))));
    }
    ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "regulator", "--name",
                                           "Servicio", "--id", "servicio")));
    regulator_ = IssueToken("servicio", "regulator");
    ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  }

  // `sello --token TOKEN -o json stats ARGS...`, which must succeed.
  template <typename Response>
  Response Stats(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--token", token, "-o", "json", "stats"});
    const ProcessResult result = daemon_.RunCliArgs(args);
    EXPECT_EQ(result.exit_code, 0) << result;
    return ParseJson<Response>(result.out);
  }

  // `sello stats verify` as ADMIN: the aggregates equal a recomputation.
  void ExpectAggregatesMatch() {
    const ProcessResult verified = daemon_.RunCliAs(admin_, "stats", "verify");
    EXPECT_EQ(verified.exit_code, 0) << verified;
    EXPECT_THAT(verified.out, HasSubstr(": 0 differences"));
  }

  std::string regulator_;
};

// This month, "YYYY-MM": still running, so never published.
std::string ThisMonth() { return absl::FormatTime("%Y-%m", absl::Now(), absl::UTCTimeZone()); }

const std::vector<std::string> kPlants = {"calbuco", "hornopiren", "firm-3-plant", "firm-4-plant",
                                          "firm-5-plant"};

TEST_F(StatsTest, AggregatesEqualARecomputationAfterARandomHistory) {
  // Submissions, corrections and overturned appeals in a random order (the seed is fixed
  // so that a failure can be replayed).
  std::mt19937 random(20261126);
  const std::vector<Results> results = {
      Premium(), With(Premium(), {{"H1", "30"}}), With(Premium(), {{"P2", "3"}}),
      With(Premium(), {{"P4", "false"}}), With(Premium(), {{"H1", "22"}, {"Q1", "27"}})};
  std::vector<Inspection> current;
  int corrections = 0, appeals = 0;
  for (int step = 0; step < 24; ++step) {
    const Results& measured = results[random() % results.size()];
    const int action = current.empty() ? 0 : static_cast<int>(random() % 4);
    if (action <= 1) {
      const std::string& plant = kPlants[random() % kPlants.size()];
      current.push_back(Submitted(certifier_, InspectionFile().AtSite(plant).Measuring(measured)));
    } else if (action == 2) {
      const size_t which = random() % current.size();
      const Inspection earlier = current[which];
      current[which] = Corrected(certifier_, earlier.id(),
                                 InspectionFile().AtSite(earlier.site_id()).Measuring(measured),
                                 "transcription error");
      ++corrections;
    } else {
      // An appeal of salmones-sur's, overturned by Norte when the results differ.
      const auto own = std::find_if(current.begin(), current.end(), [](const Inspection& i) {
        return i.firm_id() == "salmones-sur" && i.certifier_id() == "cert-austral";
      });
      if (own == current.end()) continue;
      const ProcessResult filed = daemon_.RunCliAs(firm_, "-o", "json", "appeal", "file", own->id(),
                                                   "--grounds", "disputed");
      ASSERT_EQ(filed.exit_code, 0) << filed;
      const std::string appeal = ParseJson<v1::Appeal>(filed.out).id();
      ASSERT_TRUE(Succeeded(
          daemon_.RunCliAs(admin_, "appeal", "assign", appeal, "--certifier", "cert-norte")));
      const ProcessResult resolved = daemon_.RunCliAs(
          rival_, "-o", "json", "appeal", "resolve", appeal,
          WriteInspection(InspectionFile().AtSite("calbuco").Measuring(
              own->outcome() == Inspection::PASS ? With(Premium(), {{"P4", "false"}})
                                                 : Premium())));
      ASSERT_EQ(resolved.exit_code, 0) << resolved;
      const v1::Appeal overturned = ParseJson<v1::Appeal>(resolved.out);
      ASSERT_EQ(overturned.status(), v1::Appeal::OVERTURNED);
      *own = ShowInspection(admin_, overturned.reinspection_id());
      ++appeals;
    }
    ExpectAggregatesMatch();
  }
  EXPECT_GT(corrections, 0);
  EXPECT_GT(appeals, 0);

  // And the figures served are those of the current inspections.
  const auto stats =
      Stats<v1::CertifierStatsResponse>(admin_, {"certifiers", "--standard", "CSCS"});
  int64_t counted = 0, overturned = 0;
  for (const v1::CertifierRow& row : stats.rows()) {
    counted += row.own().inspections();
    overturned += row.overturned();
  }
  EXPECT_EQ(counted, static_cast<int64_t>(current.size()));
  EXPECT_EQ(overturned, appeals);
}

TEST_F(StatsTest, ALenientCertifierStandsOutFromItsPeers) {
  // Austral grades 30 plant audits PREMIUM; Norte finds the same plants mixed.
  for (int i = 0; i < 30; ++i) {
    Submitted(certifier_, InspectionFile().AtSite(kPlants[i % kPlants.size()]));
  }
  const std::vector<Results> mixed = {With(Premium(), {{"H1", "30"}}),
                                      With(Premium(), {{"P2", "3"}}),
                                      With(Premium(), {{"P4", "false"}})};
  for (int i = 0; i < 30; ++i) {
    Submitted(rival_, InspectionFile().AtSite(kPlants[i % kPlants.size()]).Measuring(mixed[i % 3]));
  }
  const ProcessResult table =
      daemon_.RunCliAs(regulator_, "stats", "certifiers", "--standard", "CSCS");
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("LENIENT"));
  // A firm sees published figures only: not the month still running.
  EXPECT_EQ(
      Stats<v1::CertifierStatsResponse>(firm_, {"certifiers", "--standard", "CSCS"}).rows_size(),
      0);
  const ProcessResult running =
      daemon_.RunCliAs(firm_, "stats", "certifiers", "--standard", "CSCS", "--period", ThisMonth());
  EXPECT_EQ(running.exit_code, kExitRefused) << running;
  EXPECT_THAT(running.err, HasSubstr("has not ended"));
  const auto stats =
      Stats<v1::CertifierStatsResponse>(regulator_, {"certifiers", "--standard", "CSCS"});
  ASSERT_EQ(stats.rows_size(), 2);
  for (const v1::CertifierRow& row : stats.rows()) {
    EXPECT_EQ(row.own().inspections(), 30);
    EXPECT_EQ(row.peers().inspections(), 30);
    EXPECT_LT(row.test().p_value(), row.test().alpha());
    EXPECT_EQ(row.test().verdict(), row.certifier_id() == "cert-austral" ? v1::OutlierTest::LENIENT
                                                                         : v1::OutlierTest::STRICT);
  }
  // CSV for tools.
  const ProcessResult csv =
      daemon_.RunCliAs(regulator_, "stats", "certifiers", "--standard", "CSCS", "--format", "csv");
  ASSERT_EQ(csv.exit_code, 0) << csv;
  EXPECT_THAT(csv.out, HasSubstr("certifier_id,stages,inspections,premium"));
  EXPECT_THAT(csv.out, HasSubstr("cert-austral,final_product+harvest+processing,30,30,0,0,0"));
}

TEST_F(StatsTest, NoFirmSeesAnotherFirmsIdentifiedResults) {
  // Four firms inspected: too few for anonymity.
  for (size_t i = 0; i < 4; ++i) {
    Submitted(certifier_, InspectionFile()
                              .AtSite(kPlants[i])
                              .Measuring(With(Premium(), {{"H1", absl::StrCat(18 + i)}})));
  }
  auto criteria = Stats<v1::CriterionStatsResponse>(firm_, {"criteria", "--standard", "CSCS@1"});
  ASSERT_GT(criteria.rows_size(), 0);
  for (const v1::CriterionRow& row : criteria.rows()) {
    if (row.firms() == 0) continue;
    EXPECT_TRUE(row.suppressed()) << row.ShortDebugString();
    EXPECT_EQ(row.evaluated(), 0);
    EXPECT_FALSE(row.has_values());
  }
  auto benchmark = Stats<v1::FirmBenchmarkResponse>(firm_, {"benchmark", "--standard", "CSCS@1"});
  for (const v1::BenchmarkRow& row : benchmark.rows()) {
    EXPECT_TRUE(row.suppressed()) << row.ShortDebugString();
    EXPECT_EQ(row.cluster_p50(), 0);
  }
  // Certifiers too see only what stays anonymous (they watch, and are watched).
  const auto as_certifier =
      Stats<v1::CriterionStatsResponse>(certifier_, {"criteria", "--standard", "CSCS@1"});
  for (const v1::CriterionRow& row : as_certifier.rows()) {
    EXPECT_TRUE(row.firms() == 0 || row.suppressed()) << row.ShortDebugString();
  }
  EXPECT_EQ(
      daemon_.RunCliAs(rival_, "stats", "certifiers", "--standard", "CSCS", "--period", ThisMonth())
          .exit_code,
      kExitRefused);
  // ADMIN and the regulator see the figures.
  auto full = Stats<v1::CriterionStatsResponse>(regulator_, {"criteria", "--standard", "CSCS@1"});
  for (const v1::CriterionRow& row : full.rows()) {
    if (row.criterion_id() == "H1" && row.month().empty()) {
      EXPECT_FALSE(row.suppressed());
      EXPECT_EQ(row.evaluated(), 4);
      EXPECT_DOUBLE_EQ(row.values().p50(), 19.5);  // 18, 19, 20, 21
    }
  }

  // A fifth firm: the cluster figures appear, anonymised — to ADMIN and the regulator while
  // the month runs, to firms once it has ended.
  Submitted(certifier_,
            InspectionFile().AtSite(kPlants[4]).Measuring(With(Premium(), {{"H1", "22"}})));
  benchmark = Stats<v1::FirmBenchmarkResponse>(
      regulator_, {"benchmark", "--standard", "CSCS@1", "--firm", "salmones-sur"});
  bool seen = false;
  for (const v1::BenchmarkRow& row : benchmark.rows()) {
    if (row.criterion_id() != "H1") continue;
    seen = true;
    EXPECT_FALSE(row.suppressed());
    EXPECT_EQ(row.cluster_firms(), 5);
    EXPECT_DOUBLE_EQ(row.firm_value(), 18);  // salmones-sur's own
    EXPECT_DOUBLE_EQ(row.cluster_p50(), 20);
    EXPECT_DOUBLE_EQ(row.cluster_p10(), 18.4);
    EXPECT_DOUBLE_EQ(row.firm_percentile(), 10);
  }
  EXPECT_TRUE(seen);
  benchmark = Stats<v1::FirmBenchmarkResponse>(firm_, {"benchmark", "--standard", "CSCS@1"});
  for (const v1::BenchmarkRow& row : benchmark.rows()) {
    EXPECT_TRUE(row.suppressed()) << row.ShortDebugString();
    EXPECT_EQ(row.cluster_firms(), 0) << "a withheld cell's firm count is withheld too";
  }
  // Nothing in a firm's answers names another firm.
  for (const char* command : {"benchmark", "criteria"}) {
    const ProcessResult shown =
        daemon_.RunCliAs(firm_, "-o", "json", "stats", command, "--standard", "CSCS@1");
    ASSERT_EQ(shown.exit_code, 0) << shown;
    for (const char* other : {"fjord-foods", "firm-3", "firm-4", "firm-5", "hornopiren"}) {
      EXPECT_THAT(shown.out, Not(HasSubstr(other))) << command;
    }
  }
  // A firm asks only about itself; a certifier has no benchmark; ADMIN and the regulator
  // may ask about any firm.
  const ProcessResult other = daemon_.RunCliAs(firm_, "stats", "benchmark", "--standard", "CSCS@1",
                                               "--firm", "fjord-foods");
  EXPECT_EQ(other.exit_code, kExitDenied) << other;
  EXPECT_EQ(daemon_
                .RunCliAs(certifier_, "stats", "benchmark", "--standard", "CSCS@1", "--firm",
                          "fjord-foods")
                .exit_code,
            kExitDenied);
  EXPECT_EQ(Stats<v1::FirmBenchmarkResponse>(
                regulator_, {"benchmark", "--standard", "CSCS@1", "--firm", "fjord-foods"})
                .firm_id(),
            "fjord-foods");
  // Verification is the association's.
  EXPECT_EQ(daemon_.RunCliAs(firm_, "stats", "verify").exit_code, kExitDenied);
  ExpectAggregatesMatch();
}

TEST_F(StatsTest, ComplianceOverTimeByRegion) {
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(regulator_, "norm", "adopt", "--standard", "CSCS@1",
                                         "--title", "Plants", "--site-type", "plant",
                                         "--effective-from", Day(absl::Now() - absl::Hours(24)),
                                         "--stage", "harvest,processing,final_product")));
  const ProcessResult norms = daemon_.RunCli("-o", "json", "norm", "list");
  const std::string norm = ParseJson<v1::ListNormsResponse>(norms.out).norms(0).id();
  // One plant in Aysén: a region too small for firms to see its counts.
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(
      admin_, "site", "create", "--firm", "fjord-foods", "--type", "plant", "--name",
      "Planta Aysen", "--region", "Aysén", "--registration-code", "PL-3003", "--id", "aysen")));
  Submitted(certifier_, InspectionFile().AtSite("calbuco"));
  Submitted(certifier_,
            InspectionFile().AtSite("hornopiren").Measuring(With(Premium(), {{"P4", "false"}})));
  // A few seconds ahead: the inspections were just dated a second ahead.
  const std::string as_of =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Seconds(5), absl::UTCTimeZone());
  const auto overview =
      Stats<v1::ComplianceOverviewResponse>(regulator_, {"compliance", norm, "--as-of", as_of});
  ASSERT_EQ(overview.rows_size(), 2);
  EXPECT_EQ(overview.rows(0).region(), "Aysén");
  EXPECT_EQ(overview.rows(0).sites(), 1);
  EXPECT_EQ(overview.rows(0).not_inspected(), 1);
  EXPECT_FALSE(overview.rows(0).suppressed());
  EXPECT_EQ(overview.rows(1).region(), "Los Lagos");
  EXPECT_EQ(overview.rows(1).sites(), 5);
  EXPECT_EQ(overview.rows(1).compliant(), 1);
  EXPECT_EQ(overview.rows(1).non_compliant(), 1);
  EXPECT_EQ(overview.rows(1).not_inspected(), 3);
  // Hornopiren's FAIL (on P4) is decided by its processing stage.
  ASSERT_EQ(overview.rows(1).non_compliant_by_stage_size(), 1);
  EXPECT_EQ(overview.rows(1).non_compliant_by_stage(0).stage_id(), "processing");
  EXPECT_EQ(overview.rows(1).non_compliant_by_stage(0).sites(), 1);
  // A firm sees published figures: each closed month's end, never an instant it picks (two
  // instants a day apart would isolate one site's change). The sites were created today, so
  // no closed month counts them yet.
  const ProcessResult picked =
      daemon_.RunCliAs(firm_, "stats", "compliance", norm, "--as-of", as_of);
  EXPECT_EQ(picked.exit_code, kExitRefused) << picked;
  EXPECT_THAT(picked.err, HasSubstr("as_of"));
  const auto seen = Stats<v1::ComplianceOverviewResponse>(firm_, {"compliance", norm});
  EXPECT_EQ(seen.rows_size(), 0);
  const ProcessResult table =
      daemon_.RunCliAs(regulator_, "stats", "compliance", norm, "--as-of", as_of);
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("1 (20.0%)"));
  EXPECT_THAT(table.out, HasSubstr("processing 1"));
}

// The issue's differencing attacks, as a rival firm would try them: read the criterion
// statistics, let one competitor inspection be submitted, read again; and ask for windows
// that overlap. Neither answer differs by one firm's results.
TEST_F(StatsTest, ACompetitorsInspectionCannotBeReadByDifference) {
  for (size_t i = 0; i < kPlants.size(); ++i) {
    Submitted(certifier_, InspectionFile()
                              .AtSite(kPlants[i])
                              .Measuring(With(Premium(), {{"H1", absl::StrCat(18 + i)}})));
  }
  const auto read = [&](const std::string& token) {
    const ProcessResult shown =
        daemon_.RunCliAs(token, "-o", "json", "stats", "criteria", "--standard", "CSCS@1");
    EXPECT_EQ(shown.exit_code, 0) << shown;
    return shown.out;
  };
  const std::string before = read(firm_);
  const std::string before_certifier = read(rival_);
  const std::string regulator_before = read(regulator_);
  // fjord-foods' plant, H1 = 35 hours.
  Submitted(certifier_,
            InspectionFile().AtSite("hornopiren").Measuring(With(Premium(), {{"H1", "35"}})));
  EXPECT_EQ(read(firm_), before);
  EXPECT_EQ(read(rival_), before_certifier);
  EXPECT_NE(read(regulator_), regulator_before) << "the regulator sees current figures";
  // The month still running and arbitrary windows are refused, saying why.
  const std::string this_month = ThisMonth();
  ProcessResult refused = daemon_.RunCliAs(firm_, "stats", "criteria", "--standard", "CSCS@1",
                                           "--from", this_month, "--to", this_month);
  EXPECT_EQ(refused.exit_code, kExitRefused) << refused;
  EXPECT_THAT(refused.err, HasSubstr("to_month: " + this_month + " has not ended"));
  refused = daemon_.RunCliAs(firm_, "stats", "benchmark", "--standard", "CSCS@1", "--from",
                             "2026-01", "--to", "2026-05");
  EXPECT_EQ(refused.exit_code, kExitRefused) << refused;
  EXPECT_THAT(refused.err, HasSubstr("not a published window"));
  refused =
      daemon_.RunCliAs(firm_, "stats", "criteria", "--standard", "CSCS@1", "--period", "2026-Q5");
  EXPECT_EQ(refused.exit_code, 2) << refused;
  // The rule is in the help.
  const ProcessResult help = daemon_.RunCli("stats", "--help");
  EXPECT_THAT(help.out, HasSubstr("closed periods"));
  EXPECT_THAT(help.out, HasSubstr("at least 5 firms"));
}

// A DRAFT's criteria are the association's until it is published: statistics do not show
// them to a firm or a certifier (they leaked a draft's new criterion).
TEST_F(StatsTest, StatisticsDoNotShowDraftsToFirms) {
  std::string draft = ReadWholeFile(kCscs);
  const auto replace = [&draft](const std::string& from, const std::string& to) {
    ASSERT_NE(draft.find(from), std::string::npos) << from;
    draft.replace(draft.find(from), from.size(), to);
  };
  replace("\"version\": 1", "\"version\": 2");
  replace("\"id\": \"H1\"", "\"id\": \"HX\"");
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "standard", "push",
                                         daemon_.WriteFile("cscs-v2-draft.json", draft))));
  for (const std::string& token : {firm_, certifier_}) {
    for (const char* command : {"criteria", "benchmark"}) {
      if (token == certifier_ && std::string(command) == "benchmark") continue;  // not theirs
      const ProcessResult shown =
          daemon_.RunCliAs(token, "-o", "json", "stats", command, "--standard", "CSCS@2");
      EXPECT_EQ(shown.exit_code, kExitDenied) << command << shown;
      EXPECT_THAT(shown.out, Not(HasSubstr("HX")));
      EXPECT_THAT(shown.err, HasSubstr("DRAFT"));
    }
  }
  EXPECT_THAT(Stats<v1::CriterionStatsResponse>(regulator_, {"criteria", "--standard", "CSCS@2"})
                  .DebugString(),
              HasSubstr("HX"));
}

}  // namespace
}  // namespace sello::e2e
