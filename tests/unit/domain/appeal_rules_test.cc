// The appeal state machine, transition by transition: who may move it, from which state,
// what each step records, how a re-inspection decides between UPHELD and OVERTURNED, and
// how an appeal otherwise ends (dismissed, withdrawn) or runs late (its deadline).
#include "daemon/domain/appeal_rules.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;
using v1::Appeal;
using v1::Inspection;

absl::Time Utc(int year, int month, int day, int hour = 0) {
  return absl::FromCivil(absl::CivilHour(year, month, day, hour), absl::UTCTimeZone());
}

const absl::Time kInspected = Utc(2026, 3, 2, 10);
const absl::Time kFiled = Utc(2026, 3, 10, 15);
const absl::Time kAssigned = Utc(2026, 3, 11, 9);
const absl::Time kResolved = Utc(2026, 3, 20, 12);

const Principal kFirm{"tok-f", "salmones-sur", v1::FIRM};
const Principal kOtherFirm{"tok-o", "fjord-foods", v1::FIRM};
const Principal kAdmin{"tok-a", "association", v1::ADMIN};
const Principal kOriginal{"tok-c", "cert-austral", v1::CERTIFIER};
const Principal kAssignee{"tok-n", "cert-norte", v1::CERTIFIER};
const Principal kRegulator{"tok-r", "servicio", v1::REGULATOR};

// cert-austral's GRADE_I inspection of salmones-sur's lot at calbuco.
Inspection Original() {
  Inspection inspection;
  inspection.set_id("insp-1");
  inspection.set_certifier_id("cert-austral");
  inspection.set_firm_id("salmones-sur");
  inspection.set_site_id("calbuco");
  inspection.set_lot_id("lot-1");
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(1);
  inspection.add_stages("harvest");
  inspection.add_stages("processing");
  *inspection.mutable_inspection_date() = ToProto(kInspected);
  inspection.set_outcome(Inspection::PASS);
  inspection.set_grade(v1::GRADE_I);
  inspection.set_status(Inspection::CURRENT);
  return inspection;
}

// cert-norte's re-inspection of the same lot, stages in another order, with `grade`
// (GRADE_UNSPECIFIED: FAIL).
Inspection Reinspection(v1::Grade grade, absl::Time date = kResolved) {
  Inspection inspection = Original();
  inspection.set_id("insp-2");
  inspection.set_certifier_id("cert-norte");
  inspection.clear_stages();
  inspection.add_stages("processing");
  inspection.add_stages("harvest");
  *inspection.mutable_inspection_date() = ToProto(date);
  inspection.set_outcome(grade == v1::GRADE_UNSPECIFIED ? Inspection::FAIL : Inspection::PASS);
  inspection.set_grade(grade);
  return inspection;
}

v1::Organisation Certifier(const std::string& id,
                           v1::Organisation::Kind kind = v1::Organisation::CERTIFIER) {
  v1::Organisation organisation;
  organisation.set_id(id);
  organisation.set_kind(kind);
  return organisation;
}

// An accreditation for all of CSCS through 2026.
std::vector<v1::Accreditation> AccreditedForCscs(const std::string& certifier) {
  v1::Accreditation accreditation;
  accreditation.set_id("acc-" + certifier);
  accreditation.set_certifier_id(certifier);
  accreditation.add_scope()->set_standard_id("CSCS");
  *accreditation.mutable_valid_from() = ToProto(Utc(2026, 1, 1));
  *accreditation.mutable_valid_until() = ToProto(Utc(2027, 1, 1));
  accreditation.set_status(v1::Accreditation::ACTIVE);
  return {accreditation};
}

Appeal Filed() {
  absl::StatusOr<Appeal> appeal =
      PlanAppeal(Original(), kFirm, "H1 timed on the wrong batch", {}, kFiled);
  EXPECT_TRUE(appeal.ok()) << appeal.status();
  appeal->set_id("apl-1");
  return *appeal;
}

Appeal Assigned() {
  Appeal appeal = Filed();
  EXPECT_TRUE(AssignAppeal(appeal, Certifier("cert-norte"), AccreditedForCscs("cert-norte"), "",
                           kAdmin, kAssigned)
                  .ok());
  return appeal;
}

void ExpectRefused(const absl::Status& status, absl::StatusCode code, const std::string& says) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(says));
}

