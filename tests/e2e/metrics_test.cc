// End-to-end: sellod's Prometheus endpoint counts calls by method and code, group
// commits and the log's state, as scraped over plain HTTP; its access log has one JSON
// line per call; the example alerting rules (deploy/prometheus/) pass promtool and name
// only metrics sellod exports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The value of the unlabelled metric `name` in a Prometheus text page (-1 when absent).
double MetricValue(const std::string& page, const std::string& name) {
  std::smatch found;
  if (!std::regex_search(page, found, std::regex("\n" + name + " ([-+0-9.e]+)\n"))) return -1;
  return std::stod(found[1]);
}

TEST(MetricsTest, CallsCommitsAndTheLogAreCounted) {
  DaemonHarness daemon;
  daemon.set_daemon_args({"--metrics-listen", "127.0.0.1:0"});
  ASSERT_TRUE(daemon.Start());
  const std::string admin = daemon.admin_token();
  ASSERT_EQ(daemon
                .RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Firm One", "--id",
                          "firm-one")
                .exit_code,
            0);
  ASSERT_EQ(daemon.RunCli("org", "list").exit_code, 0);
  ASSERT_EQ(daemon.RunCli("token", "list").exit_code, 4);  // no token: refused

  std::smatch found;
  const std::string log = daemon.log();
  ASSERT_TRUE(std::regex_search(
      log, found, std::regex(R"re("event":"metrics_listening","address":"([^"]+)")re")))
      << log;
  const std::string metrics = daemon.Metrics();
  EXPECT_THAT(metrics, HasSubstr("200 OK"));
  EXPECT_THAT(metrics, HasSubstr("sello_calls_total{method=\"/sello.v1.OrganisationService/"
                                 "CreateOrganisation\",code=\"OK\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("sello_calls_total{method=\"/sello.v1.TokenService/ListTokens\","
                                 "code=\"UNAUTHENTICATED\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("sello_call_duration_seconds_bucket{method=\"/sello.v1."
                                 "OrganisationService/ListOrganisations\",le=\"+Inf\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("# TYPE sello_commit_changes histogram"));
  EXPECT_THAT(metrics, HasSubstr("sello_commit_write_seconds_count "));
  EXPECT_THAT(metrics, HasSubstr("sello_log_tree_size "));
  EXPECT_THAT(metrics, HasSubstr("sello_checkpoint_timestamp_seconds "));
  EXPECT_THAT(metrics, HasSubstr("sello_unsigned_event_age_seconds "));
  EXPECT_THAT(metrics, HasSubstr("sello_checkpoint_signing_ok 1"));
  EXPECT_THAT(metrics, HasSubstr("sello_rocksdb_estimate_num_keys "));
  // The values, not only the names: what the writes above did.
  EXPECT_GE(MetricValue(metrics, "sello_commit_write_seconds_count"), 1);
  EXPECT_GE(MetricValue(metrics, "sello_log_tree_size"), 2);
  EXPECT_EQ(MetricValue(metrics, "sello_rocksdb_writable"), 1);
  // Whole-database figures, not one per table: at most RocksDB's two background jobs.
  for (const char* running :
       {"sello_rocksdb_running_compactions", "sello_rocksdb_running_flushes"}) {
    EXPECT_GE(MetricValue(metrics, running), 0) << running;  // -1: missing
    EXPECT_LE(MetricValue(metrics, running), 2) << running;
  }
  // fsyncs and their latency, from RocksDB's statistics.
  EXPECT_THAT(metrics, HasSubstr("# TYPE sello_rocksdb_wal_synced_total counter"));
  EXPECT_GE(MetricValue(metrics, "sello_rocksdb_wal_synced_total"), 1);
  EXPECT_GE(MetricValue(metrics, "sello_rocksdb_wal_sync_total"), 1);
  EXPECT_GT(MetricValue(metrics, "sello_rocksdb_wal_sync_max_seconds"), 0);
  EXPECT_GT(MetricValue(metrics, "sello_rocksdb_write_p99_seconds"), 0);
  EXPECT_GE(MetricValue(metrics, "sello_rocksdb_get_total"), 1);
  EXPECT_THAT(HttpGet(found[1], "/other"), HasSubstr("404"));
}

TEST(CallLogTest, EachCallWithATokenOrAnErrorIsOneJsonLine) {
  DaemonHarness daemon;
  ASSERT_TRUE(daemon.Start());
  const std::string admin = daemon.admin_token();
  ASSERT_EQ(daemon
                .RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Firm One", "--id",
                          "firm-one")
                .exit_code,
            0);
  ASSERT_EQ(daemon.RunCli("org", "list").exit_code, 0);    // anonymous, OK: not logged
  ASSERT_EQ(daemon.RunCli("token", "list").exit_code, 4);  // anonymous, refused: logged
  ASSERT_EQ(daemon.RunCliAs(admin, "org", "show", "nobody").exit_code, 3);  // NOT_FOUND

  const std::string log = daemon.log();
  const std::vector<std::string> created = LinesWith(
      log, {R"("event":"call")", R"("method":"/sello.v1.OrganisationService/CreateOrganisation")"});
  ASSERT_EQ(created.size(), 1u) << log;
  EXPECT_THAT(created[0], HasSubstr(R"("code":"OK")"));
  EXPECT_THAT(created[0], HasSubstr(R"("organisation":"association","role":"ADMIN","token":")"));
  EXPECT_THAT(
      created[0],
      ::testing::MatchesRegex(
          R"re(\{"time":"[^"]+","level":"info",.*"duration_ms":[0-9]+\.[0-9]{3},"peer":"ipv[46]:[^"]+".*\})re"));
  EXPECT_TRUE(LinesWith(log, {R"("event":"call")", "ListOrganisations"}).empty())
      << "an anonymous read that succeeded is not logged by default";
  const std::vector<std::string> refused = LinesWith(log, {R"("event":"call")", "ListTokens"});
  ASSERT_EQ(refused.size(), 1u) << log;
  EXPECT_THAT(refused[0], HasSubstr(R"("code":"UNAUTHENTICATED")"));
  EXPECT_THAT(refused[0], HasSubstr(R"("message":")"));
  EXPECT_THAT(refused[0], Not(HasSubstr(R"("organisation")")));
  const std::vector<std::string> missing =
      LinesWith(log, {R"("event":"call")", "GetOrganisation", R"("code":"NOT_FOUND")"});
  EXPECT_EQ(missing.size(), 1u) << log;
}

TEST(CallLogTest, AllLogsAnonymousReadsAndNoneOnlyServerErrors) {
  DaemonHarness everything;
  everything.set_daemon_args({"--call-log", "all"});
  ASSERT_TRUE(everything.Start());
  ASSERT_EQ(everything.RunCli("org", "list").exit_code, 0);
  EXPECT_EQ(
      LinesWith(everything.log(), {R"("event":"call")", "ListOrganisations", R"("code":"OK")"})
          .size(),
      1u)
      << everything.log();

  DaemonHarness quiet;
  quiet.set_daemon_args({"--call-log", "none"});
  ASSERT_TRUE(quiet.Start());
  ASSERT_EQ(quiet.RunCli("token", "list").exit_code, 4);
  ASSERT_EQ(quiet.RunCliAs(quiet.admin_token(), "org", "list").exit_code, 0);
  EXPECT_TRUE(LinesWith(quiet.log(), {R"("event":"call")"}).empty()) << quiet.log();

  DaemonHarness wrong;
  wrong.set_daemon_args({"--call-log", "verbose"});
  EXPECT_FALSE(wrong.Start());
  EXPECT_THAT(wrong.log(), HasSubstr("--call-log"));
}

// The signal to alert on for the log: the age of the oldest event no signed checkpoint
// covers. Zero on an idle registry once everything is signed (the age of the last
// checkpoint, which grew there, made alerts misfire, and is gone).
TEST(MetricsTest, AnIdleRegistryHasNoUnsignedEvents) {
  DaemonHarness daemon;
  daemon.set_daemon_args({"--metrics-listen", "127.0.0.1:0"});
  ASSERT_TRUE(daemon.Start());
  ASSERT_EQ(daemon
                .RunCliAs(daemon.admin_token(), "org", "create", "--kind", "firm", "--name",
                          "Firm One", "--id", "firm-one")
                .exit_code,
            0);
  // Signed within a second of the write (polled: the signer runs on its own).
  std::string metrics = daemon.Metrics();
  for (const absl::Time deadline = absl::Now() + absl::Seconds(10);
       MetricValue(metrics, "sello_unsigned_events") != 0 && absl::Now() < deadline;
       metrics = daemon.Metrics()) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(MetricValue(metrics, "sello_unsigned_events"), 0) << metrics;
  EXPECT_EQ(MetricValue(metrics, "sello_unsigned_event_age_seconds"), 0) << metrics;
  EXPECT_EQ(MetricValue(metrics, "sello_checkpoint_size"),
            MetricValue(metrics, "sello_log_tree_size"));
  const double signed_at = MetricValue(metrics, "sello_checkpoint_timestamp_seconds");
  EXPECT_NEAR(signed_at, absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()), 60);
  EXPECT_THAT(metrics, Not(HasSubstr("sello_checkpoint_age_seconds")));
}

const std::string kRules = TESTDATA_DIR "/../../deploy/prometheus/sello-rules.yml";
const std::string kRulesTest = TESTDATA_DIR "/../../deploy/prometheus/sello-rules.test.yml";
const std::string kGuide = TESTDATA_DIR "/../../deploy/README.md";

// The example alerting rules are valid (`promtool check rules`), and their own tests pass
// (`promtool test rules`: each alert fires on what it is meant for, none on an idle
// registry). promtool comes with Debian's prometheus package (deploy/install-deps.sh).
TEST(AlertRulesTest, PromtoolAcceptsTheRulesAndTheirTestsPass) {
  const ProcessResult checked = RunProcess({"/usr/bin/promtool", "check", "rules", kRules});
  EXPECT_EQ(checked.exit_code, 0) << checked;
  EXPECT_THAT(checked.out, HasSubstr("SUCCESS"));
  const ProcessResult tested = RunProcess({"/usr/bin/promtool", "test", "rules", kRulesTest});
  EXPECT_EQ(tested.exit_code, 0) << tested;
  EXPECT_THAT(tested.out, HasSubstr("SUCCESS"));
}

// The rules and the guide name only metrics sellod exports: a renamed metric would leave
// an alert that never fires, silently.
TEST(AlertRulesTest, EveryMetricTheRulesAndTheGuideNameIsExported) {
  DaemonHarness daemon;
  daemon.set_daemon_args({"--metrics-listen", "127.0.0.1:0", "--max-disk-mb", "64"});
  ASSERT_TRUE(daemon.Start());
  const std::string metrics = daemon.Metrics();
  std::set<std::string> exported;
  const std::regex type(R"(# TYPE (sello_[a-z0-9_]+) (\w+))");
  for (auto it = std::sregex_iterator(metrics.begin(), metrics.end(), type);
       it != std::sregex_iterator(); ++it) {
    exported.insert((*it)[1]);
    if ((*it)[2] == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        exported.insert((*it)[1].str() + suffix);
    }
  }
  ASSERT_GT(exported.size(), 20u) << metrics;
  const std::regex name(R"(\b(sello_[a-z0-9_]+))");
  for (const std::string& file : {kRules, kGuide}) {
    const std::string text = ReadWholeFile(file);
    std::set<std::string> named;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), name);
         it != std::sregex_iterator(); ++it) {
      named.insert((*it)[1]);
    }
    if (file == kRules) {
      ASSERT_GE(named.size(), 8u);
    }
    for (const std::string& metric : named) {
      // sello-witness's own metrics (deploy/README.md's witness section): another binary,
      // whose metrics tests/e2e/witness_test.cc reads.
      if (metric.starts_with("sello_witness_")) continue;
      EXPECT_TRUE(exported.contains(metric))
          << file << " names " << metric << ", which sellod does not export";
    }
  }
}

}  // namespace
}  // namespace sello::e2e
