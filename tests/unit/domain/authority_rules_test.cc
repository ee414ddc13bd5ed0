// Who may undo what (seal_rules.h: authorities over seals), who may seal today
// (accreditation_rules.h), and what withdrawing a standard version entails
// (withdrawal_rules.h): table tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/seal_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/domain/withdrawal_rules.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using v1::Accreditation;
using v1::Seal;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 26, 10, 0, 0), absl::UTCTimeZone());

// A seal of CERT-1 in `status`, its last change decided by `decided` (nullopt: never
// changed, or changed before decisions were recorded).
Seal SealIn(Seal::Status status, std::optional<v1::SealAuthority> decided,
            v1::SealChangeCause cause = v1::MANUAL) {
  Seal seal;
  seal.set_code("CSCS-7KQ2M-9XDF3-H");
  seal.set_certifier_id("CERT-1");
  seal.set_status(status);
  if (decided.has_value()) {
    seal.mutable_status_decision()->set_authority(*decided);
    seal.mutable_status_decision()->set_cause(cause);
  }
  return seal;
}

// The whole table of changes: (status, who decided it, target, who acts) -> outcome.
TEST(SealAuthorityTest, AChangeIsUndoneOnlyByAnAuthorityAtLeastAsHigh) {
  enum Outcome { kChanges, kNothingToDo, kOutranked, kIllegal };
  struct Case {
    Seal::Status from;
    std::optional<v1::SealAuthority> decided;
    Seal::Status target;
    v1::SealAuthority acting;
    Outcome outcome;
  };
  const auto I = v1::ISSUER;
  const auto A = v1::ASSOCIATION;
  const std::vector<Case> cases = {
      // Suspending a valid seal: anyone who may change it.
      {Seal::VALID, std::nullopt, Seal::SUSPENDED, I, kChanges},
      {Seal::VALID, std::nullopt, Seal::SUSPENDED, A, kChanges},
      {Seal::VALID, I, Seal::SUSPENDED, I, kChanges},  // reinstated by the issuer before
      // Reinstating: at least the authority that suspended it.
      {Seal::SUSPENDED, I, Seal::VALID, I, kChanges},
      {Seal::SUSPENDED, I, Seal::VALID, A, kChanges},
      {Seal::SUSPENDED, A, Seal::VALID, I, kOutranked},
      {Seal::SUSPENDED, A, Seal::VALID, A, kChanges},
      // A suspension recorded before authorities were counts as the association's.
      {Seal::SUSPENDED, std::nullopt, Seal::VALID, I, kOutranked},
      {Seal::SUSPENDED, std::nullopt, Seal::VALID, A, kChanges},
      // Suspended again: recorded only when the authority is higher.
      {Seal::SUSPENDED, I, Seal::SUSPENDED, I, kNothingToDo},
      {Seal::SUSPENDED, I, Seal::SUSPENDED, A, kChanges},
      {Seal::SUSPENDED, A, Seal::SUSPENDED, I, kNothingToDo},
      {Seal::SUSPENDED, A, Seal::SUSPENDED, A, kNothingToDo},
      // Revoking undoes nothing: allowed whoever suspended it.
      {Seal::VALID, std::nullopt, Seal::REVOKED, I, kChanges},
      {Seal::SUSPENDED, A, Seal::REVOKED, I, kChanges},
      {Seal::SUSPENDED, I, Seal::REVOKED, A, kChanges},
      // Nothing comes back from REVOKED, whoever asks.
      {Seal::REVOKED, I, Seal::VALID, A, kIllegal},
      {Seal::REVOKED, A, Seal::SUSPENDED, A, kIllegal},
      {Seal::REVOKED, I, Seal::REVOKED, A, kNothingToDo},
      {Seal::VALID, std::nullopt, Seal::VALID, I, kNothingToDo},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(Seal::Status_Name(c.from), " decided by ",
                              c.decided ? v1::SealAuthority_Name(*c.decided) : "nobody", " -> ",
                              Seal::Status_Name(c.target), " by ",
                              v1::SealAuthority_Name(c.acting)));
    const absl::StatusOr<bool> change =
        CheckSealChange(SealIn(c.from, c.decided, v1::APPEAL_OVERTURNED), c.target, c.acting);
    switch (c.outcome) {
      case kChanges:
        ASSERT_TRUE(change.ok()) << change.status();
        EXPECT_TRUE(*change);
        break;
      case kNothingToDo:
        ASSERT_TRUE(change.ok()) << change.status();
        EXPECT_FALSE(*change);
        break;
      case kOutranked:
        EXPECT_EQ(change.status().code(), absl::StatusCode::kPermissionDenied) << change.status();
        EXPECT_THAT(std::string(change.status().message()),
                    HasSubstr("only an authority at least as high may reinstate it"));
        break;
      case kIllegal:
        EXPECT_EQ(change.status().code(), absl::StatusCode::kFailedPrecondition) << change.status();
        EXPECT_THAT(std::string(change.status().message()), HasSubstr("is REVOKED"));
        break;
    }
  }
}

