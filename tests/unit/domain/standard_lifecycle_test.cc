#include "daemon/domain/standard_lifecycle.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using v1::Standard;
using v1::StandardVersion;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
const absl::Time kT1 = kT0 + absl::Hours(1);
const absl::Time kT2 = kT0 + absl::Hours(2);
const absl::Time kT3 = kT0 + absl::Hours(3);

// What an author pushes: content only.
StandardVersion Content(uint32_t number, const std::string& title = "") {
  StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(number);
  version.set_title(title.empty() ? absl::StrCat("Code v", number) : title);
  version.set_description("The code.");
  version.set_seal_validity_days(365);
  version.add_sealed_stages("harvest");  // kept as the author wrote it
  v1::Stage* stage = version.add_stages();
  stage->set_id("harvest");
  stage->set_name("Harvest");
  v1::Criterion* criterion = stage->add_criteria();
  criterion->set_id("H1");
  criterion->set_name("Label intact");
  criterion->set_kind(v1::Criterion::BOOLEAN);
  return version;
}

// A stored version of `number` in `status`, created at kT0.
StandardVersion Stored(uint32_t number, StandardVersion::Status status) {
  StandardVersion version = Content(number);
  version.set_status(status);
  *version.mutable_create_time() = ToProto(kT0);
  *version.mutable_update_time() = ToProto(kT0);
  if (status != StandardVersion::DRAFT) *version.mutable_publish_time() = ToProto(kT0);
  return version;
}

Standard Summary(uint32_t latest, uint32_t published) {
  Standard standard;
  standard.set_id("CSCS");
  standard.set_title(absl::StrCat("Code v", latest));
  standard.set_latest_version(latest);
  standard.set_published_version(published);
  *standard.mutable_create_time() = ToProto(kT0);
  *standard.mutable_update_time() = ToProto(kT0);
  return standard;
}

MATCHER_P(EqualsProto, expected, "") {
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(arg, expected)) return true;
  *result_listener << diff;
  return false;
}

// --- PlanPush ---

TEST(PlanPushTest, FirstVersionOfANewStandard) {
  const absl::StatusOr<PushResult> result = PlanPush(std::nullopt, std::nullopt, Content(1), kT1);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->created);

  StandardVersion expected_version = Content(1);
  expected_version.set_status(StandardVersion::DRAFT);
  *expected_version.mutable_create_time() = ToProto(kT1);
  *expected_version.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->version, EqualsProto(expected_version));

  Standard expected_standard;
  expected_standard.set_id("CSCS");
  expected_standard.set_title("Code v1");
  expected_standard.set_latest_version(1);
  expected_standard.set_published_version(0);
  *expected_standard.mutable_create_time() = ToProto(kT1);
  *expected_standard.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->standard, EqualsProto(expected_standard));
}

TEST(PlanPushTest, NewStandardMustStartAtVersionOne) {
  for (uint32_t number : {0u, 2u, 7u}) {
    const absl::StatusOr<PushResult> result =
        PlanPush(std::nullopt, std::nullopt, Content(number), kT1);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(result.status().message(),
              absl::StrCat("version ", number, ": the next version of CSCS is 1"));
  }
}

TEST(PlanPushTest, NextVersionOfAnExistingStandard) {
  const absl::StatusOr<PushResult> result =
      PlanPush(Summary(2, 1), std::nullopt, Content(3, "Revised code"), kT1);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->created);
  EXPECT_EQ(result->version.status(), StandardVersion::DRAFT);
  EXPECT_EQ(FromProto(result->version.create_time()), kT1);
  EXPECT_EQ(FromProto(result->version.update_time()), kT1);

  Standard expected = Summary(2, 1);
  expected.set_title("Revised code");
  expected.set_latest_version(3);
  *expected.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->standard, EqualsProto(expected));
}

