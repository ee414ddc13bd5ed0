// End-to-end: the Quick start's demo data loads through the public API, loads again as a
// no-op, and shows what the README promises: seals that verify, a regulator's norm that
// some Los Lagos plants meet and some do not, and one appeal overturned.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"
#include "sello/v1/stats.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;

constexpr char kManifest[] = TESTDATA_DIR "/../../deploy/demo/demo.json";

class DemoTest : public SessionTest {
 protected:
  ProcessResult Load() {
    return daemon_.RunCliAs(admin_, "demo", "load", "--manifest", kManifest, "--tokens-dir",
                            daemon_.root_dir() + "/tokens", "--codes-file",
                            daemon_.root_dir() + "/seals.txt");
  }
  std::string TokenOf(const std::string& organisation) {
    return Trimmed(ReadWholeFile(daemon_.root_dir() + "/tokens/" + organisation + ".token"));
  }
};

TEST_F(DemoTest, LoadsOnceAndShowsNormsAndAnOverturnedAppeal) {
  const ProcessResult first = Load();
  ASSERT_EQ(first.exit_code, 0) << first;
  EXPECT_THAT(first.out, HasSubstr("10 inspections and 2 audit series (82 new inspections), "
                                   "1 appeals, 1 norms"));
  const ProcessResult again = Load();
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("(0 new inspections)"));

  // One appeal, overturned: bureau-calidad-sur found the Hualaihue lot PREMIUM.
  const ProcessResult appeals = daemon_.RunCliAs(admin_, "-o", "json", "appeal", "list");
  ASSERT_EQ(appeals.exit_code, 0) << appeals;
  const auto listed = ParseJson<v1::ListAppealsResponse>(appeals.out);
  ASSERT_EQ(listed.appeals_size(), 1);
  EXPECT_EQ(listed.appeals(0).status(), v1::Appeal::OVERTURNED);
  EXPECT_EQ(listed.appeals(0).firm_id(), "salmonera-hualaihue");
  EXPECT_EQ(listed.appeals(0).original_grade(), v1::GRADE_I);
  EXPECT_EQ(listed.appeals(0).reinspection_grade(), v1::PREMIUM);

  // The routine audits show a lenient certifier to the regulator at once, and to a firm once
  // the month of the demo's inspections has ended and is published (issue 16: firms see
  // published figures only, so that no reading can be differenced into one firm's results).
  const ProcessResult unpublished = daemon_.RunCliAs(TokenOf("salmones-calbuco"), "-o", "json",
                                                     "stats", "certifiers", "--standard", "CSCS");
  ASSERT_EQ(unpublished.exit_code, 0) << unpublished;
  EXPECT_EQ(ParseJson<v1::CertifierStatsResponse>(unpublished.out).rows_size(), 0);
  const ProcessResult certifiers = daemon_.RunCliAs(TokenOf("sernapesca"), "-o", "json", "stats",
                                                    "certifiers", "--standard", "CSCS");
  ASSERT_EQ(certifiers.exit_code, 0) << certifiers;
  bool lenient = false;
  const auto by_certifier = ParseJson<v1::CertifierStatsResponse>(certifiers.out);
  for (const v1::CertifierRow& row : by_certifier.rows()) {
    lenient |= row.certifier_id() == "certificadora-austral" &&
               row.test().verdict() == v1::OutlierTest::LENIENT;
  }
  EXPECT_TRUE(lenient) << certifiers.out;
  EXPECT_EQ(daemon_.RunCliAs(admin_, "stats", "verify").exit_code, 0);

  // The seals verify, for anyone.
  const std::vector<std::string> codes =
      absl::StrSplit(ReadWholeFile(daemon_.root_dir() + "/seals.txt"), '\n', absl::SkipEmpty());
  ASSERT_FALSE(codes.empty());
  const ProcessResult verified = daemon_.RunCli("-o", "json", "seal", "verify", codes.front());
  ASSERT_EQ(verified.exit_code, 0) << verified;
  EXPECT_EQ(ParseJson<v1::VerifySealResponse>(verified.out).verdicts(0).seal().status(),
            v1::Seal::VALID);

  // SERNAPESCA's norm: members and non-members among the compliant and the non-compliant.
  const ProcessResult norms = daemon_.RunCli("-o", "json", "norm", "list");
  ASSERT_EQ(norms.exit_code, 0) << norms;
  const auto norm_list = ParseJson<v1::ListNormsResponse>(norms.out);
  ASSERT_EQ(norm_list.norms_size(), 1);
  const std::string as_of =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Seconds(5), absl::UTCTimeZone());
  const ProcessResult report =
      daemon_.RunCliAs(TokenOf("sernapesca"), "comply", "report", norm_list.norms(0).id(),
                       "--format", "csv", "--as-of", as_of);
  ASSERT_EQ(report.exit_code, 0) << report;
  int compliant = 0, non_compliant = 0;
  bool member_fails = false, outsider_passes = false;
  std::multiset<std::string> deciding_stages;  // of the non-compliant plants
  for (absl::string_view line : absl::StrSplit(report.out, '\n', absl::SkipEmpty())) {
    const std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() < 6 || cells[0] == "site_id") continue;
    if (cells[5] == "COMPLIANT") {
      ++compliant;
      outsider_passes |= cells[4] == "false";
    } else if (cells[5] == "NON_COMPLIANT") {
      ++non_compliant;
      member_fails |= cells[4] == "true";
      deciding_stages.insert(cells.back());  // deciding_stage, the last column
    }
  }
  EXPECT_EQ(compliant, 4) << report.out;
  EXPECT_EQ(non_compliant, 3) << report.out;
  EXPECT_TRUE(outsider_passes) << report.out;
  EXPECT_TRUE(member_fails) << report.out;
  EXPECT_EQ(deciding_stages, (std::multiset<std::string>{"farming", "harvest", "processing"}))
      << report.out;
  // The norm requires every stage of CSCS@2; the salmon code's seals require harvest,
  // processing and final_product, and every demo lot with seals is certified.
  EXPECT_EQ(norm_list.norms(0).required_stages_size(), 4);
  const ProcessResult code = daemon_.RunCli("-o", "json", "standard", "show", "CSCS@2");
  ASSERT_EQ(code.exit_code, 0) << code;
  EXPECT_EQ(ParseJson<v1::StandardVersion>(code.out).sealed_stages_size(), 3);
}

}  // namespace
}  // namespace sello::e2e