TEST(SealAuthorityTest, TheRefusalNamesWhoDecidedAndWhy) {
  const std::vector<std::pair<v1::SealChangeCause, std::string>> causes = {
      {v1::MANUAL, "suspended by the association;"},
      {v1::APPEAL_OVERTURNED, "the association (an appeal was overturned)"},
      {v1::ACCREDITATION_SUSPENDED, "the association (the issuer's accreditation was suspended)"},
      {v1::ACCREDITATION_WITHDRAWN, "the association (the issuer's accreditation was withdrawn)"},
      {v1::STANDARD_WITHDRAWN, "the association (the standard version was withdrawn)"},
  };
  for (const auto& [cause, text] : causes) {
    SCOPED_TRACE(v1::SealChangeCause_Name(cause));
    const absl::StatusOr<bool> change =
        CheckSealChange(SealIn(Seal::SUSPENDED, v1::ASSOCIATION, cause), Seal::VALID, v1::ISSUER);
    EXPECT_THAT(std::string(change.status().message()), HasSubstr(text));
  }
}

TEST(SealAuthorityTest, AuthorityOverASeal) {
  const Seal seal = SealIn(Seal::VALID, std::nullopt);
  struct Case {
    v1::Role role;
    std::string organisation;
    std::optional<v1::SealAuthority> authority;
  };
  const std::vector<Case> cases = {
      {v1::ADMIN, "assoc", v1::ASSOCIATION},
      {v1::CERTIFIER, "CERT-1", v1::ISSUER},
      {v1::CERTIFIER, "CERT-2", std::nullopt},
      {v1::CERTIFIER, "", std::nullopt},
      {v1::FIRM, "CERT-1", std::nullopt},
      {v1::REGULATOR, "agency", std::nullopt},
      {v1::ROLE_UNSPECIFIED, "CERT-1", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(v1::Role_Name(c.role), " ", c.organisation));
    EXPECT_EQ(AuthorityOver(seal, Principal{"tok", c.organisation, c.role}), c.authority);
  }
}

TEST(SealAuthorityTest, ApplyRecordsWhoWithWhichAuthorityAndWhy) {
  Seal seal = SealIn(Seal::VALID, std::nullopt);
  ApplySealChange(seal, Seal::SUSPENDED, "accreditation acc-1 suspended: complaint",
                  v1::ASSOCIATION, v1::ACCREDITATION_SUSPENDED,
                  Principal{"tok-9", "assoc", v1::ADMIN}, kNow);
  EXPECT_EQ(seal.status(), Seal::SUSPENDED);
  EXPECT_EQ(seal.status_reason(), "accreditation acc-1 suspended: complaint");
  EXPECT_EQ(seal.status_decision().authority(), v1::ASSOCIATION);
  EXPECT_EQ(seal.status_decision().cause(), v1::ACCREDITATION_SUSPENDED);
  EXPECT_EQ(seal.status_decision().actor_organisation_id(), "assoc");
  EXPECT_EQ(seal.status_decision().actor_role(), v1::ADMIN);
  EXPECT_EQ(FromProto(seal.status_decision().time()), kNow);
  EXPECT_EQ(DecidingAuthority(seal), v1::ASSOCIATION);
  EXPECT_EQ(DecidingAuthority(SealIn(Seal::SUSPENDED, std::nullopt)), v1::ASSOCIATION);
  EXPECT_EQ(DecidingAuthority(SealIn(Seal::SUSPENDED, v1::ISSUER)), v1::ISSUER);
}