TEST(PlanPushTest, VersionNumberMustBeTheNextOne) {
  for (uint32_t number : {0u, 1u, 2u, 4u, 10u}) {
    SCOPED_TRACE(number);
    const absl::StatusOr<PushResult> result =
        PlanPush(Summary(2, 1), std::nullopt, Content(number), kT1);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(result.status().message(),
              absl::StrCat("version ", number, ": the next version of CSCS is 3"));
  }
}

TEST(PlanPushTest, ReplacingADraftKeepsItsCreateTime) {
  const absl::StatusOr<PushResult> result =
      PlanPush(Summary(2, 1), Stored(2, StandardVersion::DRAFT), Content(2, "Better title"), kT2);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->created);

  StandardVersion expected_version = Content(2, "Better title");
  expected_version.set_status(StandardVersion::DRAFT);
  *expected_version.mutable_create_time() = ToProto(kT0);
  *expected_version.mutable_update_time() = ToProto(kT2);
  EXPECT_THAT(result->version, EqualsProto(expected_version));

  Standard expected_standard = Summary(2, 1);
  expected_standard.set_title("Better title");
  *expected_standard.mutable_update_time() = ToProto(kT2);
  EXPECT_THAT(result->standard, EqualsProto(expected_standard));
}

TEST(PlanPushTest, ReplacingAnOlderDraftKeepsTheNewestTitle) {
  const absl::StatusOr<PushResult> result =
      PlanPush(Summary(3, 1), Stored(2, StandardVersion::DRAFT), Content(2, "Old draft"), kT2);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->standard.title(), "Code v3");
  EXPECT_EQ(result->standard.latest_version(), 3u);
  EXPECT_EQ(result->version.title(), "Old draft");
}

TEST(PlanPushTest, OnlyADraftCanBeReplaced) {
  for (const auto status :
       {StandardVersion::PUBLISHED, StandardVersion::SUPERSEDED, StandardVersion::WITHDRAWN}) {
    SCOPED_TRACE(StandardVersion::Status_Name(status));
    const absl::StatusOr<PushResult> result =
        PlanPush(Summary(2, 1), Stored(1, status), Content(1), kT1);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(result.status().message(),
              absl::StrCat("CSCS@1 is ", StandardVersion::Status_Name(status),
                           "; push a new version instead"));
  }
}

TEST(PlanPushTest, ServerSetFieldsSentByTheAuthorAreCleared) {
  StandardVersion content = Content(1);
  content.set_status(StandardVersion::PUBLISHED);
  *content.mutable_create_time() = ToProto(kT3);
  *content.mutable_update_time() = ToProto(kT3);
  *content.mutable_publish_time() = ToProto(kT3);
  *content.mutable_cessation_time() = ToProto(kT3);
  content.set_superseded_by(9);
  *content.mutable_withdraw_time() = ToProto(kT3);
  content.set_withdraw_reason("because");

  const absl::StatusOr<PushResult> result = PlanPush(std::nullopt, std::nullopt, content, kT1);
  ASSERT_TRUE(result.ok()) << result.status();
  StandardVersion expected = Content(1);
  expected.set_status(StandardVersion::DRAFT);
  *expected.mutable_create_time() = ToProto(kT1);
  *expected.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->version, EqualsProto(expected));
}

TEST(PlanPushTest, RecordsOfAnotherStandardAreAnInternalError) {
  Standard other = Summary(1, 0);
  other.set_id("TOMATO");
  EXPECT_EQ(PlanPush(other, std::nullopt, Content(2), kT1).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(
      PlanPush(Summary(2, 0), Stored(1, StandardVersion::DRAFT), Content(2), kT1).status().code(),
      absl::StatusCode::kInternal);
  // A stored version of a standard that has no summary.
  EXPECT_EQ(
      PlanPush(std::nullopt, Stored(1, StandardVersion::DRAFT), Content(1), kT1).status().code(),
      absl::StatusCode::kInternal);
}

// --- PlanPublish ---

TEST(PlanPublishTest, FirstPublication) {
  const StandardVersion target = Stored(1, StandardVersion::DRAFT);
  const absl::StatusOr<PublishResult> result =
      PlanPublish(Summary(1, 0), target, std::nullopt, std::nullopt, kT1);
  ASSERT_TRUE(result.ok()) << result.status();

  StandardVersion expected = target;
  expected.set_status(StandardVersion::PUBLISHED);
  *expected.mutable_publish_time() = ToProto(kT1);
  *expected.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->published, EqualsProto(expected));
  EXPECT_FALSE(result->superseded.has_value());

  Standard expected_standard = Summary(1, 1);
  *expected_standard.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->standard, EqualsProto(expected_standard));
}

