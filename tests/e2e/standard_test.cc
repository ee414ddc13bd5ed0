// End-to-end: the life of a standard, as the association's secretariat drives it with
// `sello standard ...`: push a draft, publish it, show it, publish a successor, withdraw.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "sello/v1/standard.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using v1::StandardVersion;

constexpr char kV1[] = TESTDATA_DIR "/tst_v1.json";
constexpr char kV2[] = TESTDATA_DIR "/tst_v2.json";
constexpr char kInvalid[] = TESTDATA_DIR "/tst_invalid.json";

// Every problem in tst_invalid.json, by field path.
constexpr const char* kInvalidPaths[] = {
    "standard_id: ",
    "version: ",
    "title: ",
    "stages[0].id: ",
    "stages[0].criteria[0].grades: PREMIUM range is looser than GRADE_I",
    "stages[0].criteria[1].id: ",
    "stages[0].criteria[1].name: ",
    "stages[0].criteria[1].caps_at: ",
};

void ExpectEveryProblemNamed(const ProcessResult& result) {
  EXPECT_EQ(result.exit_code, 5) << result;
  EXPECT_THAT(result.err, HasSubstr("tst_invalid.json: 8 problems"));
  for (const char* path : kInvalidPaths) {
    EXPECT_THAT(result.err, HasSubstr(absl::StrCat("\n  ", path))) << "problem not named: " << path;
  }
}

using StandardTest = SessionTest;

TEST_F(StandardTest, PushPublishShow) {
  ProcessResult pushed = daemon_.RunCliAs(admin_, "standard", "push", kV1);
  ASSERT_EQ(pushed.exit_code, 0) << pushed;
  EXPECT_THAT(pushed.out, HasSubstr("pushed TST@1 (DRAFT)"));

  ProcessResult draft = daemon_.RunCliAs(admin_, "-o", "json", "standard", "show", "TST@1");
  ASSERT_EQ(draft.exit_code, 0) << draft;
  EXPECT_EQ(ParseJson<StandardVersion>(draft.out).status(), StandardVersion::DRAFT);

  ProcessResult published = daemon_.RunCliAs(admin_, "standard", "publish", "TST@1");
  ASSERT_EQ(published.exit_code, 0) << published;
  EXPECT_THAT(published.out, HasSubstr("published TST@1"));

  // Published standards are public: no token needed to read them.
  ProcessResult table = daemon_.RunCli("standard", "show", "TST@1");
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("PUBLISHED"));
  EXPECT_THAT(table.out, HasSubstr("Test standard for fresh salmon"));
  EXPECT_THAT(table.out, HasSubstr("stage harvest: Harvest"));
  EXPECT_THAT(table.out, HasSubstr("Hours from harvest to processing"));
  EXPECT_THAT(table.out, HasSubstr("P <=24 | I <=36 | Ind <=48 h"));
  EXPECT_THAT(table.out, HasSubstr("fail caps at GRADE_I"));

  ProcessResult json = daemon_.RunCli("-o", "json", "standard", "show", "TST");
  ASSERT_EQ(json.exit_code, 0) << json;
  const StandardVersion shown = ParseJson<StandardVersion>(json.out);
  EXPECT_EQ(shown.standard_id(), "TST");
  EXPECT_EQ(shown.version(), 1u);
  EXPECT_EQ(shown.status(), StandardVersion::PUBLISHED);
  EXPECT_TRUE(shown.has_publish_time());
  EXPECT_EQ(shown.seal_validity_days(), 365u);
  ASSERT_EQ(shown.stages_size(), 1);
  ASSERT_EQ(shown.stages(0).criteria_size(), 3);
  const v1::Criterion& hours = shown.stages(0).criteria(0);
  EXPECT_EQ(hours.id(), "H1");
  EXPECT_EQ(hours.kind(), v1::Criterion::NUMERIC);
  EXPECT_EQ(hours.grades().premium().max(), 24);
  EXPECT_EQ(hours.grades().industrial().max(), 48);
  EXPECT_TRUE(shown.stages(0).criteria(1).critical());
  EXPECT_EQ(shown.stages(0).criteria(2).caps_at(), v1::GRADE_I);

  ProcessResult list = daemon_.RunCli("standard", "list");
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr("TST"));
}

TEST_F(StandardTest, InvalidFileIsRejectedWithEveryProblemAndNothingStored) {
  ExpectEveryProblemNamed(daemon_.RunCliAs(admin_, "standard", "push", kInvalid));
  ExpectEveryProblemNamed(
      daemon_.RunCliAs(admin_, "standard", "push", "--validate-only", kInvalid));

  ProcessResult list = daemon_.RunCliAs(admin_, "-o", "json", "standard", "list");
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, Not(HasSubstr("TST")));
  ProcessResult versions = daemon_.RunCliAs(admin_, "standard", "versions", "TST");
  EXPECT_EQ(versions.exit_code, 3) << versions;
}