TEST(PlanAppealTest, RecordsTheInspectionAndTheFilingStep) {
  const Appeal appeal = Filed();
  EXPECT_EQ(appeal.status(), Appeal::FILED);
  EXPECT_EQ(appeal.inspection_id(), "insp-1");
  EXPECT_EQ(appeal.firm_id(), "salmones-sur");
  EXPECT_EQ(appeal.lot_id(), "lot-1");
  EXPECT_EQ(appeal.original_certifier_id(), "cert-austral");
  EXPECT_EQ(appeal.original_grade(), v1::GRADE_I);
  EXPECT_EQ(FromProto(appeal.file_time()), kFiled);
  ASSERT_EQ(appeal.history_size(), 1);
  EXPECT_EQ(appeal.history(0).status(), Appeal::FILED);
  EXPECT_EQ(appeal.history(0).actor_organisation_id(), "salmones-sur");
  EXPECT_EQ(appeal.history(0).actor_role(), v1::FIRM);
  EXPECT_EQ(appeal.history(0).actor_token_id(), "tok-f");
  EXPECT_EQ(FromProto(appeal.history(0).time()), kFiled);
}

TEST(PlanAppealTest, RefusesEachIllegalFiling) {
  Inspection superseded = Original();
  superseded.set_status(Inspection::SUPERSEDED);
  superseded.set_superseded_by("insp-9");
  Inspection reinspection = Reinspection(v1::PREMIUM);
  reinspection.set_appeal_id("apl-0");
  Appeal open = Filed();
  Appeal decided = Filed();
  decided.set_status(Appeal::UPHELD);
  const struct {
    const char* what;
    Inspection inspection;
    Principal firm;
    std::string grounds;
    std::vector<Appeal> earlier;
    absl::StatusCode code;
    std::string says;
  } cases[] = {
      {"another firm's",
       Original(),
       kOtherFirm,
       "x",
       {},
       absl::StatusCode::kPermissionDenied,
       "a firm appeals only its own"},
      {"superseded",
       superseded,
       kFirm,
       "x",
       {},
       absl::StatusCode::kFailedPrecondition,
       "is SUPERSEDED by insp-9"},
      {"a re-inspection",
       reinspection,
       kFirm,
       "x",
       {},
       absl::StatusCode::kFailedPrecondition,
       "its result is final"},
      {"open appeal",
       Original(),
       kFirm,
       "x",
       {open},
       absl::StatusCode::kFailedPrecondition,
       "already under appeal: appeal apl-1 is FILED"},
      {"decided appeal",
       Original(),
       kFirm,
       "x",
       {decided},
       absl::StatusCode::kFailedPrecondition,
       "was appealed before: appeal apl-1 is UPHELD"},
      {"no grounds", Original(), kFirm, "", {}, absl::StatusCode::kInvalidArgument, "grounds"},
      {"grounds too long",
       Original(),
       kFirm,
       std::string(2001, 'x'),
       {},
       absl::StatusCode::kInvalidArgument,
       "grounds"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectRefused(PlanAppeal(c.inspection, c.firm, c.grounds, c.earlier, kFiled).status(), c.code,
                  c.says);
  }
}

TEST(AssignAppealTest, AssignsAndReassignsRecordingEachStep) {
  Appeal appeal = Assigned();
  EXPECT_EQ(appeal.status(), Appeal::ASSIGNED);
  EXPECT_EQ(appeal.assigned_certifier_id(), "cert-norte");
  ASSERT_EQ(appeal.history_size(), 2);
  EXPECT_EQ(appeal.history(1).certifier_id(), "cert-norte");
  EXPECT_EQ(appeal.history(1).actor_role(), v1::ADMIN);

  ASSERT_TRUE(AssignAppeal(appeal, Certifier("cert-tercera"), AccreditedForCscs("cert-tercera"),
                           "conflict of interest", kAdmin, kAssigned + absl::Hours(1))
                  .ok());
  EXPECT_EQ(appeal.assigned_certifier_id(), "cert-tercera");
  ASSERT_EQ(appeal.history_size(), 3);
  EXPECT_EQ(appeal.history(2).note(), "conflict of interest");
}

TEST(AssignAppealTest, RefusesEachIllegalAssignment) {
  Appeal resolved = Assigned();
  resolved.set_status(Appeal::OVERTURNED);
  std::vector<v1::Accreditation> suspended = AccreditedForCscs("cert-norte");
  suspended[0].set_status(v1::Accreditation::SUSPENDED);
  const struct {
    const char* what;
    Appeal appeal;
    v1::Organisation certifier;
    std::vector<v1::Accreditation> accreditations;
    std::string says;
  } cases[] = {
      {"the original certifier", Filed(), Certifier("cert-austral"),
       AccreditedForCscs("cert-austral"), "the original certifier can never re-inspect it"},
      {"a firm",
       Filed(),
       Certifier("salmones-sur", v1::Organisation::FIRM),
       {},
       "is a FIRM, not a CERTIFIER"},
      {"not accredited", Filed(), Certifier("cert-norte"), {}, "no accreditation"},
      {"suspended", Filed(), Certifier("cert-norte"), suspended, "SUSPENDED"},
      {"resolved", resolved, Certifier("cert-tercera"), AccreditedForCscs("cert-tercera"),
       "appeal apl-1 is OVERTURNED"},
      {"the same again", Assigned(), Certifier("cert-norte"), AccreditedForCscs("cert-norte"),
       "is ASSIGNED to cert-norte already"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Appeal appeal = c.appeal;
    const int steps = appeal.history_size();
    ExpectRefused(AssignAppeal(appeal, c.certifier, c.accreditations, "", kAdmin, kAssigned),
                  absl::StatusCode::kFailedPrecondition, c.says);
    EXPECT_EQ(appeal.history_size(), steps) << "a refused transition changes nothing";
  }
}

TEST(ResolveAppealTest, TheSameResultUpholdsADifferentOneOverturns) {
  const struct {
    const char* what;
    Inspection original;
    v1::Grade reinspected;  // GRADE_UNSPECIFIED: FAIL
    Appeal::Status expected;
  } cases[] = {
      {"same grade", Original(), v1::GRADE_I, Appeal::UPHELD},
      {"better grade", Original(), v1::PREMIUM, Appeal::OVERTURNED},
      {"worse grade", Original(), v1::INDUSTRIAL, Appeal::OVERTURNED},
      {"a pass fails", Original(), v1::GRADE_UNSPECIFIED, Appeal::OVERTURNED},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Appeal appeal = Assigned();
    Inspection original = c.original;
    Inspection reinspection = Reinspection(c.reinspected);
    ASSERT_TRUE(ResolveAppeal(appeal, original, reinspection, kAssignee, kResolved).ok());
    EXPECT_EQ(appeal.status(), c.expected);
    EXPECT_EQ(appeal.reinspection_id(), "insp-2");
    EXPECT_EQ(reinspection.appeal_id(), "apl-1");
    ASSERT_EQ(appeal.history_size(), 3);
    EXPECT_EQ(appeal.history(2).status(), c.expected);
    EXPECT_EQ(appeal.history(2).actor_organisation_id(), "cert-norte");
    EXPECT_EQ(FromProto(appeal.history(2).time()), kResolved);
    const bool overturned = c.expected == Appeal::OVERTURNED;
    EXPECT_EQ(original.status(), overturned ? Inspection::SUPERSEDED : Inspection::CURRENT);
    EXPECT_EQ(original.superseded_by(), overturned ? "insp-2" : "");
    EXPECT_EQ(reinspection.supersedes(), overturned ? "insp-1" : "");
  }
}

TEST(ResolveAppealTest, TwoFailsAgreeWhateverTheirCriteria) {
  Inspection failed = Original();
  failed.set_outcome(Inspection::FAIL);
  failed.set_grade(v1::GRADE_UNSPECIFIED);
  Appeal appeal = Assigned();
  Inspection reinspection = Reinspection(v1::GRADE_UNSPECIFIED);
  ASSERT_TRUE(ResolveAppeal(appeal, failed, reinspection, kAssignee, kResolved).ok());
  EXPECT_EQ(appeal.status(), Appeal::UPHELD);
}

TEST(ResolveAppealTest, RefusesEachIllegalResolution) {
  Appeal resolved = Assigned();
  {
    Inspection original = Original();
    Inspection reinspection = Reinspection(v1::PREMIUM);
    ASSERT_TRUE(ResolveAppeal(resolved, original, reinspection, kAssignee, kResolved).ok());
  }
  Inspection superseded = Original();
  superseded.set_status(Inspection::SUPERSEDED);
  Inspection other_lot = Reinspection(v1::GRADE_I);
  other_lot.set_lot_id("lot-2");
  Inspection other_version = Reinspection(v1::GRADE_I);
  other_version.set_standard_version(2);
  Inspection fewer_stages = Reinspection(v1::GRADE_I);
  fewer_stages.mutable_stages()->RemoveLast();
  const struct {
    const char* what;
    Appeal appeal;
    Inspection original;
    Inspection reinspection;
    Principal actor;
    absl::StatusCode code;
    std::string says;
  } cases[] = {
      {"not yet assigned", Filed(), Original(), Reinspection(v1::GRADE_I), kAssignee,
       absl::StatusCode::kFailedPrecondition, "appeal apl-1 is FILED"},
      {"resolved twice", resolved, Original(), Reinspection(v1::GRADE_I), kAssignee,
       absl::StatusCode::kFailedPrecondition, "appeal apl-1 is OVERTURNED"},
      {"by the original certifier", Assigned(), Original(), Reinspection(v1::GRADE_I), kOriginal,
       absl::StatusCode::kPermissionDenied, "is assigned to cert-norte"},
      {"original no longer current", Assigned(), superseded, Reinspection(v1::GRADE_I), kAssignee,
       absl::StatusCode::kFailedPrecondition, "is SUPERSEDED"},
      {"another lot", Assigned(), Original(), other_lot, kAssignee,
       absl::StatusCode::kFailedPrecondition, "reinspection.lot_id"},
      {"another version", Assigned(), Original(), other_version, kAssignee,
       absl::StatusCode::kFailedPrecondition, "reinspection.standard_version: must be CSCS@1"},
      {"fewer stages", Assigned(), Original(), fewer_stages, kAssignee,
       absl::StatusCode::kFailedPrecondition, "reinspection.stages"},
      {"dated before the filing day", Assigned(), Original(),
       Reinspection(v1::GRADE_I, Utc(2026, 3, 9, 23)), kAssignee,
       absl::StatusCode::kFailedPrecondition, "reinspection.inspection_date"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Appeal appeal = c.appeal;
    Inspection original = c.original;
    Inspection reinspection = c.reinspection;
    const Appeal before = appeal;
    ExpectRefused(ResolveAppeal(appeal, original, reinspection, c.actor, kResolved), c.code,
                  c.says);
    EXPECT_EQ(appeal.SerializeAsString(), before.SerializeAsString())
        << "a refused transition changes nothing";
    EXPECT_EQ(original.status(), c.original.status());
  }
}

TEST(ResolveAppealTest, AReinspectionOnTheFilingDayCounts) {
  Appeal appeal = Assigned();
  Inspection original = Original();
  Inspection reinspection = Reinspection(v1::GRADE_I, Utc(2026, 3, 10, 0));
  EXPECT_TRUE(ResolveAppeal(appeal, original, reinspection, kAssignee, kResolved).ok());
}

TEST(CheckMayCorrectTest, WaitsWhileAnAppealIsOpen) {
  EXPECT_TRUE(CheckMayCorrect(Original(), {}).ok());
  ExpectRefused(CheckMayCorrect(Original(), {Assigned()}), absl::StatusCode::kFailedPrecondition,
                "is under appeal: appeal apl-1 is ASSIGNED");
  Appeal upheld = Assigned();
  upheld.set_status(Appeal::UPHELD);
  EXPECT_TRUE(CheckMayCorrect(Original(), {upheld}).ok());
}

TEST(CanReadAppealTest, OnlyThePartiesAndTheOverseers) {
  const Appeal appeal = Assigned();
  EXPECT_TRUE(CanReadAppeal(appeal, kFirm));
  EXPECT_TRUE(CanReadAppeal(appeal, kOriginal));
  EXPECT_TRUE(CanReadAppeal(appeal, kAssignee));
  EXPECT_TRUE(CanReadAppeal(appeal, kAdmin));
  EXPECT_TRUE(CanReadAppeal(appeal, kRegulator));
  EXPECT_FALSE(CanReadAppeal(appeal, kOtherFirm));
  EXPECT_FALSE(CanReadAppeal(appeal, Principal{"tok-t", "cert-tercera", v1::CERTIFIER}));
  EXPECT_FALSE(CanReadAppeal(appeal, Principal{}));
}

// An appeal in each state the machine knows.
Appeal InState(Appeal::Status status) {
  switch (status) {
    case Appeal::FILED:
      return Filed();
    case Appeal::ASSIGNED:
      return Assigned();
    case Appeal::UPHELD:
    case Appeal::OVERTURNED: {
      Appeal appeal = Assigned();
      Inspection original = Original();
      Inspection reinspection = Reinspection(status == Appeal::UPHELD ? v1::GRADE_I : v1::PREMIUM);
      EXPECT_TRUE(ResolveAppeal(appeal, original, reinspection, kAssignee, kResolved).ok());
      return appeal;
    }
    case Appeal::DISMISSED: {
      Appeal appeal = Filed();
      EXPECT_TRUE(DismissAppeal(appeal, "out of scope", kAdmin, kAssigned).ok());
      return appeal;
    }
    case Appeal::WITHDRAWN: {
      Appeal appeal = Filed();
      EXPECT_TRUE(WithdrawAppeal(appeal, "", kFirm, kAssigned).ok());
      return appeal;
    }
    default:
      ADD_FAILURE() << "no appeal in state " << status;
      return Appeal();
  }
}

TEST(PlanAppealTest, SetsTheDeadlineAtFiling) {
  EXPECT_EQ(FromProto(Filed().deadline()), kFiled + kDefaultAppealDeadline);
  absl::StatusOr<Appeal> quick =
      PlanAppeal(Original(), kFirm, "urgent", {}, kFiled, absl::Hours(24 * 7));
  ASSERT_TRUE(quick.ok()) << quick.status();
  EXPECT_EQ(FromProto(quick->deadline()), kFiled + absl::Hours(24 * 7));
}

TEST(PlanAppealTest, AnAppealIsFiledOnceHoweverItEnded) {
  for (Appeal::Status ended : {Appeal::DISMISSED, Appeal::WITHDRAWN}) {
    SCOPED_TRACE(Appeal::Status_Name(ended));
    ExpectRefused(
        PlanAppeal(Original(), kFirm, "again", {InState(ended)}, kResolved).status(),
        absl::StatusCode::kFailedPrecondition,
        absl::StrCat("was appealed before: appeal apl-1 is ", Appeal::Status_Name(ended)));
  }
}

TEST(DismissAppealTest, AdminDismissesOnlyBeforeAssignment) {
  const struct {
    Appeal::Status from;
    absl::StatusCode code;  // kOk: dismissed
    std::string says;
  } cases[] = {
      {Appeal::FILED, absl::StatusCode::kOk, ""},
      {Appeal::ASSIGNED, absl::StatusCode::kFailedPrecondition,
       "appeal apl-1 is ASSIGNED to cert-norte; an assigned appeal is decided by its "
       "re-inspection"},
      {Appeal::UPHELD, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is UPHELD"},
      {Appeal::OVERTURNED, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is OVERTURNED"},
      {Appeal::DISMISSED, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is DISMISSED"},
      {Appeal::WITHDRAWN, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is WITHDRAWN"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(Appeal::Status_Name(c.from));
    Appeal appeal = InState(c.from);
    const Appeal before = appeal;
    const absl::Status status = DismissAppeal(appeal, "filed outside the rules", kAdmin, kResolved);
    if (c.code != absl::StatusCode::kOk) {
      ExpectRefused(status, c.code, c.says);
      EXPECT_EQ(appeal.SerializeAsString(), before.SerializeAsString())
          << "a refused transition changes nothing";
      continue;
    }
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(appeal.status(), Appeal::DISMISSED);
    EXPECT_FALSE(IsOpenAppeal(appeal));
    EXPECT_EQ(FromProto(appeal.update_time()), kResolved);
    ASSERT_EQ(appeal.history_size(), before.history_size() + 1);
    const v1::AppealStep& step = appeal.history(appeal.history_size() - 1);
    EXPECT_EQ(step.status(), Appeal::DISMISSED);
    EXPECT_EQ(step.actor_organisation_id(), "association");
    EXPECT_EQ(step.actor_role(), v1::ADMIN);
    EXPECT_EQ(step.actor_token_id(), "tok-a");
    EXPECT_EQ(step.note(), "filed outside the rules");
    EXPECT_EQ(FromProto(step.time()), kResolved);
  }
}

TEST(DismissAppealTest, NeedsAReason) {
  for (const std::string& reason : {std::string(), std::string(2001, 'x')}) {
    Appeal appeal = Filed();
    ExpectRefused(DismissAppeal(appeal, reason, kAdmin, kResolved),
                  absl::StatusCode::kInvalidArgument, "reason");
    EXPECT_EQ(appeal.status(), Appeal::FILED);
  }
}

TEST(WithdrawAppealTest, TheFirmWithdrawsItsOwnBeforeResolution) {
  const struct {
    Appeal::Status from;
    absl::StatusCode code;  // kOk: withdrawn
    std::string says;
  } cases[] = {
      {Appeal::FILED, absl::StatusCode::kOk, ""},
      {Appeal::ASSIGNED, absl::StatusCode::kOk, ""},
      {Appeal::UPHELD, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is UPHELD"},
      {Appeal::OVERTURNED, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is OVERTURNED"},
      {Appeal::DISMISSED, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is DISMISSED"},
      {Appeal::WITHDRAWN, absl::StatusCode::kFailedPrecondition, "appeal apl-1 is WITHDRAWN"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(Appeal::Status_Name(c.from));
    Appeal appeal = InState(c.from);
    const Appeal before = appeal;
    const absl::Status status = WithdrawAppeal(appeal, "settled with the buyer", kFirm, kResolved);
    if (c.code != absl::StatusCode::kOk) {
      ExpectRefused(status, c.code, c.says);
      EXPECT_EQ(appeal.SerializeAsString(), before.SerializeAsString());
      continue;
    }
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(appeal.status(), Appeal::WITHDRAWN);
    EXPECT_FALSE(IsOpenAppeal(appeal));
    // The inspection may be corrected again: nothing is waiting for a re-inspection.
    EXPECT_TRUE(CheckMayCorrect(Original(), {appeal}).ok());
    const v1::AppealStep& step = appeal.history(appeal.history_size() - 1);
    EXPECT_EQ(step.status(), Appeal::WITHDRAWN);
    EXPECT_EQ(step.actor_organisation_id(), "salmones-sur");
    EXPECT_EQ(step.actor_role(), v1::FIRM);
    EXPECT_EQ(step.note(), "settled with the buyer");
  }
}

TEST(WithdrawAppealTest, NobodyElseWithdrawsItAndLearnsNothingOfItsState) {
  for (const Principal& actor : {kOtherFirm, kAdmin, kOriginal, kAssignee, kRegulator}) {
    for (Appeal::Status from : {Appeal::FILED, Appeal::ASSIGNED, Appeal::UPHELD}) {
      SCOPED_TRACE(absl::StrCat(actor.organisation_id, " on ", Appeal::Status_Name(from)));
      Appeal appeal = InState(from);
      const absl::Status status = WithdrawAppeal(appeal, "", actor, kResolved);
      ExpectRefused(status, absl::StatusCode::kPermissionDenied, "a firm withdraws only its own");
      EXPECT_THAT(std::string(status.message()),
                  ::testing::Not(HasSubstr(Appeal::Status_Name(from))));
      EXPECT_EQ(appeal.status(), from);
    }
  }
  Appeal appeal = Filed();
  ExpectRefused(WithdrawAppeal(appeal, std::string(2001, 'x'), kFirm, kResolved),
                absl::StatusCode::kInvalidArgument, "reason");
}

TEST(IsOverdueTest, OpenPastItsDeadline) {
  const absl::Time deadline = kFiled + kDefaultAppealDeadline;
  Appeal legacy = Filed();
  legacy.clear_deadline();
  const struct {
    const char* what;
    Appeal appeal;
    absl::Time now;
    bool overdue;
  } cases[] = {
      {"filed, before the deadline", Filed(), deadline - absl::Seconds(1), false},
      {"filed, at the deadline", Filed(), deadline, false},
      {"filed, past the deadline", Filed(), deadline + absl::Seconds(1), true},
      {"assigned, past the deadline", Assigned(), deadline + absl::Hours(1), true},
      {"upheld, past the deadline", InState(Appeal::UPHELD), deadline + absl::Hours(1), false},
      {"dismissed, past the deadline", InState(Appeal::DISMISSED), deadline + absl::Hours(1),
       false},
      {"withdrawn, past the deadline", InState(Appeal::WITHDRAWN), deadline + absl::Hours(1),
       false},
      {"filed before deadlines existed", legacy, deadline + absl::Hours(1000), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsOverdue(c.appeal, c.now), c.overdue) << c.what;
  }
}

TEST(ClosedAppealTest, IsNeitherAssignedNorResolvedAgain) {
  for (Appeal::Status ended : {Appeal::DISMISSED, Appeal::WITHDRAWN}) {
    SCOPED_TRACE(Appeal::Status_Name(ended));
    Appeal appeal = InState(ended);
    ExpectRefused(AssignAppeal(appeal, Certifier("cert-norte"), AccreditedForCscs("cert-norte"), "",
                               kAdmin, kResolved),
                  absl::StatusCode::kFailedPrecondition, "a closed appeal is not reassigned");
    const absl::Status resolve = CheckMayResolve(appeal, kAssignee);
    ExpectRefused(resolve, absl::StatusCode::kFailedPrecondition,
                  absl::StrCat("appeal apl-1 is ", Appeal::Status_Name(ended),
                               "; an appeal is resolved once"));
  }
}

}  // namespace
}  // namespace sello::domain