TEST(PlanPublishTest, SupersedesTheCurrentVersionWithTheDefaultTransition) {
  const StandardVersion current = Stored(1, StandardVersion::PUBLISHED);
  const absl::StatusOr<PublishResult> result =
      PlanPublish(Summary(2, 1), Stored(2, StandardVersion::DRAFT), current, std::nullopt, kT1);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->published.status(), StandardVersion::PUBLISHED);
  EXPECT_EQ(result->published.version(), 2u);
  EXPECT_EQ(result->standard.published_version(), 2u);

  ASSERT_TRUE(result->superseded.has_value());
  StandardVersion expected = current;
  expected.set_status(StandardVersion::SUPERSEDED);
  expected.set_superseded_by(2);
  *expected.mutable_cessation_time() = ToProto(kT1 + absl::Hours(24 * 180));
  *expected.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(*result->superseded, EqualsProto(expected));
}

TEST(PlanPublishTest, SupersedesAnOlderPublishedVersionOverSkippedDrafts) {
  const absl::StatusOr<PublishResult> result =
      PlanPublish(Summary(4, 1), Stored(4, StandardVersion::DRAFT),
                  Stored(1, StandardVersion::PUBLISHED), std::nullopt, kT1);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->superseded->superseded_by(), 4u);
  EXPECT_EQ(result->standard.published_version(), 4u);
}

TEST(PlanPublishTest, GivenCessationTime) {
  for (const absl::Time cessation : {kT1, kT3}) {  // now itself is not in the past
    const absl::StatusOr<PublishResult> result =
        PlanPublish(Summary(2, 1), Stored(2, StandardVersion::DRAFT),
                    Stored(1, StandardVersion::PUBLISHED), cessation, kT1);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(FromProto(result->superseded->cessation_time()), cessation);
  }
}

TEST(PlanPublishTest, CessationInThePastIsRefused) {
  const absl::StatusOr<PublishResult> result =
      PlanPublish(Summary(2, 1), Stored(2, StandardVersion::DRAFT),
                  Stored(1, StandardVersion::PUBLISHED), kT1 - absl::Seconds(1), kT1);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "previous_cessation_time: 2023-11-14T23:13:19Z lies in the past (now is "
            "2023-11-14T23:13:20Z)");
}

TEST(PlanPublishTest, OnlyADraftCanBePublished) {
  for (const auto status :
       {StandardVersion::PUBLISHED, StandardVersion::SUPERSEDED, StandardVersion::WITHDRAWN}) {
    SCOPED_TRACE(StandardVersion::Status_Name(status));
    const absl::StatusOr<PublishResult> result =
        PlanPublish(Summary(2, 0), Stored(2, status), std::nullopt, std::nullopt, kT1);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(result.status().message(),
              absl::StrCat("CSCS@2 is ", StandardVersion::Status_Name(status),
                           "; only a DRAFT can be published"));
  }
}

TEST(PlanPublishTest, TargetMustBeNewerThanThePublishedVersion) {
  const absl::StatusOr<PublishResult> result =
      PlanPublish(Summary(3, 3), Stored(2, StandardVersion::DRAFT),
                  Stored(3, StandardVersion::PUBLISHED), std::nullopt, kT1);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), "CSCS@2 is not newer than the PUBLISHED CSCS@3");
}