TEST(SealAuthorityTest, WhoActedIsReadByThePartiesOnly) {
  Seal seal = SealIn(Seal::SUSPENDED, v1::ASSOCIATION, v1::APPEAL_OVERTURNED);
  seal.set_firm_id("firm-1");
  seal.mutable_status_decision()->set_actor_organisation_id("CERT-9");
  seal.mutable_status_decision()->set_actor_role(v1::CERTIFIER);
  seal.set_status_reason("appeal apl-3 overturned: inspection insp-2 FAILed on P4");
  const Principal admin{"t", "assoc", v1::ADMIN};
  const Principal regulator{"t", "agency", v1::REGULATOR};
  const Principal firm{"t", "firm-1", v1::FIRM};
  const Principal other_firm{"t", "firm-2", v1::FIRM};
  const Principal issuer{"t", "CERT-1", v1::CERTIFIER};
  const Principal rival{"t", "CERT-2", v1::CERTIFIER};
  struct Case {
    std::string name;
    const Principal* reader;
    bool sees_actor;
  };
  const std::vector<Case> cases = {
      {"anonymous", nullptr, false},        {"ADMIN", &admin, true},
      {"REGULATOR", &regulator, true},      {"its firm", &firm, true},
      {"another firm", &other_firm, false}, {"its issuer", &issuer, true},
      {"another certifier", &rival, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Seal shown = seal;
    RedactSealDecision(c.reader, shown);
    EXPECT_EQ(shown.status_decision().actor_organisation_id(), c.sees_actor ? "CERT-9" : "");
    // Why it is suspended is everyone's to know.
    EXPECT_EQ(shown.status_decision().authority(), v1::ASSOCIATION);
    EXPECT_EQ(shown.status_decision().cause(), v1::APPEAL_OVERTURNED);
    // The rule's own words name an appeal, an inspection and a criterion: the parties'.
    EXPECT_EQ(shown.status_reason(), c.sees_actor
                                         ? "appeal apl-3 overturned: inspection insp-2 FAILed on P4"
                                         : "decided by the association (an appeal was overturned)");
  }
  // A reason typed by hand is public as written.
  Seal manual = SealIn(Seal::SUSPENDED, v1::ISSUER, v1::MANUAL);
  manual.set_status_reason("under investigation");
  RedactSealDecision(nullptr, manual);
  EXPECT_EQ(manual.status_reason(), "under investigation");
}

// ---------------------------------------------------------------------------------------
// Sealing needs an accreditation in force today.

Accreditation AccreditationOf(const std::string& id, Accreditation::Status status,
                              std::vector<std::string> stages = {}) {
  Accreditation accreditation;
  accreditation.set_id(id);
  accreditation.set_certifier_id("CERT-1");
  v1::AccreditationScope* scope = accreditation.add_scope();
  scope->set_standard_id("CSCS");
  for (std::string& stage : stages) scope->add_stage_ids(std::move(stage));
  *accreditation.mutable_valid_from() = ToProto(kNow - absl::Hours(24 * 365));
  *accreditation.mutable_valid_until() = ToProto(kNow + absl::Hours(24 * 365));
  accreditation.set_status(Accreditation::ACTIVE);
  accreditation.set_status_reason("accredited");
  v1::AccreditationStatusChange* first = accreditation.add_history();
  first->set_status(Accreditation::ACTIVE);
  *first->mutable_time() = ToProto(kNow - absl::Hours(24 * 365));
  if (status != Accreditation::ACTIVE) {
    EXPECT_TRUE(ChangeAccreditationStatus(accreditation, status, "complaint under review",
                                          kNow - absl::Hours(1))
                    .ok());
  }
  return accreditation;
}

TEST(SealIssuerAccreditationTest, ActiveInScopeAndValidTodayOrRefusedNamingIt) {
  Accreditation expired = AccreditationOf("acc-old", Accreditation::ACTIVE);
  *expired.mutable_valid_until() = ToProto(kNow - absl::Hours(24));
  Accreditation future = AccreditationOf("acc-next", Accreditation::ACTIVE);
  *future.mutable_valid_from() = ToProto(kNow + absl::Hours(24));
  struct Case {
    std::string name;
    std::vector<Accreditation> accreditations;
    std::vector<std::string> stages;
    std::string refusal;  // empty: may seal
  };
  const std::vector<Case> cases = {
      {"active", {AccreditationOf("acc-1", Accreditation::ACTIVE)}, {"harvest"}, ""},
      {"active for the stages",
       {AccreditationOf("acc-1", Accreditation::ACTIVE, {"harvest", "processing"})},
       {"harvest", "processing"},
       ""},
      {"suspended",
       {AccreditationOf("acc-1", Accreditation::SUSPENDED)},
       {"harvest"},
       "certifier may not issue seals: accreditation acc-1 is SUSPENDED (complaint under review)"},
      {"withdrawn",
       {AccreditationOf("acc-1", Accreditation::WITHDRAWN)},
       {"harvest"},
       "certifier may not issue seals: accreditation acc-1 is WITHDRAWN"},
      {"expired", {expired}, {"harvest"}, "accreditation acc-old is EXPIRED (valid until "},
      {"not yet valid", {future}, {"harvest"}, "accreditation acc-next is not valid until "},
      {"a stage outside the scope",
       {AccreditationOf("acc-1", Accreditation::ACTIVE, {"harvest"})},
       {"harvest", "processing"},
       "stage processing is outside the scope of accreditation acc-1"},
      {"none for the standard", {}, {"harvest"}, "no accreditation for standard CSCS"},
      {"an old one expired, a new one active",
       {expired, AccreditationOf("acc-new", Accreditation::ACTIVE)},
       {"harvest"},
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = CheckMayIssueSeals(c.accreditations, "CSCS", c.stages, kNow);
    if (c.refusal.empty()) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
      EXPECT_THAT(std::string(status.message()), HasSubstr(c.refusal));
    }
  }
}

// Suspended after the inspection: the inspection stands (CheckAccreditedOn), the sealing
// does not.
TEST(SealIssuerAccreditationTest, TodayNotTheInspectionDate) {
  const Accreditation suspended = AccreditationOf("acc-1", Accreditation::SUSPENDED);
  const absl::Time inspected = kNow - absl::Hours(48);
  EXPECT_TRUE(CheckAccreditedOn({suspended}, "CSCS", {"harvest"}, inspected).ok());
  EXPECT_EQ(CheckMayIssueSeals({suspended}, "CSCS", {"harvest"}, kNow).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(SealIssuerAccreditationTest, TheRequiredStagesAreTheVersionsSealedStages) {
  v1::Inspection inspection;
  inspection.add_stages("processing");
  v1::StandardVersion version;
  for (const char* stage : {"farming", "harvest", "processing"})
    version.add_stages()->set_id(stage);
  // No sealed_stages: every stage, whichever the inspection covers.
  EXPECT_EQ(SealRequiredStages(inspection, version),
            (std::vector<std::string>{"farming", "harvest", "processing"}));
  version.add_sealed_stages("harvest");
  version.add_sealed_stages("processing");
  EXPECT_EQ(SealRequiredStages(inspection, version),
            (std::vector<std::string>{"harvest", "processing"}));
}

TEST(AccreditationSealsChoiceTest, SuspendingOrWithdrawingMustSayReinstatingMustNot) {
  struct Case {
    Accreditation::Status target;
    v1::SealsChoice seals;
    bool ok;
  };
  const std::vector<Case> cases = {
      {Accreditation::SUSPENDED, v1::KEEP_SEALS, true},
      {Accreditation::SUSPENDED, v1::SUSPEND_SEALS, true},
      {Accreditation::SUSPENDED, v1::SEALS_CHOICE_UNSPECIFIED, false},
      {Accreditation::SUSPENDED, static_cast<v1::SealsChoice>(77), false},
      {Accreditation::WITHDRAWN, v1::KEEP_SEALS, true},
      {Accreditation::WITHDRAWN, v1::SUSPEND_SEALS, true},
      {Accreditation::WITHDRAWN, v1::SEALS_CHOICE_UNSPECIFIED, false},
      {Accreditation::ACTIVE, v1::SEALS_CHOICE_UNSPECIFIED, true},
      {Accreditation::ACTIVE, v1::SUSPEND_SEALS, false},
      {Accreditation::ACTIVE, v1::KEEP_SEALS, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(Accreditation::Status_Name(c.target), " ", c.seals));
    const absl::Status status = CheckSealsChoice(c.target, c.seals);
    if (c.ok) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
      EXPECT_THAT(std::string(status.message()), HasSubstr("seals: "));
    }
  }
}

TEST(AccreditationScopeTest, WhichSealsAnAccreditationReaches) {
  const Accreditation whole = AccreditationOf("acc-1", Accreditation::ACTIVE);
  const Accreditation harvest = AccreditationOf("acc-2", Accreditation::ACTIVE, {"harvest"});
  struct Case {
    const Accreditation* accreditation;
    std::string standard;
    std::vector<std::string> stages;
    bool covers;
  };
  const std::vector<Case> cases = {
      {&whole, "CSCS", {"farming"}, true},
      {&whole, "TST", {"farming"}, false},
      {&harvest, "CSCS", {"harvest", "processing"}, true},
      {&harvest, "CSCS", {"processing"}, false},
      {&harvest, "CSCS", {}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.accreditation->id(), " ", c.standard, " ", c.stages.size()));
    EXPECT_EQ(ScopeCovers(*c.accreditation, c.standard, c.stages), c.covers);
  }
}

// ---------------------------------------------------------------------------------------
// Withdrawing a standard version.

TEST(StandardWithdrawalTest, SealsAreSuspendedUnlessKept) {
  EXPECT_EQ(*WithdrawalSealsChoice(v1::SEALS_CHOICE_UNSPECIFIED), v1::SUSPEND_SEALS);
  EXPECT_EQ(*WithdrawalSealsChoice(v1::SUSPEND_SEALS), v1::SUSPEND_SEALS);
  EXPECT_EQ(*WithdrawalSealsChoice(v1::KEEP_SEALS), v1::KEEP_SEALS);
  const absl::StatusOr<v1::SealsChoice> unknown =
      WithdrawalSealsChoice(static_cast<v1::SealsChoice>(9));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("seals: unknown value 9"));
}