TEST_F(StandardTest, EachFileIsPushedAsAWholeOrNotAtAll) {
  const std::string broken = daemon_.WriteFile("broken.json", R"({"standardId": "BRK", oops)");
  const std::string unknown_field = daemon_.WriteFile(
      "colour.json", R"({"standardId": "CLR", "version": 1, "title": "t", "colour": "red"})");

  ProcessResult pushed =
      daemon_.RunCliAs(admin_, "standard", "push", kV1, kInvalid, broken, unknown_field);
  EXPECT_EQ(pushed.exit_code, 5) << pushed;
  EXPECT_THAT(pushed.out, HasSubstr("tst_v1.json: pushed TST@1 (DRAFT)"));
  EXPECT_THAT(pushed.err, HasSubstr("tst_invalid.json: 8 problems"));
  EXPECT_THAT(pushed.err, HasSubstr("broken.json: not a valid standard file"));
  EXPECT_THAT(pushed.err, HasSubstr("colour.json: not a valid standard file"));
  EXPECT_THAT(pushed.err, HasSubstr("colour"));

  ProcessResult listed = daemon_.RunCliAs(admin_, "-o", "json", "standard", "list");
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_THAT(listed.out, HasSubstr("\"TST\""));
  EXPECT_THAT(listed.out, Not(HasSubstr("BRK")));
  EXPECT_THAT(listed.out, Not(HasSubstr("CLR")));
}

TEST(StandardLint, ReportsEveryProblemOffline) {
  // Port 1 serves nothing: the lint must not need a daemon at all.
  ExpectEveryProblemNamed(RunSello("--server", "127.0.0.1:1", "standard", "lint", kInvalid));

  ProcessResult good = RunSello("--server", "127.0.0.1:1", "standard", "lint", kV1, kV2);
  EXPECT_EQ(good.exit_code, 0) << good;
  EXPECT_THAT(good.out, HasSubstr("tst_v1.json: ok"));
  EXPECT_THAT(good.out, HasSubstr("tst_v2.json: ok"));
}

TEST_F(StandardTest, NewVersionSupersedesTheOldOneUntilItsCessationDate) {
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "push", kV1).exit_code, 0);
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "publish", "TST@1").exit_code, 0);
  ProcessResult pushed = daemon_.RunCliAs(admin_, "standard", "push", kV2);
  ASSERT_EQ(pushed.exit_code, 0) << pushed;
  EXPECT_THAT(pushed.out, HasSubstr("pushed TST@2 (DRAFT)"));

  // Criterion by criterion: H1's premium bound changed, T1 is new, B1 and L1 did not change.
  ProcessResult diff = daemon_.RunCliAs(admin_, "standard", "diff", "TST@1", "TST@2");
  ASSERT_EQ(diff.exit_code, 0) << diff;
  EXPECT_THAT(diff.out, HasSubstr("~ H1 (harvest) changed"));
  EXPECT_THAT(diff.out, HasSubstr("grades.premium: max 24 -> 20"));
  EXPECT_THAT(diff.out, HasSubstr("+ T1 (harvest) added"));
  EXPECT_THAT(diff.out, Not(HasSubstr("B1")));
  EXPECT_THAT(diff.out, Not(HasSubstr("L1")));
  // The same diff works between files, offline.
  ProcessResult file_diff = RunSello("--server", "127.0.0.1:1", "standard", "diff", kV1, kV2);
  EXPECT_EQ(file_diff.exit_code, 0) << file_diff;
  EXPECT_THAT(file_diff.out, HasSubstr("grades.premium: max 24 -> 20"));

  ProcessResult past =
      daemon_.RunCliAs(admin_, "standard", "publish", "TST@2", "--cessation", "2001-01-01");
  EXPECT_EQ(past.exit_code, 5) << past;
  EXPECT_THAT(past.err, HasSubstr("previous_cessation_time"));

  ProcessResult published =
      daemon_.RunCliAs(admin_, "standard", "publish", "TST@2", "--cessation", "2099-06-30");
  ASSERT_EQ(published.exit_code, 0) << published;
  EXPECT_THAT(published.out, HasSubstr("published TST@2"));
  EXPECT_THAT(published.out, HasSubstr("superseded TST@1, acceptable until 2099-06-30"));

  const StandardVersion old_version =
      ParseJson<StandardVersion>(daemon_.RunCli("-o", "json", "standard", "show", "TST@1").out);
  EXPECT_EQ(old_version.status(), StandardVersion::SUPERSEDED);
  EXPECT_EQ(old_version.superseded_by(), 2u);
  EXPECT_EQ(old_version.cessation_time().seconds(), 4086460800);  // 2099-06-30T00:00:00Z
  const StandardVersion current =
      ParseJson<StandardVersion>(daemon_.RunCli("-o", "json", "standard", "show", "TST").out);
  EXPECT_EQ(current.version(), 2u);
  EXPECT_EQ(current.status(), StandardVersion::PUBLISHED);

  ProcessResult versions = daemon_.RunCli("standard", "versions", "TST");
  ASSERT_EQ(versions.exit_code, 0) << versions;
  EXPECT_THAT(versions.out, HasSubstr("SUPERSEDED"));
  EXPECT_THAT(versions.out, HasSubstr("2099-06-30"));

  // A published version is immutable: pushing it again names its state.
  ProcessResult repush = daemon_.RunCliAs(admin_, "standard", "push", kV2);
  EXPECT_EQ(repush.exit_code, 5) << repush;
  EXPECT_THAT(repush.err, HasSubstr("TST@2 is PUBLISHED"));
  ProcessResult push_old = daemon_.RunCliAs(admin_, "standard", "push", kV1);
  EXPECT_EQ(push_old.exit_code, 5) << push_old;
  EXPECT_THAT(push_old.err, HasSubstr("SUPERSEDED"));
  ProcessResult republish = daemon_.RunCliAs(admin_, "standard", "publish", "TST@2");
  EXPECT_EQ(republish.exit_code, 5) << republish;
  EXPECT_THAT(republish.err, HasSubstr("PUBLISHED"));

  ProcessResult withdrawn = daemon_.RunCliAs(admin_, "standard", "withdraw", "TST@1", "--reason",
                                             "replaced by the 2nd edition");
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn;
  const StandardVersion after =
      ParseJson<StandardVersion>(daemon_.RunCli("-o", "json", "standard", "show", "TST@1").out);
  EXPECT_EQ(after.status(), StandardVersion::WITHDRAWN);
  EXPECT_EQ(after.withdraw_reason(), "replaced by the 2nd edition");
  EXPECT_TRUE(after.has_withdraw_time());
  // The content of a withdrawn version stays readable and unchanged.
  ASSERT_EQ(after.stages_size(), 1);
  EXPECT_EQ(after.stages(0).criteria(0).grades().premium().max(), 24);
}