TEST(PlanPublishTest, InconsistentRecordsAreAnInternalError) {
  // The summary says 1 is published but no current version is given.
  EXPECT_EQ(
      PlanPublish(Summary(2, 1), Stored(2, StandardVersion::DRAFT), std::nullopt, std::nullopt, kT1)
          .status()
          .code(),
      absl::StatusCode::kInternal);
  // The "current" version is not PUBLISHED.
  EXPECT_EQ(PlanPublish(Summary(2, 1), Stored(2, StandardVersion::DRAFT),
                        Stored(1, StandardVersion::WITHDRAWN), std::nullopt, kT1)
                .status()
                .code(),
            absl::StatusCode::kInternal);
}

// --- PlanWithdraw ---

TEST(PlanWithdrawTest, WithdrawingThePublishedVersionLeavesNonePublished) {
  const StandardVersion target = Stored(2, StandardVersion::PUBLISHED);
  const absl::StatusOr<WithdrawResult> result =
      PlanWithdraw(Summary(2, 2), target, "Listeria criterion wrong", kT1);
  ASSERT_TRUE(result.ok()) << result.status();

  StandardVersion expected = target;
  expected.set_status(StandardVersion::WITHDRAWN);
  *expected.mutable_withdraw_time() = ToProto(kT1);
  expected.set_withdraw_reason("Listeria criterion wrong");
  *expected.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->withdrawn, EqualsProto(expected));

  Standard expected_standard = Summary(2, 0);
  *expected_standard.mutable_update_time() = ToProto(kT1);
  EXPECT_THAT(result->standard, EqualsProto(expected_standard));
}

TEST(PlanWithdrawTest, WithdrawingOtherVersionsKeepsThePublishedOne) {
  for (const auto& [number, status] : std::vector<std::pair<uint32_t, StandardVersion::Status>>{
           {3, StandardVersion::DRAFT}, {1, StandardVersion::SUPERSEDED}}) {
    SCOPED_TRACE(StandardVersion::Status_Name(status));
    StandardVersion target = Stored(number, status);
    if (status == StandardVersion::SUPERSEDED) {
      target.set_superseded_by(2);
      *target.mutable_cessation_time() = ToProto(kT3);
    }
    const absl::StatusOr<WithdrawResult> result =
        PlanWithdraw(Summary(3, 2), target, "mistake", kT1);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->withdrawn.status(), StandardVersion::WITHDRAWN);
    EXPECT_EQ(result->withdrawn.superseded_by(), target.superseded_by());
    EXPECT_EQ(FromProto(result->withdrawn.cessation_time()), FromProto(target.cessation_time()));
    EXPECT_EQ(result->standard.published_version(), 2u);
    EXPECT_EQ(result->standard.latest_version(), 3u);
    EXPECT_EQ(FromProto(result->standard.update_time()), kT1);
  }
}

TEST(PlanWithdrawTest, WithdrawnAgainIsRefused) {
  const absl::StatusOr<WithdrawResult> result =
      PlanWithdraw(Summary(2, 0), Stored(1, StandardVersion::WITHDRAWN), "again", kT1);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), "CSCS@1 is WITHDRAWN");
}

TEST(PlanWithdrawTest, ReasonIsRequired) {
  for (const char* reason : {"", "   ", "\n\t"}) {
    const absl::StatusOr<WithdrawResult> result =
        PlanWithdraw(Summary(1, 1), Stored(1, StandardVersion::PUBLISHED), reason, kT1);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().message(), "reason: required");
  }
}

TEST(PlanWithdrawTest, ReasonIsAtMostOneThousandCharacters) {
  const StandardVersion target = Stored(1, StandardVersion::PUBLISHED);
  const absl::StatusOr<WithdrawResult> ok =
      PlanWithdraw(Summary(1, 1), target, std::string(1000, 'r'), kT1);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->withdrawn.withdraw_reason(), std::string(1000, 'r'));

  const absl::StatusOr<WithdrawResult> too_long =
      PlanWithdraw(Summary(1, 1), target, std::string(1001, 'r'), kT1);
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.status().message(), "reason: must be at most 1000 characters (got 1001)");
}