v1::StandardVersion Withdrawn(absl::Time when) {
  v1::StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(2);
  version.set_status(v1::StandardVersion::WITHDRAWN);
  *version.mutable_withdraw_time() = ToProto(when);
  version.set_withdraw_reason("F3 thresholds were wrong");
  return version;
}

v1::Norm NormOf(uint32_t version) {
  v1::Norm norm;
  norm.set_id("norm-1");
  norm.set_standard_id("CSCS");
  norm.set_standard_version(version);
  norm.set_status(v1::Norm::ADOPTED);
  *norm.mutable_create_time() = ToProto(kNow - absl::Hours(24 * 90));
  *norm.mutable_effective_from() = ToProto(kNow - absl::Hours(24 * 60));
  return norm;
}

TEST(StandardWithdrawalTest, NormsAdoptingTheVersionAreMarkedOnce) {
  v1::Norm repealed = NormOf(2);
  repealed.set_status(v1::Norm::REPEALED);
  *repealed.mutable_repeal_time() = ToProto(kNow - absl::Hours(24));
  struct Case {
    std::string name;
    v1::Norm norm;
    bool marked;
  };
  const std::vector<Case> cases = {
      {"adopting it", NormOf(2), true},
      {"adopting another version", NormOf(1), false},
      {"repealed before", repealed, false},
  };
  for (Case c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(MarkNormWithdrawn(c.norm, Withdrawn(kNow)), c.marked);
    EXPECT_EQ(c.norm.has_standard_withdrawn(), c.marked);
    if (c.marked) {
      EXPECT_EQ(c.norm.standard_withdrawn().reason(), "F3 thresholds were wrong");
      EXPECT_FALSE(MarkNormWithdrawn(c.norm, Withdrawn(kNow + absl::Hours(1))));  // once
      EXPECT_EQ(FromProto(c.norm.standard_withdrawn().time()), kNow);
    }
  }
}

TEST(StandardWithdrawalTest, VerdictsCarryTheNoticeFromTheWithdrawalOn) {
  v1::Norm norm = NormOf(2);
  EXPECT_EQ(WithdrawnStandardNotice(norm, kNow), "");
  ASSERT_TRUE(MarkNormWithdrawn(norm, Withdrawn(kNow)));
  EXPECT_EQ(WithdrawnStandardNotice(norm, kNow - absl::Seconds(1)), "");  // --as-of before
  const std::string notice = WithdrawnStandardNotice(norm, kNow);
  EXPECT_THAT(notice, HasSubstr("CSCS@2, was WITHDRAWN by the association on 2026-11-26"));
  EXPECT_THAT(notice, HasSubstr("F3 thresholds were wrong"));
  EXPECT_THAT(notice, HasSubstr("until its regulator repeals or replaces it"));
  EXPECT_THAT(notice, Not(HasSubstr("seal")));
}

}  // namespace
}  // namespace sello::domain