TEST_F(StandardTest, DraftsAreSeenByTheAssociationOnly) {
  ASSERT_EQ(daemon_
                .RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", "Salmones Sur",
                          "--id", "salmones-sur")
                .exit_code,
            0);
  const std::string firm = IssueToken("salmones-sur", "firm");
  ASSERT_FALSE(firm.empty());
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "push", kV1).exit_code, 0);

  ProcessResult as_firm = daemon_.RunCliAs(firm, "standard", "show", "TST@1");
  EXPECT_EQ(as_firm.exit_code, 4) << as_firm;
  EXPECT_THAT(as_firm.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(as_firm.err, HasSubstr("DRAFT"));
  ProcessResult listed_to_firm = daemon_.RunCliAs(firm, "standard", "list");
  EXPECT_EQ(listed_to_firm.exit_code, 0) << listed_to_firm;
  EXPECT_THAT(listed_to_firm.out, Not(HasSubstr("TST")));

  ProcessResult as_admin = daemon_.RunCliAs(admin_, "standard", "show", "TST@1");
  EXPECT_EQ(as_admin.exit_code, 0) << as_admin;
  EXPECT_THAT(as_admin.out, HasSubstr("DRAFT"));
  ProcessResult listed_to_admin = daemon_.RunCliAs(admin_, "standard", "list");
  EXPECT_EQ(listed_to_admin.exit_code, 0) << listed_to_admin;
  EXPECT_THAT(listed_to_admin.out, HasSubstr("TST"));

  // A FIRM may not publish; the draft stays a draft.
  ProcessResult firm_publish = daemon_.RunCliAs(firm, "standard", "publish", "TST@1");
  EXPECT_EQ(firm_publish.exit_code, 4) << firm_publish;
  EXPECT_THAT(firm_publish.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(ParseJson<StandardVersion>(
                daemon_.RunCliAs(admin_, "-o", "json", "standard", "show", "TST@1").out)
                .status(),
            StandardVersion::DRAFT);

  // Once published, the firm reads it.
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "publish", "TST@1").exit_code, 0);
  ProcessResult after = daemon_.RunCliAs(firm, "standard", "show", "TST@1");
  EXPECT_EQ(after.exit_code, 0) << after;
  EXPECT_THAT(after.out, HasSubstr("PUBLISHED"));
}

}  // namespace
}  // namespace sello::e2e