TEST(PlanWithdrawTest, ReasonIsTrimmed) {
  const absl::StatusOr<WithdrawResult> result =
      PlanWithdraw(Summary(1, 1), Stored(1, StandardVersion::PUBLISHED), "  wrong limits\n", kT1);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->withdrawn.withdraw_reason(), "wrong limits");
}

// --- Every transition from every state ---

enum class Operation { kPush, kPublish, kWithdraw };

struct TransitionCase {
  Operation operation;
  StandardVersion::Status from;
  absl::StatusCode code;
  StandardVersion::Status to;  // when allowed
};

TEST(StandardLifecycleTest, EveryTransition) {
  using S = StandardVersion;
  const absl::StatusCode ok = absl::StatusCode::kOk;
  const absl::StatusCode refused = absl::StatusCode::kFailedPrecondition;
  const std::vector<TransitionCase> cases = {
      {Operation::kPush, S::DRAFT, ok, S::DRAFT},
      {Operation::kPush, S::PUBLISHED, refused, {}},
      {Operation::kPush, S::SUPERSEDED, refused, {}},
      {Operation::kPush, S::WITHDRAWN, refused, {}},
      {Operation::kPush, S::STATUS_UNSPECIFIED, refused, {}},
      {Operation::kPublish, S::DRAFT, ok, S::PUBLISHED},
      {Operation::kPublish, S::PUBLISHED, refused, {}},
      {Operation::kPublish, S::SUPERSEDED, refused, {}},
      {Operation::kPublish, S::WITHDRAWN, refused, {}},
      {Operation::kPublish, S::STATUS_UNSPECIFIED, refused, {}},
      {Operation::kWithdraw, S::DRAFT, ok, S::WITHDRAWN},
      {Operation::kWithdraw, S::PUBLISHED, ok, S::WITHDRAWN},
      {Operation::kWithdraw, S::SUPERSEDED, ok, S::WITHDRAWN},
      {Operation::kWithdraw, S::WITHDRAWN, refused, {}},
      {Operation::kWithdraw, S::STATUS_UNSPECIFIED, refused, {}},
  };
  for (const TransitionCase& test : cases) {
    SCOPED_TRACE(absl::StrCat("operation ", static_cast<int>(test.operation), " from ",
                              S::Status_Name(test.from)));
    // Version 2 in state `from`, of a standard whose summary agrees.
    const StandardVersion target = Stored(2, test.from);
    const uint32_t published = test.from == S::PUBLISHED ? 2 : 0;
    absl::Status status;
    S::Status result_status = S::STATUS_UNSPECIFIED;
    switch (test.operation) {
      case Operation::kPush: {
        const auto result = PlanPush(Summary(2, published), target, Content(2), kT1);
        status = result.status();
        if (result.ok()) result_status = result->version.status();
        break;
      }
      case Operation::kPublish: {
        const auto result =
            PlanPublish(Summary(2, published), target,
                        published ? std::optional(target) : std::nullopt, std::nullopt, kT1);
        status = result.status();
        if (result.ok()) result_status = result->published.status();
        break;
      }
      case Operation::kWithdraw: {
        const auto result = PlanWithdraw(Summary(2, published), target, "reason", kT1);
        status = result.status();
        if (result.ok()) result_status = result->withdrawn.status();
        break;
      }
    }
    EXPECT_EQ(status.code(), test.code) << status;
    if (test.code == ok) {
      EXPECT_EQ(result_status, test.to);
    } else {
      EXPECT_THAT(status.message(),
                  HasSubstr(absl::StrCat("CSCS@2 is ", S::Status_Name(test.from))));
    }
  }
}

TEST(StandardLifecycleTest, AStandardsLife) {
  // Push v1, replace it, publish it; push v2, publish it (v1 superseded); withdraw v2.
  auto push1 = PlanPush(std::nullopt, std::nullopt, Content(1), kT0);
  ASSERT_TRUE(push1.ok()) << push1.status();
  auto push1b = PlanPush(push1->standard, push1->version, Content(1, "Code, fixed"), kT0);
  ASSERT_TRUE(push1b.ok()) << push1b.status();
  auto publish1 = PlanPublish(push1b->standard, push1b->version, std::nullopt, std::nullopt, kT1);
  ASSERT_TRUE(publish1.ok()) << publish1.status();
  auto push2 = PlanPush(publish1->standard, std::nullopt, Content(2), kT1);
  ASSERT_TRUE(push2.ok()) << push2.status();
  auto publish2 = PlanPublish(push2->standard, push2->version, publish1->published, kT3, kT2);
  ASSERT_TRUE(publish2.ok()) << publish2.status();
  auto withdraw2 = PlanWithdraw(publish2->standard, publish2->published, "error", kT3);
  ASSERT_TRUE(withdraw2.ok()) << withdraw2.status();

  const Standard& standard = withdraw2->standard;
  EXPECT_EQ(standard.title(), "Code v2");
  EXPECT_EQ(standard.latest_version(), 2u);
  EXPECT_EQ(standard.published_version(), 0u);
  EXPECT_EQ(FromProto(standard.create_time()), kT0);
  EXPECT_EQ(FromProto(standard.update_time()), kT3);

  const StandardVersion& v1 = *publish2->superseded;
  EXPECT_EQ(v1.title(), "Code, fixed");
  EXPECT_EQ(v1.status(), StandardVersion::SUPERSEDED);
  EXPECT_EQ(FromProto(v1.publish_time()), kT1);
  EXPECT_EQ(FromProto(v1.cessation_time()), kT3);
  EXPECT_EQ(withdraw2->withdrawn.status(), StandardVersion::WITHDRAWN);
}

// --- IsAcceptableAt ---

struct AcceptableCase {
  StandardVersion::Status status;
  absl::Time at;
  bool acceptable;
};

TEST(IsAcceptableAtTest, FromPublicationUntilCessation) {
  // Published at kT1; superseded ones cease at kT2.
  using S = StandardVersion;
  const absl::Duration ns = absl::Nanoseconds(1);
  const std::vector<AcceptableCase> cases = {
      {S::DRAFT, kT1, false},           {S::PUBLISHED, kT1 - ns, false},
      {S::PUBLISHED, kT1, true},        {S::PUBLISHED, kT3 + absl::Hours(24 * 3650), true},
      {S::SUPERSEDED, kT1 - ns, false}, {S::SUPERSEDED, kT1, true},
      {S::SUPERSEDED, kT2 - ns, true},  {S::SUPERSEDED, kT2, false},
      {S::SUPERSEDED, kT3, false},      {S::WITHDRAWN, kT1, false},
      {S::WITHDRAWN, kT2 - ns, false},  {S::STATUS_UNSPECIFIED, kT1, false},
  };
  for (const AcceptableCase& test : cases) {
    SCOPED_TRACE(absl::StrCat(S::Status_Name(test.status), " at ", absl::FormatTime(test.at)));
    StandardVersion version = Content(1);
    version.set_status(test.status);
    *version.mutable_publish_time() = ToProto(kT1);
    *version.mutable_cessation_time() = ToProto(kT2);
    EXPECT_EQ(IsAcceptableAt(version, test.at), test.acceptable);
  }
}

TEST(VersionRefTest, Format) {
  EXPECT_EQ(VersionRef("CSCS", 2), "CSCS@2");
  EXPECT_EQ(VersionRef("TOMATO-PP", 12), "TOMATO-PP@12");
}

}  // namespace
}  // namespace sello::domain
