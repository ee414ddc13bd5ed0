// Table-driven tests of the certification rules: accreditation of certifiers, lots and
// inspections (graded against a small real standard version), and seals.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/principal.h"
#include "daemon/domain/seal_rules.h"
#include "daemon/domain/standard_rules.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using v1::Accreditation;
using v1::Inspection;
using v1::Seal;
using v1::StandardVersion;

absl::Time Utc(int year, int month, int day, int hour = 0) {
  return absl::FromCivil(absl::CivilHour(year, month, day, hour), absl::UTCTimeZone());
}

// The registry's clock in every test.
const absl::Time kNow = Utc(2025, 6, 1, 12);
const absl::Time kValidFrom = Utc(2025, 1, 1);
const absl::Time kValidUntil = Utc(2026, 1, 1);

MATCHER_P(EqualsProto, expected, "") {
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(arg, expected)) return true;
  *result_listener << diff;
  return false;
}

// ---------------------------------------------------------------------------------
// Accreditation

v1::AccreditationScope Scope(const std::string& standard_id,
                             const std::vector<std::string>& stage_ids = {}) {
  v1::AccreditationScope scope;
  scope.set_standard_id(standard_id);
  for (const std::string& stage : stage_ids) scope.add_stage_ids(stage);
  return scope;
}

// What an ADMIN sends to accredit a certifier.
Accreditation NewAccreditation() {
  Accreditation accreditation;
  accreditation.set_certifier_id("CERT-1");
  *accreditation.add_scope() = Scope("CSCS", {"farming", "processing"});
  *accreditation.add_scope() = Scope("MSC");
  *accreditation.mutable_valid_from() = ToProto(kValidFrom);
  *accreditation.mutable_valid_until() = ToProto(kValidUntil);
  return accreditation;
}

// A stored accreditation as the service creates it: ACTIVE, with its creation as the
// first history entry.
Accreditation StoredAccreditation(const std::string& id, std::vector<v1::AccreditationScope> scope,
                                  absl::Time created = kValidFrom - absl::Hours(24)) {
  Accreditation accreditation;
  accreditation.set_id(id);
  accreditation.set_certifier_id("CERT-1");
  for (v1::AccreditationScope& entry : scope) *accreditation.add_scope() = std::move(entry);
  *accreditation.mutable_valid_from() = ToProto(kValidFrom);
  *accreditation.mutable_valid_until() = ToProto(kValidUntil);
  accreditation.set_status(Accreditation::ACTIVE);
  accreditation.set_status_reason("accredited");
  *accreditation.mutable_create_time() = ToProto(created);
  *accreditation.mutable_update_time() = ToProto(created);
  v1::AccreditationStatusChange* first = accreditation.add_history();
  first->set_status(Accreditation::ACTIVE);
  *first->mutable_time() = ToProto(created);
  first->set_reason("accredited");
  return accreditation;
}

Accreditation StoredAccreditation(const std::string& id = "acc-1") {
  return StoredAccreditation(id, {Scope("CSCS")});
}

// Applies a change that the test needs to succeed.
void Change(Accreditation& accreditation, Accreditation::Status target, absl::Time at,
            const std::string& reason = "audit finding") {
  ASSERT_TRUE(ChangeAccreditationStatus(accreditation, target, reason, at).ok());
}

TEST(AccreditationValidateTest, AcceptsAComplete) {
  EXPECT_TRUE(ValidateNewAccreditation(NewAccreditation()).ok());
}

TEST(AccreditationValidateTest, EachBadFieldIsNamed) {
  struct Case {
    std::string name;
    void (*mutate)(Accreditation&);
    std::string field;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"no certifier", [](Accreditation& a) { a.clear_certifier_id(); },
       "accreditation.certifier_id", "required"},
      {"no scope", [](Accreditation& a) { a.clear_scope(); }, "accreditation.scope",
       "required: at least one standard"},
      {"51 scope entries",
       [](Accreditation& a) {
         a.clear_scope();
         for (int i = 0; i < 51; ++i) *a.add_scope() = Scope(absl::StrCat("S", i));
       },
       "accreditation.scope", "more than 50 entries"},
      {"empty standard id", [](Accreditation& a) { a.mutable_scope(1)->clear_standard_id(); },
       "accreditation.scope[1].standard_id", "required"},
      {"standard listed twice", [](Accreditation& a) { *a.add_scope() = Scope("CSCS"); },
       "accreditation.scope[2].standard_id", "'CSCS' is listed twice"},
      {"empty stage id", [](Accreditation& a) { a.mutable_scope(0)->add_stage_ids(""); },
       "accreditation.scope[0].stage_ids[2]", "empty or repeated"},
      {"repeated stage id", [](Accreditation& a) { a.mutable_scope(0)->add_stage_ids("farming"); },
       "accreditation.scope[0].stage_ids[2]", "empty or repeated"},
      {"no valid_from", [](Accreditation& a) { a.clear_valid_from(); }, "accreditation.valid_from",
       "required"},
      {"no valid_until", [](Accreditation& a) { a.clear_valid_until(); },
       "accreditation.valid_until", "required"},
      {"valid_until == valid_from",
       [](Accreditation& a) { *a.mutable_valid_until() = ToProto(kValidFrom); },
       "accreditation.valid_until", "must be after valid_from"},
      {"valid_until before valid_from",
       [](Accreditation& a) { *a.mutable_valid_until() = ToProto(kValidFrom - absl::Seconds(1)); },
       "accreditation.valid_until", "must be after valid_from"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Accreditation accreditation = NewAccreditation();
    c.mutate(accreditation);
    const absl::Status status = ValidateNewAccreditation(accreditation);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(status.message()), absl::StrCat(c.field, ": ", c.reason))
        << "exactly one problem, naming the field";
  }
}

TEST(AccreditationValidateTest, FiftyScopeEntriesAndOneSecondOfValidityAreEnough) {
  Accreditation accreditation = NewAccreditation();
  accreditation.clear_scope();
  for (int i = 0; i < 50; ++i) *accreditation.add_scope() = Scope(absl::StrCat("S", i));
  *accreditation.mutable_valid_until() = ToProto(kValidFrom + absl::Seconds(1));
  EXPECT_TRUE(ValidateNewAccreditation(accreditation).ok());
}

TEST(AccreditationValidateTest, NamesEveryBadFieldAtOnce) {
  Accreditation accreditation;
  *accreditation.add_scope() = Scope("");
  *accreditation.add_scope() = Scope("CSCS", {"farming", "farming"});
  const absl::Status status = ValidateNewAccreditation(accreditation);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("5 problems"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("accreditation.certifier_id: required"));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("accreditation.scope[0].standard_id: required"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("accreditation.scope[1].stage_ids[1]"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("accreditation.valid_from: required"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("accreditation.valid_until: required"));
}

TEST(AccreditationStatusChangeTest, EveryPairOfStates) {
  const std::vector<Accreditation::Status> states = {
      Accreditation::STATUS_UNSPECIFIED, Accreditation::ACTIVE, Accreditation::SUSPENDED,
      Accreditation::WITHDRAWN};
  const auto legal = [](Accreditation::Status from, Accreditation::Status to) {
    return (from == Accreditation::ACTIVE && to == Accreditation::SUSPENDED) ||
           (from == Accreditation::SUSPENDED && to == Accreditation::ACTIVE) ||
           (from == Accreditation::ACTIVE && to == Accreditation::WITHDRAWN) ||
           (from == Accreditation::SUSPENDED && to == Accreditation::WITHDRAWN);
  };
  int legal_pairs = 0;
  for (Accreditation::Status from : states) {
    for (Accreditation::Status to : states) {
      SCOPED_TRACE(
          absl::StrCat(Accreditation::Status_Name(from), " -> ", Accreditation::Status_Name(to)));
      Accreditation accreditation = StoredAccreditation();
      accreditation.set_status(from);
      const Accreditation before = accreditation;
      const absl::Time at = kNow;
      const absl::Status status = ChangeAccreditationStatus(accreditation, to, "audit finding", at);
      if (legal(from, to)) {
        ++legal_pairs;
        ASSERT_TRUE(status.ok()) << status;
        EXPECT_EQ(accreditation.status(), to);
        EXPECT_EQ(accreditation.status_reason(), "audit finding");
        EXPECT_EQ(FromProto(accreditation.update_time()), at);
        ASSERT_EQ(accreditation.history_size(), before.history_size() + 1);
        const v1::AccreditationStatusChange& change = accreditation.history(1);
        EXPECT_EQ(change.status(), to);
        EXPECT_EQ(FromProto(change.time()), at);
        EXPECT_EQ(change.reason(), "audit finding");
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_THAT(std::string(status.message()),
                    HasSubstr(absl::StrCat("acc-1 is ", Accreditation::Status_Name(from))));
        EXPECT_THAT(accreditation, EqualsProto(before)) << "a refused change changes nothing";
      }
    }
  }
  EXPECT_EQ(legal_pairs, 4);
}

TEST(AccreditationStatusChangeTest, WithdrawnIsTerminal) {
  Accreditation accreditation = StoredAccreditation();
  Change(accreditation, Accreditation::SUSPENDED, kNow);
  Change(accreditation, Accreditation::WITHDRAWN, kNow + absl::Hours(1));
  for (Accreditation::Status target :
       {Accreditation::ACTIVE, Accreditation::SUSPENDED, Accreditation::WITHDRAWN}) {
    const absl::Status status =
        ChangeAccreditationStatus(accreditation, target, "second thoughts", kNow + absl::Hours(2));
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(status.message()), HasSubstr("is WITHDRAWN"));
  }
  EXPECT_EQ(accreditation.status(), Accreditation::WITHDRAWN);
}

TEST(AccreditationStatusChangeTest, ReasonIsRequiredAndAtMost1000Bytes) {
  struct Case {
    std::string reason;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"", false}, {"x", true}, {std::string(1000, 'x'), true}, {std::string(1001, 'x'), false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason.size());
    Accreditation accreditation = StoredAccreditation();
    const Accreditation before = accreditation;
    const absl::Status status =
        ChangeAccreditationStatus(accreditation, Accreditation::SUSPENDED, c.reason, kNow);
    if (c.ok) {
      EXPECT_TRUE(status.ok()) << status;
      EXPECT_EQ(accreditation.status_reason(), c.reason);
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(status.message()), HasSubstr("reason"));
      EXPECT_THAT(accreditation, EqualsProto(before));
    }
  }
}

TEST(AccreditationStatusChangeTest, HistoryKeepsEveryChangeOldestFirst) {
  Accreditation accreditation = StoredAccreditation();
  const absl::Time t1 = kNow, t2 = kNow + absl::Hours(1), t3 = kNow + absl::Hours(2);
  Change(accreditation, Accreditation::SUSPENDED, t1, "late report");
  Change(accreditation, Accreditation::ACTIVE, t2, "report received");
  Change(accreditation, Accreditation::WITHDRAWN, t3, "company closed");
  ASSERT_EQ(accreditation.history_size(), 4);
  EXPECT_EQ(accreditation.history(0).reason(), "accredited");
  EXPECT_EQ(accreditation.history(1).status(), Accreditation::SUSPENDED);
  EXPECT_EQ(accreditation.history(1).reason(), "late report");
  EXPECT_EQ(FromProto(accreditation.history(1).time()), t1);
  EXPECT_EQ(accreditation.history(2).status(), Accreditation::ACTIVE);
  EXPECT_EQ(accreditation.history(2).reason(), "report received");
  EXPECT_EQ(FromProto(accreditation.history(2).time()), t2);
  EXPECT_EQ(accreditation.history(3).status(), Accreditation::WITHDRAWN);
  EXPECT_EQ(FromProto(accreditation.history(3).time()), t3);
  EXPECT_EQ(accreditation.status_reason(), "company closed");
}

TEST(AccreditationStatusAtTest, FollowsTheHistory) {
  const absl::Time created = kValidFrom - absl::Hours(24);
  const absl::Time t1 = Utc(2025, 3, 1), t2 = Utc(2025, 4, 1), t3 = Utc(2025, 5, 1);
  Accreditation accreditation = StoredAccreditation("acc-1", {Scope("CSCS")}, created);
  Change(accreditation, Accreditation::SUSPENDED, t1);
  Change(accreditation, Accreditation::ACTIVE, t2);
  Change(accreditation, Accreditation::WITHDRAWN, t3);
  struct Case {
    std::string name;
    absl::Time at;
    Accreditation::Status expected;
  };
  const std::vector<Case> cases = {
      {"long before its creation", created - absl::Hours(24 * 365), Accreditation::ACTIVE},
      {"at its creation", created, Accreditation::ACTIVE},
      {"just before the suspension", t1 - absl::Nanoseconds(1), Accreditation::ACTIVE},
      {"at the suspension", t1, Accreditation::SUSPENDED},
      {"while suspended", t1 + absl::Hours(24), Accreditation::SUSPENDED},
      {"at the reinstatement", t2, Accreditation::ACTIVE},
      {"just before the withdrawal", t3 - absl::Seconds(1), Accreditation::ACTIVE},
      {"at the withdrawal", t3, Accreditation::WITHDRAWN},
      {"long after", t3 + absl::Hours(24 * 365), Accreditation::WITHDRAWN},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(StatusAt(accreditation, c.at), c.expected);
  }
}

TEST(AccreditationStatusAtTest, WithoutHistoryTheCurrentStatusHoldsAlways) {
  Accreditation accreditation = StoredAccreditation();
  accreditation.clear_history();
  accreditation.set_status(Accreditation::SUSPENDED);
  EXPECT_EQ(StatusAt(accreditation, kValidFrom - absl::Hours(1)), Accreditation::SUSPENDED);
  EXPECT_EQ(StatusAt(accreditation, kNow), Accreditation::SUSPENDED);
}

TEST(AccreditationCheckTest, Table) {
  const absl::Time t1 = Utc(2025, 3, 1), t2 = Utc(2025, 4, 1);
  // ACTIVE now, but SUSPENDED during [t1, t2).
  Accreditation was_suspended = StoredAccreditation("acc-was", {Scope("CSCS")});
  Change(was_suspended, Accreditation::SUSPENDED, t1, "late report");
  Change(was_suspended, Accreditation::ACTIVE, t2, "report received");
  // ACTIVE on earlier dates, SUSPENDED since t2.
  Accreditation now_suspended = StoredAccreditation("acc-now", {Scope("CSCS")});
  Change(now_suspended, Accreditation::SUSPENDED, t2, "fraud inquiry");
  Accreditation withdrawn = StoredAccreditation("acc-wd", {Scope("CSCS")});
  Change(withdrawn, Accreditation::WITHDRAWN, t2, "company closed");

  const Accreditation all_stages = StoredAccreditation("acc-all", {Scope("CSCS")});
  const Accreditation farming_only =
      StoredAccreditation("acc-farm", {Scope("MSC"), Scope("CSCS", {"farming"})});
  const Accreditation other_standard = StoredAccreditation("acc-msc", {Scope("MSC")});
  const std::vector<std::string> both = {"farming", "processing"};
  const std::vector<std::string> farming = {"farming"};

  struct Case {
    std::string name;
    std::vector<Accreditation> accreditations;
    std::vector<std::string> stages;
    absl::Time at;
    std::string refusal;  // empty: OK
  };
  const std::vector<Case> cases = {
      {"none at all", {}, farming, kNow, "no accreditation for standard CSCS"},
      {"another standard only",
       {other_standard},
       farming,
       kNow,
       "no accreditation for standard CSCS"},
      {"every stage by an empty stage list", {all_stages}, both, kNow, ""},
      {"no stages asked", {farming_only}, {}, kNow, ""},
      {"the stage in scope", {farming_only}, farming, kNow, ""},
      {"a stage outside scope",
       {farming_only},
       both,
       kNow,
       "stage processing is outside the scope of accreditation acc-farm"},
      {"at valid_from (inclusive)", {all_stages}, farming, kValidFrom, ""},
      {"just before valid_from",
       {all_stages},
       farming,
       kValidFrom - absl::Seconds(1),
       "accreditation acc-all is valid from 2025-01-01 until 2026-01-01, not on 2024-12-31"},
      {"just before valid_until", {all_stages}, farming, kValidUntil - absl::Seconds(1), ""},
      {"at valid_until (exclusive)",
       {all_stages},
       farming,
       kValidUntil,
       "accreditation acc-all is valid from 2025-01-01 until 2026-01-01, not on 2026-01-01"},
      {"suspended now, asked now",
       {now_suspended},
       farming,
       kNow,
       "accreditation acc-now is SUSPENDED (fraud inquiry)"},
      {"suspended now, active on the date",
       {now_suspended},
       farming,
       t1,
       "accreditation acc-now is SUSPENDED"},
      {"suspended on the date, active now",
       {was_suspended},
       farming,
       t1 + absl::Hours(1),
       "accreditation acc-was is SUSPENDED"},
      {"active again after the suspension", {was_suspended}, farming, t2, ""},
      {"active before the suspension", {was_suspended}, farming, t1 - absl::Seconds(1), ""},
      {"withdrawn", {withdrawn}, farming, kNow, "accreditation acc-wd is WITHDRAWN"},
      {"withdrawn now, active on the date",
       {withdrawn},
       farming,
       t1,
       "accreditation acc-wd is WITHDRAWN"},
      {"one of several fits (last)",
       {other_standard, farming_only, now_suspended, all_stages},
       both,
       kNow,
       ""},
      {"one of several fits (first)", {all_stages, now_suspended}, both, kNow, ""},
      {"one of several fits the stages", {farming_only, all_stages}, both, kNow, ""},
      {"none of several fits",
       {other_standard, farming_only},
       both,
       kNow,
       "stage processing is outside the scope"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = CheckAccreditedFor(c.accreditations, "CSCS", c.stages, c.at);
    if (c.refusal.empty()) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
      EXPECT_THAT(std::string(status.message()), HasSubstr(c.refusal));
    }
  }
}

// ---------------------------------------------------------------------------------
// Lots and inspections

v1::Lot NewLot() {
  v1::Lot lot;
  lot.set_id("lot-1");
  lot.set_firm_id("firm-1");
  lot.set_site_id("site-1");
  lot.set_product_form("fresh whole");
  *lot.mutable_harvest_date() = ToProto(kNow - absl::Hours(48));
  lot.set_box_count(400);
  return lot;
}

TEST(InspectionLotTest, AcceptsAComplete) { EXPECT_TRUE(ValidateNewLot(NewLot(), kNow).ok()); }

TEST(InspectionLotTest, Table) {
  struct Case {
    std::string name;
    void (*mutate)(v1::Lot&);
    std::string problem;  // empty: OK
  };
  const std::vector<Case> cases = {
      {"no site", [](v1::Lot& l) { l.clear_site_id(); }, "lot.site_id: required"},
      {"no product form", [](v1::Lot& l) { l.clear_product_form(); }, "lot.product_form"},
      {"100-character product form", [](v1::Lot& l) { l.set_product_form(std::string(100, 'f')); },
       ""},
      {"101-character product form", [](v1::Lot& l) { l.set_product_form(std::string(101, 'f')); },
       "lot.product_form"},
      {"no harvest date", [](v1::Lot& l) { l.clear_harvest_date(); }, "lot.harvest_date: required"},
      {"harvested now", [](v1::Lot& l) { *l.mutable_harvest_date() = ToProto(kNow); }, ""},
      {"harvested tomorrow",
       [](v1::Lot& l) { *l.mutable_harvest_date() = ToProto(kNow + absl::Hours(24)); },
       "lot.harvest_date: is in the future"},
      {"no boxes", [](v1::Lot& l) { l.set_box_count(0); }, "lot.box_count: must be 1 to 10000000"},
      {"one box", [](v1::Lot& l) { l.set_box_count(1); }, ""},
      {"10,000,000 boxes", [](v1::Lot& l) { l.set_box_count(10'000'000); }, ""},
      {"10,000,001 boxes", [](v1::Lot& l) { l.set_box_count(10'000'001); }, "lot.box_count"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Lot lot = NewLot();
    c.mutate(lot);
    const absl::Status status = ValidateNewLot(lot, kNow);
    if (c.problem.empty()) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(status.message()), HasSubstr(c.problem));
    }
  }
}

TEST(InspectionLotTest, NamesEveryBadFieldAtOnce) {
  const absl::Status status = ValidateNewLot(v1::Lot(), kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("4 problems"));
  for (const char* field :
       {"lot.site_id", "lot.product_form", "lot.harvest_date", "lot.box_count"}) {
    EXPECT_THAT(std::string(status.message()), HasSubstr(field));
  }
}

v1::GradeRange Range(double min, double max) {
  v1::GradeRange range;
  range.set_min(min);
  range.set_max(max);
  return range;
}

v1::Criterion Boolean(const std::string& id, bool critical, v1::Grade caps_at) {
  v1::Criterion criterion;
  criterion.set_id(id);
  criterion.set_name(absl::StrCat("criterion ", id));
  criterion.set_kind(v1::Criterion::BOOLEAN);
  criterion.set_critical(critical);
  criterion.set_caps_at(caps_at);
  return criterion;
}

v1::Criterion Numeric(const std::string& id, const std::string& unit, const v1::GradeRange& premium,
                      const v1::GradeRange& grade_i, const v1::GradeRange& industrial) {
  v1::Criterion criterion;
  criterion.set_id(id);
  criterion.set_name(absl::StrCat("criterion ", id));
  criterion.set_kind(v1::Criterion::NUMERIC);
  criterion.set_unit(unit);
  *criterion.mutable_grades()->mutable_premium() = premium;
  *criterion.mutable_grades()->mutable_grade_i() = grade_i;
  *criterion.mutable_grades()->mutable_industrial() = industrial;
  return criterion;
}

const absl::Time kPublished = Utc(2024, 6, 1);

// CSCS@2, published a year before kNow. farming: F1 (critical BOOLEAN), F2 (hours to
// ice: PREMIUM <= 24, GRADE_I <= 36, INDUSTRIAL <= 48). processing: P1 (BOOLEAN, caps
// at GRADE_I), P2 (core temperature: PREMIUM -1..2, GRADE_I -1..4, INDUSTRIAL -2..6).
StandardVersion Version(StandardVersion::Status status = StandardVersion::PUBLISHED) {
  StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(2);
  version.set_title("Chilled seafood code");
  version.set_seal_validity_days(365);
  v1::Stage* farming = version.add_stages();
  farming->set_id("farming");
  farming->set_name("Farming");
  *farming->add_criteria() = Boolean("F1", /*critical=*/true, v1::GRADE_UNSPECIFIED);
  *farming->add_criteria() = Numeric("F2", "h", Range(0, 24), Range(0, 36), Range(0, 48));
  v1::Stage* processing = version.add_stages();
  processing->set_id("processing");
  processing->set_name("Processing");
  *processing->add_criteria() = Boolean("P1", /*critical=*/false, v1::GRADE_I);
  *processing->add_criteria() = Numeric("P2", "°C", Range(-1, 2), Range(-1, 4), Range(-2, 6));
  version.set_status(status);
  *version.mutable_create_time() = ToProto(kPublished - absl::Hours(24 * 30));
  if (status != StandardVersion::DRAFT) *version.mutable_publish_time() = ToProto(kPublished);
  if (status == StandardVersion::SUPERSEDED) {
    version.set_superseded_by(3);
    *version.mutable_cessation_time() = ToProto(kNow + absl::Hours(24 * 30));
  }
  if (status == StandardVersion::WITHDRAWN) {
    *version.mutable_withdraw_time() = ToProto(kNow - absl::Hours(24 * 30));
  }
  return version;
}

v1::CriterionResult Passed(const std::string& id, bool passed) {
  v1::CriterionResult result;
  result.set_criterion_id(id);
  result.set_passed(passed);
  return result;
}

v1::CriterionResult Measured(const std::string& id, double value) {
  v1::CriterionResult result;
  result.set_criterion_id(id);
  result.set_measured(value);
  return result;
}

const std::string kDigest(64, 'a');

// What a certifier submits: every criterion at PREMIUM, inspected yesterday.
Inspection Submission() {
  Inspection inspection;
  inspection.set_site_id("site-1");
  inspection.set_lot_id("lot-1");
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(2);
  inspection.add_stages("farming");
  inspection.add_stages("processing");
  *inspection.mutable_inspection_date() = ToProto(kNow - absl::Hours(24));
  inspection.set_inspector("Ana Ruiz");
  *inspection.add_results() = Passed("F1", true);
  *inspection.add_results() = Measured("F2", 12);
  inspection.mutable_results(1)->add_evidence_sha256(kDigest);
  *inspection.add_results() = Passed("P1", true);
  *inspection.add_results() = Measured("P2", 1.5);
  inspection.set_request_id("req-1");
  return inspection;
}

v1::CriterionResult& Result(Inspection& inspection, const std::string& id) {
  for (v1::CriterionResult& result : *inspection.mutable_results()) {
    if (result.criterion_id() == id) return result;
  }
  ADD_FAILURE() << "no result for " << id;
  return *inspection.add_results();
}

class InspectionPlanTest : public ::testing::Test {
 protected:
  InspectionPlanTest() {
    site_.set_id("site-1");
    site_.set_firm_id("firm-1");
    lot_ = NewLot();
    accreditations_ = {StoredAccreditation("acc-1", {Scope("CSCS")})};
  }

  InspectionContext Context(bool with_lot = true) const {
    return InspectionContext{&version_, &site_, with_lot ? &lot_ : nullptr, accreditations_, kNow};
  }

  absl::StatusOr<Inspection> Plan(const Inspection& submitted, bool with_lot = true) const {
    return PlanInspection(submitted, "CERT-1", Context(with_lot));
  }

  StandardVersion version_ = Version();
  v1::Site site_;
  v1::Lot lot_;
  std::vector<Accreditation> accreditations_;
};

TEST_F(InspectionPlanTest, TheTestStandardIsValid) {
  const std::vector<Problem> problems = ValidateStandardVersion(version_);
  for (const Problem& problem : problems) ADD_FAILURE() << problem.path << ": " << problem.message;
}

TEST_F(InspectionPlanTest, GradesAPassingSubmission) {
  Inspection submitted = Submission();
  // Fields the registry sets, whatever the certifier sends.
  submitted.set_id("insp-forged");
  *submitted.mutable_create_time() = ToProto(kNow);
  submitted.set_certifier_id("CERT-9");
  submitted.set_firm_id("firm-9");
  submitted.set_outcome(Inspection::FAIL);
  submitted.set_status(Inspection::SUPERSEDED);
  submitted.set_supersedes("insp-0");
  submitted.set_superseded_by("insp-2");
  submitted.set_correction_reason("forged");
  submitted.add_failing_criteria("F1");
  v1::CriterionGrade* forged = submitted.add_criterion_grades();
  forged->set_criterion_id("F1");

  const absl::StatusOr<Inspection> planned = Plan(submitted);
  ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_EQ(planned->outcome(), Inspection::PASS);
  EXPECT_EQ(planned->grade(), v1::PREMIUM);
  EXPECT_EQ(planned->status(), Inspection::CURRENT);
  EXPECT_EQ(planned->certifier_id(), "CERT-1");
  EXPECT_EQ(planned->firm_id(), "firm-1") << "from the site";
  EXPECT_EQ(planned->standard_id(), "CSCS");
  EXPECT_EQ(planned->standard_version(), 2u);
  EXPECT_THAT(planned->id(), IsEmpty());
  EXPECT_FALSE(planned->has_create_time());
  EXPECT_THAT(planned->supersedes(), IsEmpty());
  EXPECT_THAT(planned->superseded_by(), IsEmpty());
  EXPECT_THAT(planned->correction_reason(), IsEmpty());
  EXPECT_THAT(planned->failing_criteria(), IsEmpty());
  EXPECT_THAT(planned->limiting_criteria(), IsEmpty());
  ASSERT_EQ(planned->criterion_grades_size(), 4);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"F1", "farming"}, {"F2", "farming"}, {"P1", "processing"}, {"P2", "processing"}};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const v1::CriterionGrade& graded = planned->criterion_grades(i);
    EXPECT_EQ(graded.criterion_id(), expected[i].first);
    EXPECT_EQ(graded.stage_id(), expected[i].second);
    EXPECT_EQ(graded.grade(), v1::PREMIUM);
    EXPECT_FALSE(graded.fails_outcome());
    EXPECT_THAT(graded.reason(), Not(IsEmpty()));
  }
  // What the certifier sent is kept.
  EXPECT_EQ(planned->site_id(), "site-1");
  EXPECT_EQ(planned->lot_id(), "lot-1");
  EXPECT_EQ(planned->inspector(), "Ana Ruiz");
  EXPECT_EQ(planned->request_id(), "req-1");
  ASSERT_EQ(planned->results_size(), 4);
  EXPECT_THAT(planned->results(1).evidence_sha256(), ElementsAre(kDigest));
}

TEST_F(InspectionPlanTest, OutcomesTable) {
  struct Case {
    std::string name;
    bool f1;
    double f2;
    bool p1;
    double p2;
    Inspection::Outcome outcome;
    v1::Grade grade;
    std::vector<std::string> limiting;
    std::vector<std::string> failing;
  };
  const std::vector<Case> cases = {
      {"all premium", true, 12, true, 1.5, Inspection::PASS, v1::PREMIUM, {}, {}},
      {"F2 exactly on the PREMIUM bound", true, 24, true, 2, Inspection::PASS, v1::PREMIUM, {}, {}},
      {"F2 at GRADE_I", true, 30, true, 1.5, Inspection::PASS, v1::GRADE_I, {"F2"}, {}},
      {"P1 failed caps at GRADE_I",
       true,
       12,
       false,
       1.5,
       Inspection::PASS,
       v1::GRADE_I,
       {"P1"},
       {}},
      {"F2 and the P1 cap", true, 30, false, 1.5, Inspection::PASS, v1::GRADE_I, {"F2", "P1"}, {}},
      {"P2 at INDUSTRIAL", true, 30, false, 5, Inspection::PASS, v1::INDUSTRIAL, {"P2"}, {}},
      {"F1 critical failed",
       false,
       12,
       true,
       1.5,
       Inspection::FAIL,
       v1::GRADE_UNSPECIFIED,
       {"F1"},
       {"F1"}},
      {"F2 outside every range",
       true,
       50,
       true,
       1.5,
       Inspection::FAIL,
       v1::GRADE_UNSPECIFIED,
       {"F2"},
       {"F2"}},
      {"two failures",
       false,
       12,
       true,
       7,
       Inspection::FAIL,
       v1::GRADE_UNSPECIFIED,
       {"F1", "P2"},
       {"F1", "P2"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Inspection submitted = Submission();
    Result(submitted, "F1").set_passed(c.f1);
    Result(submitted, "F2").set_measured(c.f2);
    Result(submitted, "P1").set_passed(c.p1);
    Result(submitted, "P2").set_measured(c.p2);
    const absl::StatusOr<Inspection> planned = Plan(submitted);
    ASSERT_TRUE(planned.ok()) << planned.status();
    EXPECT_EQ(planned->outcome(), c.outcome);
    EXPECT_EQ(planned->grade(), c.grade);
    EXPECT_EQ(planned->status(), Inspection::CURRENT);
    EXPECT_EQ(std::vector<std::string>(planned->limiting_criteria().begin(),
                                       planned->limiting_criteria().end()),
              c.limiting);
    EXPECT_EQ(std::vector<std::string>(planned->failing_criteria().begin(),
                                       planned->failing_criteria().end()),
              c.failing);
    for (const v1::CriterionGrade& graded : planned->criterion_grades()) {
      const bool fails =
          std::find(c.failing.begin(), c.failing.end(), graded.criterion_id()) != c.failing.end();
      EXPECT_EQ(graded.fails_outcome(), fails) << graded.criterion_id();
    }
  }
}

TEST_F(InspectionPlanTest, ClaimedGradeMustAgree) {
  struct Case {
    std::string name;
    v1::Grade claimed;
    bool f1;
    double f2;
    bool p1;
    std::string refusal;  // empty: OK
  };
  const std::vector<Case> cases = {
      {"no claim", v1::GRADE_UNSPECIFIED, false, 12, true, ""},
      {"PREMIUM claimed and computed", v1::PREMIUM, true, 12, true, ""},
      {"GRADE_I claimed and computed", v1::GRADE_I, true, 30, true, ""},
      {"PREMIUM claimed, GRADE_I by F2", v1::PREMIUM, true, 30, true,
       "inspection.claimed_grade: PREMIUM disagrees with the computed outcome PASS GRADE_I, "
       "decided by F2"},
      {"INDUSTRIAL claimed, GRADE_I by F2 and P1", v1::INDUSTRIAL, true, 30, false,
       "INDUSTRIAL disagrees with the computed outcome PASS GRADE_I, decided by F2, P1"},
      {"worse grade claimed than computed", v1::GRADE_I, true, 12, true,
       "GRADE_I disagrees with the computed outcome PASS PREMIUM"},
      {"GRADE_I claimed, FAIL by F1", v1::GRADE_I, false, 12, true,
       "GRADE_I disagrees with the computed outcome FAIL, decided by F1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Inspection submitted = Submission();
    submitted.set_claimed_grade(c.claimed);
    Result(submitted, "F1").set_passed(c.f1);
    Result(submitted, "F2").set_measured(c.f2);
    Result(submitted, "P1").set_passed(c.p1);
    const absl::StatusOr<Inspection> planned = Plan(submitted);
    if (c.refusal.empty()) {
      ASSERT_TRUE(planned.ok()) << planned.status();
      EXPECT_EQ(planned->claimed_grade(), c.claimed);
    } else {
      EXPECT_EQ(planned.status().code(), absl::StatusCode::kFailedPrecondition) << planned.status();
      EXPECT_THAT(std::string(planned.status().message()), HasSubstr(c.refusal));
    }
  }
}

TEST_F(InspectionPlanTest, BadFieldsAreNamed) {
  struct Case {
    std::string name;
    void (*mutate)(Inspection&);
    std::string problem;  // empty: OK
  };
  const std::vector<Case> cases = {
      {"no site", [](Inspection& i) { i.clear_site_id(); }, "inspection.site_id: required"},
      {"no standard id", [](Inspection& i) { i.clear_standard_id(); },
       "inspection.standard_version: the exact version is required"},
      {"no version number", [](Inspection& i) { i.set_standard_version(0); },
       "inspection.standard_version: the exact version is required"},
      {"no stages", [](Inspection& i) { i.clear_stages(); }, "inspection.stages: required"},
      {"no date", [](Inspection& i) { i.clear_inspection_date(); },
       "inspection.inspection_date: required"},
      {"dated now", [](Inspection& i) { *i.mutable_inspection_date() = ToProto(kNow); }, ""},
      {"dated tomorrow",
       [](Inspection& i) { *i.mutable_inspection_date() = ToProto(kNow + absl::Hours(24)); },
       "inspection.inspection_date: is in the future"},
      {"no inspector", [](Inspection& i) { i.clear_inspector(); }, "inspection.inspector"},
      {"200-character inspector", [](Inspection& i) { i.set_inspector(std::string(200, 'i')); },
       ""},
      {"201-character inspector", [](Inspection& i) { i.set_inspector(std::string(201, 'i')); },
       "inspection.inspector"},
      {"unknown claimed grade",
       [](Inspection& i) { i.set_claimed_grade(static_cast<v1::Grade>(9)); },
       "inspection.claimed_grade: unknown grade"},
      {"100-character request id", [](Inspection& i) { i.set_request_id(std::string(100, 'r')); },
       ""},
      {"101-character request id", [](Inspection& i) { i.set_request_id(std::string(101, 'r')); },
       "inspection.request_id"},
      {"2001-character note",
       [](Inspection& i) { i.mutable_results(2)->set_note(std::string(2001, 'n')); },
       "inspection.results[2].note"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Inspection submitted = Submission();
    c.mutate(submitted);
    const absl::StatusOr<Inspection> planned = Plan(submitted);
    if (c.problem.empty()) {
      EXPECT_TRUE(planned.ok()) << planned.status();
    } else {
      EXPECT_EQ(planned.status().code(), absl::StatusCode::kInvalidArgument) << planned.status();
      EXPECT_THAT(std::string(planned.status().message()), HasSubstr(c.problem));
    }
  }
}

TEST_F(InspectionPlanTest, NamesEveryMissingFieldAtOnce) {
  Inspection submitted;
  *submitted.add_results() = Passed("F1", true);
  const absl::StatusOr<Inspection> planned = Plan(submitted);
  EXPECT_EQ(planned.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(planned.status().message()), HasSubstr("5 problems"));
  for (const char* field :
       {"inspection.site_id", "inspection.standard_version", "inspection.stages",
        "inspection.inspection_date", "inspection.inspector"}) {
    EXPECT_THAT(std::string(planned.status().message()), HasSubstr(field));
  }
}

TEST_F(InspectionPlanTest, EvidenceDigestsMustBe64HexCharacters) {
  Inspection submitted = Submission();
  v1::CriterionResult& result = *submitted.mutable_results(1);
  result.clear_evidence_sha256();
  result.add_evidence_sha256(std::string(64, 'A'));  // upper-case hex is hex
  result.add_evidence_sha256(std::string(63, 'a'));
  result.add_evidence_sha256(std::string(65, 'a'));
  result.add_evidence_sha256(std::string(64, 'g'));
  result.add_evidence_sha256("");
  submitted.mutable_results(3)->add_evidence_sha256(std::string(63, '0') + "z");
  const absl::StatusOr<Inspection> planned = Plan(submitted);
  EXPECT_EQ(planned.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(planned.status().message());
  EXPECT_THAT(message, HasSubstr("5 problems"));
  EXPECT_THAT(message, Not(HasSubstr("inspection.results[1].evidence_sha256[0]")));
  for (const char* field :
       {"inspection.results[1].evidence_sha256[1]", "inspection.results[1].evidence_sha256[2]",
        "inspection.results[1].evidence_sha256[3]", "inspection.results[1].evidence_sha256[4]",
        "inspection.results[3].evidence_sha256[0]"}) {
    EXPECT_THAT(message, HasSubstr(field));
  }
  EXPECT_THAT(message, HasSubstr("not a SHA-256 in hex"));
}

TEST_F(InspectionPlanTest, TheVersionMustBeAcceptableOnTheInspectionDate) {
  const absl::Time date = kNow - absl::Hours(24);  // Submission()'s date
  struct Case {
    std::string name;
    StandardVersion::Status status;
    std::optional<absl::Time> cessation;
    std::string refusal;  // empty: OK
  };
  const std::vector<Case> cases = {
      {"PUBLISHED", StandardVersion::PUBLISHED, std::nullopt, ""},
      {"DRAFT", StandardVersion::DRAFT, std::nullopt,
       "inspection.standard_version: CSCS@2 is DRAFT"},
      {"WITHDRAWN", StandardVersion::WITHDRAWN, std::nullopt, "CSCS@2 is WITHDRAWN"},
      {"unspecified", StandardVersion::STATUS_UNSPECIFIED, std::nullopt, "CSCS@2 is"},
      {"SUPERSEDED, ceasing in a month", StandardVersion::SUPERSEDED, kNow + absl::Hours(24 * 30),
       ""},
      {"SUPERSEDED, ceased after the date but before now", StandardVersion::SUPERSEDED,
       date + absl::Hours(1), ""},
      {"SUPERSEDED, ceasing at the inspection date", StandardVersion::SUPERSEDED, date,
       "CSCS@2 is SUPERSEDED and ceased on"},
      {"SUPERSEDED, ceased before the date", StandardVersion::SUPERSEDED,
       date - absl::Hours(24 * 10),
       "CSCS@2 is SUPERSEDED and ceased on 2025-05-21T12:00:00Z; not acceptable for an "
       "inspection dated 2025-05-31"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    version_ = Version(c.status);
    if (c.cessation.has_value()) *version_.mutable_cessation_time() = ToProto(*c.cessation);
    const absl::StatusOr<Inspection> planned = Plan(Submission());
    if (c.refusal.empty()) {
      EXPECT_TRUE(planned.ok()) << planned.status();
    } else {
      EXPECT_EQ(planned.status().code(), absl::StatusCode::kFailedPrecondition) << planned.status();
      EXPECT_THAT(std::string(planned.status().message()), HasSubstr(c.refusal));
    }
  }
}

TEST_F(InspectionPlanTest, AVersionPublishedLaterOnTheInspectionDayIsAcceptable) {
  // Inspection dates are often whole days: midnight UTC.
  Inspection submission = Submission();
  *submission.mutable_inspection_date() = ToProto(Utc(2025, 5, 31));
  version_ = Version(StandardVersion::PUBLISHED);
  *version_.mutable_publish_time() = ToProto(Utc(2025, 5, 31, 10));
  EXPECT_TRUE(Plan(submission).ok()) << Plan(submission).status();
  // Published the next day: not yet acceptable on the inspection's day.
  *version_.mutable_publish_time() = ToProto(Utc(2025, 6, 1));
  EXPECT_EQ(Plan(submission).status().code(), absl::StatusCode::kFailedPrecondition);
  // Published later that day but withdrawn since: not acceptable.
  version_ = Version(StandardVersion::WITHDRAWN);
  *version_.mutable_publish_time() = ToProto(Utc(2025, 5, 31, 10));
  EXPECT_EQ(Plan(submission).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(InspectionPlanTest, TheLotMustBeAtTheInspectedSite) {
  lot_.set_site_id("site-2");
  const absl::StatusOr<Inspection> planned = Plan(Submission());
  EXPECT_EQ(planned.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(planned.status().message()),
              HasSubstr("inspection.lot_id: lot lot-1 is at site site-2, not site-1"));
}

TEST_F(InspectionPlanTest, APlantAuditHasNoLot) {
  Inspection submitted = Submission();
  submitted.clear_lot_id();
  const absl::StatusOr<Inspection> planned = Plan(submitted, /*with_lot=*/false);
  ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_THAT(planned->lot_id(), IsEmpty());
  EXPECT_EQ(planned->firm_id(), "firm-1");
}

TEST_F(InspectionPlanTest, TheCertifierMustBeAccreditedOnTheInspectionDate) {
  const absl::Time date = kNow - absl::Hours(24);
  Accreditation suspended = StoredAccreditation("acc-s", {Scope("CSCS")});
  Change(suspended, Accreditation::SUSPENDED, date - absl::Hours(24), "late report");
  Accreditation ended = StoredAccreditation("acc-e", {Scope("CSCS")});
  *ended.mutable_valid_until() = ToProto(date - absl::Hours(1));
  Accreditation ending = StoredAccreditation("acc-x", {Scope("CSCS")});
  *ending.mutable_valid_until() = ToProto(date + absl::Hours(1));
  struct Case {
    std::string name;
    std::vector<Accreditation> accreditations;
    std::string refusal;  // empty: OK
  };
  const std::vector<Case> cases = {
      {"none", {}, "no accreditation for standard CSCS"},
      {"another standard",
       {StoredAccreditation("acc-m", {Scope("MSC")})},
       "no accreditation for standard CSCS"},
      {"farming only",
       {StoredAccreditation("acc-f", {Scope("CSCS", {"farming"})})},
       "stage processing is outside the scope"},
      {"suspended", {suspended}, "accreditation acc-s is SUSPENDED"},
      {"ended before the date", {ended}, "accreditation acc-e is valid from"},
      {"valid on the date, ended since", {ending}, ""},
      {"both stages",
       {StoredAccreditation("acc-b", {Scope("CSCS", {"processing", "farming"})})},
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    accreditations_ = c.accreditations;
    const absl::StatusOr<Inspection> planned = Plan(Submission());
    if (c.refusal.empty()) {
      EXPECT_TRUE(planned.ok()) << planned.status();
    } else {
      EXPECT_EQ(planned.status().code(), absl::StatusCode::kPermissionDenied) << planned.status();
      EXPECT_THAT(std::string(planned.status().message()), HasSubstr(c.refusal));
    }
  }
}

TEST_F(InspectionPlanTest, ResultsMustMatchTheCoveredStages) {
  struct Case {
    std::string name;
    void (*mutate)(Inspection&);
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"two missing",
       [](Inspection& i) {
         i.clear_results();
         *i.add_results() = Measured("F2", 12);
         *i.add_results() = Passed("P1", true);
       },
       "inspection.results: missing F1, P2"},
      {"none at all", [](Inspection& i) { i.clear_results(); },
       "inspection.results: missing F1, F2, P1, P2"},
      {"unknown", [](Inspection& i) { *i.add_results() = Passed("X9", true); }, "unknown X9"},
      {"duplicated", [](Inspection& i) { *i.add_results() = Measured("F2", 13); }, "duplicated F2"},
      {"BOOLEAN measured",
       [](Inspection& i) {
         i.mutable_results(0)->clear_passed();
         i.mutable_results(0)->set_measured(1);
       },
       "malformed F1"},
      {"NUMERIC as passed",
       [](Inspection& i) {
         i.mutable_results(1)->clear_measured();
         i.mutable_results(1)->set_passed(true);
       },
       "malformed F2"},
      {"result of a stage not covered",
       [](Inspection& i) {
         i.clear_stages();
         i.add_stages("farming");
       },
       "not in a covered stage P1, P2"},
      {"unknown stage", [](Inspection& i) { i.add_stages("packing"); },
       "inspection.stages: unknown packing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Inspection submitted = Submission();
    c.mutate(submitted);
    const absl::StatusOr<Inspection> planned = Plan(submitted);
    EXPECT_EQ(planned.status().code(), absl::StatusCode::kInvalidArgument) << planned.status();
    EXPECT_THAT(std::string(planned.status().message()), HasSubstr(c.problem));
  }
}

TEST_F(InspectionPlanTest, OneStageNeedsOnlyItsResults) {
  Inspection submitted = Submission();
  submitted.clear_stages();
  submitted.add_stages("processing");
  submitted.clear_results();
  *submitted.add_results() = Passed("P1", false);
  *submitted.add_results() = Measured("P2", 0);
  const absl::StatusOr<Inspection> planned = Plan(submitted);
  ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_EQ(planned->grade(), v1::GRADE_I);
  ASSERT_EQ(planned->criterion_grades_size(), 2);
  EXPECT_EQ(planned->criterion_grades(0).criterion_id(), "P1");
  EXPECT_EQ(planned->criterion_grades(1).criterion_id(), "P2");
}

Inspection Recorded(const std::string& id, const std::string& certifier = "CERT-1",
                    const std::string& site = "site-1", const std::string& lot = "lot-1") {
  Inspection inspection;
  inspection.set_id(id);
  inspection.set_certifier_id(certifier);
  inspection.set_firm_id("firm-1");
  inspection.set_site_id(site);
  inspection.set_lot_id(lot);
  inspection.set_status(Inspection::CURRENT);
  inspection.set_outcome(Inspection::PASS);
  inspection.set_grade(v1::PREMIUM);
  return inspection;
}

TEST(InspectionCorrectionTest, LinksBothRecords) {
  Inspection earlier = Recorded("insp-1");
  Inspection corrected = Recorded("insp-2");
  ASSERT_TRUE(LinkCorrection(earlier, corrected, "F2 was misread").ok());
  EXPECT_EQ(earlier.status(), Inspection::SUPERSEDED);
  EXPECT_EQ(earlier.superseded_by(), "insp-2");
  EXPECT_EQ(corrected.supersedes(), "insp-1");
  EXPECT_EQ(corrected.correction_reason(), "F2 was misread");
  EXPECT_EQ(corrected.status(), Inspection::CURRENT);

  // The superseded one cannot be corrected again; its successor can.
  Inspection again = Recorded("insp-3");
  const absl::Status status = LinkCorrection(earlier, again, "again");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("inspection insp-1 is SUPERSEDED by insp-2"));
  EXPECT_TRUE(LinkCorrection(corrected, again, "again").ok());
}

TEST(InspectionCorrectionTest, Refusals) {
  struct Case {
    std::string name;
    Inspection earlier;
    Inspection corrected;
    std::string reason;
    absl::StatusCode code;
    std::string message;
  };
  Inspection superseded = Recorded("insp-1");
  superseded.set_status(Inspection::SUPERSEDED);
  superseded.set_superseded_by("insp-0");
  const std::vector<Case> cases = {
      {"no reason", Recorded("insp-1"), Recorded("insp-2"), "", absl::StatusCode::kInvalidArgument,
       "reason"},
      {"already superseded", superseded, Recorded("insp-2"), "fix",
       absl::StatusCode::kFailedPrecondition, "is SUPERSEDED by insp-0"},
      {"another site", Recorded("insp-1"), Recorded("insp-2", "CERT-1", "site-2"), "fix",
       absl::StatusCode::kFailedPrecondition, "same site and lot as inspection insp-1"},
      {"another lot", Recorded("insp-1"), Recorded("insp-2", "CERT-1", "site-1", "lot-2"), "fix",
       absl::StatusCode::kFailedPrecondition, "same site and lot"},
      {"a plant audit for a lot inspection", Recorded("insp-1"),
       Recorded("insp-2", "CERT-1", "site-1", ""), "fix", absl::StatusCode::kFailedPrecondition,
       "same site and lot"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Inspection earlier = c.earlier;
    Inspection corrected = c.corrected;
    const absl::Status status = LinkCorrection(earlier, corrected, c.reason);
    EXPECT_EQ(status.code(), c.code) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.message));
    EXPECT_THAT(earlier, EqualsProto(c.earlier)) << "a refused correction changes nothing";
    EXPECT_THAT(corrected, EqualsProto(c.corrected));
  }
}

// The header: `earlier` "must be CURRENT and by the same certifier, FAILED_PRECONDITION
// otherwise".
TEST(InspectionCorrectionTest, AnotherCertifiersInspectionIsPermissionDenied) {
  const Inspection original = Recorded("insp-1", "CERT-1");
  Inspection earlier = original;
  Inspection corrected = Recorded("insp-2", "CERT-2");
  const absl::Status status = LinkCorrection(earlier, corrected, "fix");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("insp-1 is not one of yours"));
  // Who made it is not the caller's to learn.
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("CERT-1")));
  EXPECT_THAT(earlier, EqualsProto(original));
}

TEST(InspectionGradeTableTest, SupersedingLowersGrade) {
  struct Case {
    Inspection::Outcome earlier_outcome;
    v1::Grade earlier_grade;
    Inspection::Outcome later_outcome;
    v1::Grade later_grade;
    bool lowers;
  };
  const Inspection::Outcome kPass = Inspection::PASS, kFail = Inspection::FAIL;
  const v1::Grade kNone = v1::GRADE_UNSPECIFIED;
  const std::vector<Case> cases = {
      {kPass, v1::PREMIUM, kPass, v1::PREMIUM, false},
      {kPass, v1::PREMIUM, kPass, v1::GRADE_I, true},
      {kPass, v1::PREMIUM, kPass, v1::INDUSTRIAL, true},
      {kPass, v1::PREMIUM, kFail, kNone, true},
      {kPass, v1::GRADE_I, kPass, v1::PREMIUM, false},
      {kPass, v1::GRADE_I, kPass, v1::GRADE_I, false},
      {kPass, v1::GRADE_I, kPass, v1::INDUSTRIAL, true},
      {kPass, v1::GRADE_I, kFail, kNone, true},
      {kPass, v1::INDUSTRIAL, kPass, v1::PREMIUM, false},
      {kPass, v1::INDUSTRIAL, kPass, v1::INDUSTRIAL, false},
      {kPass, v1::INDUSTRIAL, kFail, kNone, true},
      {kFail, kNone, kPass, v1::INDUSTRIAL, false},
      {kFail, kNone, kPass, v1::PREMIUM, false},
      {kFail, kNone, kFail, kNone, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(
        Inspection::Outcome_Name(c.earlier_outcome), " ", v1::Grade_Name(c.earlier_grade), " -> ",
        Inspection::Outcome_Name(c.later_outcome), " ", v1::Grade_Name(c.later_grade)));
    Inspection earlier = Recorded("insp-1");
    earlier.set_outcome(c.earlier_outcome);
    earlier.set_grade(c.earlier_grade);
    Inspection later = Recorded("insp-2");
    later.set_outcome(c.later_outcome);
    later.set_grade(c.later_grade);
    EXPECT_EQ(SupersedingLowersGrade(earlier, later), c.lowers);
  }
}

TEST(InspectionGradeTableTest, BetterGrade) {
  // Best first; GRADE_UNSPECIFIED (no grade) is worse than any grade.
  const std::vector<v1::Grade> ranked = {v1::PREMIUM, v1::GRADE_I, v1::INDUSTRIAL,
                                         v1::GRADE_UNSPECIFIED};
  for (size_t i = 0; i < ranked.size(); ++i) {
    for (size_t j = 0; j < ranked.size(); ++j) {
      SCOPED_TRACE(absl::StrCat(v1::Grade_Name(ranked[i]), " vs ", v1::Grade_Name(ranked[j])));
      EXPECT_EQ(BetterGrade(ranked[i], ranked[j]), i < j);
    }
  }
}

TEST(InspectionReadTest, CanReadInspectionByRole) {
  const Inspection inspection = Recorded("insp-1", "CERT-1");  // of firm-1
  struct Case {
    v1::Role role;
    std::string organisation;
    bool may_read;
  };
  const std::vector<Case> cases = {
      {v1::ADMIN, "assoc", true},
      {v1::REGULATOR, "agency", true},
      {v1::FIRM, "firm-1", true},
      {v1::FIRM, "firm-2", false},
      {v1::FIRM, "CERT-1", false},
      {v1::CERTIFIER, "CERT-1", true},
      {v1::CERTIFIER, "CERT-2", false},
      {v1::CERTIFIER, "firm-1", false},
      {v1::ROLE_UNSPECIFIED, "firm-1", false},
      {v1::ROLE_UNSPECIFIED, "CERT-1", false},
      {v1::ROLE_UNSPECIFIED, "", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(v1::Role_Name(c.role), " ", c.organisation));
    EXPECT_EQ(CanReadInspection(inspection, Principal{"tok-1", c.organisation, c.role}),
              c.may_read);
  }
}

// ---------------------------------------------------------------------------------
// Seals

// An inspection of lot-1 against CSCS@2 (Version()) covering `stages`, dated a day
// before kNow.
Inspection OfStages(Inspection inspection, std::vector<std::string> stages, int hours_ago = 24) {
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(2);
  for (std::string& stage : stages) inspection.add_stages(std::move(stage));
  *inspection.mutable_inspection_date() = ToProto(kNow - absl::Hours(hours_ago));
  *inspection.mutable_create_time() = ToProto(kNow - absl::Hours(hours_ago) + absl::Minutes(5));
  return inspection;
}

class SealIssuanceTest : public ::testing::Test {
 protected:
  SealIssuanceTest() {
    lot_ = NewLot();
    lot_.set_box_count(20'000);
    inspection_ = OfStages(Recorded("insp-1"), {"farming", "processing"});
    inspection_.set_grade(v1::GRADE_I);
    version_ = Version();
    request_.set_lot_id("lot-1");
    request_.set_count(100);
  }

  // The lot's inspections: inspection_ and others_.
  std::vector<Inspection> LotInspections() const {
    std::vector<Inspection> all = others_;
    all.push_back(inspection_);
    return all;
  }

  // Planned with the lot's certification computed from its inspections, as IssueSeals
  // does.
  absl::StatusOr<IssuancePlan> Plan(uint32_t max_count = kMaxSealsPerIssuance) const {
    return PlanIssuance(lot_, inspection_, CertifyLot(LotInspections(), version_), version_,
                        request_, "CERT-1", kNow, max_count);
  }

  v1::Lot lot_;
  Inspection inspection_;
  std::vector<Inspection> others_;  // the lot's other inspections
  StandardVersion version_;
  v1::IssueSealsRequest request_;
};

TEST_F(SealIssuanceTest, DefaultsToTheInspectionsGradeAndTheStandardsValidity) {
  const absl::StatusOr<IssuancePlan> plan = Plan();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->grade, v1::GRADE_I);
  EXPECT_EQ(plan->expiry, kNow + absl::Hours(24 * 365));
}

TEST_F(SealIssuanceTest, NoValidityDaysMeansNoExpiry) {
  version_.set_seal_validity_days(0);
  const absl::StatusOr<IssuancePlan> plan = Plan();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->expiry, std::nullopt);
}

TEST_F(SealIssuanceTest, Count) {
  struct Case {
    uint32_t box_count;
    uint32_t seals_issued;
    uint32_t count;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {20'000, 0, 0, absl::StatusCode::kInvalidArgument, "count: must be 1 to 10000 per call"},
      {20'000, 0, 1, absl::StatusCode::kOk, ""},
      {20'000, 0, 10'000, absl::StatusCode::kOk, ""},
      {20'000, 0, 10'001, absl::StatusCode::kInvalidArgument, "count: must be 1 to 10000"},
      {100, 95, 5, absl::StatusCode::kOk, ""},
      {100, 95, 6, absl::StatusCode::kFailedPrecondition,
       "count: lot lot-1 has 100 boxes and 95 seals already; at most 5 more"},
      {100, 100, 1, absl::StatusCode::kFailedPrecondition, "at most 0 more"},
      {100, 0, 101, absl::StatusCode::kFailedPrecondition, "at most 100 more"},
      {20'000, 15'000, 10'000, absl::StatusCode::kFailedPrecondition, "at most 5000 more"},
      {10'000'000, 9'999'999, 1, absl::StatusCode::kOk, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.count, " of ", c.box_count, " boxes, ", c.seals_issued, " issued"));
    lot_.set_box_count(c.box_count);
    lot_.set_seals_issued(c.seals_issued);
    request_.set_count(c.count);
    const absl::StatusOr<IssuancePlan> plan = Plan();
    EXPECT_EQ(plan.status().code(), c.code) << plan.status();
    EXPECT_THAT(std::string(plan.status().message()), HasSubstr(c.message));
  }
}

// The operator's bound (--max-seals-per-issuance) replaces the default one.
TEST_F(SealIssuanceTest, CountWithinTheConfiguredBound) {
  lot_.set_box_count(20'000);
  request_.set_count(50);
  EXPECT_TRUE(Plan(50).ok());
  request_.set_count(51);
  const absl::StatusOr<IssuancePlan> over = Plan(50);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(over.status().message()),
              HasSubstr("count: must be 1 to 50 per call (--max-seals-per-issuance)"));
}

TEST_F(SealIssuanceTest, TheInspectionMustBeTheCertifiersCurrentPassOfTheLot) {
  struct Case {
    std::string name;
    void (*mutate)(Inspection&);
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"another certifier's", [](Inspection& i) { i.set_certifier_id("CERT-2"); },
       absl::StatusCode::kPermissionDenied,
       "inspection insp-1 is not one of yours; only the certifier that made it issues seals"},
      {"of another lot", [](Inspection& i) { i.set_lot_id("lot-2"); },
       absl::StatusCode::kFailedPrecondition, "inspection insp-1 is not of lot lot-1"},
      {"a plant audit", [](Inspection& i) { i.clear_lot_id(); },
       absl::StatusCode::kFailedPrecondition, "is not of lot lot-1"},
      {"superseded",
       [](Inspection& i) {
         i.set_status(Inspection::SUPERSEDED);
         i.set_superseded_by("insp-2");
       },
       absl::StatusCode::kFailedPrecondition, "inspection insp-1 is SUPERSEDED by insp-2"},
      {"a FAIL",
       [](Inspection& i) {
         i.set_outcome(Inspection::FAIL);
         i.set_grade(v1::GRADE_UNSPECIFIED);
       },
       absl::StatusCode::kFailedPrecondition, "inspection insp-1 is a FAIL"},
      {"without an outcome", [](Inspection& i) { i.clear_outcome(); },
       absl::StatusCode::kFailedPrecondition, "insp-1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    inspection_ = OfStages(Recorded("insp-1"), {"farming", "processing"});
    c.mutate(inspection_);
    const absl::StatusOr<IssuancePlan> plan = Plan();
    EXPECT_EQ(plan.status().code(), c.code) << plan.status();
    EXPECT_THAT(std::string(plan.status().message()), HasSubstr(c.message));
  }
}

// The lot's grade is the inspection's when one inspection covers every stage (the
// lot's rule across several inspections is below).
TEST_F(SealIssuanceTest, RequestedGradeNeverBetterThanTheLots) {
  struct Case {
    v1::Grade inspection;
    v1::Grade requested;
    std::optional<v1::Grade> printed;  // nullopt: refused
  };
  const std::vector<Case> cases = {
      {v1::GRADE_I, v1::GRADE_UNSPECIFIED, v1::GRADE_I},
      {v1::GRADE_I, v1::PREMIUM, std::nullopt},
      {v1::GRADE_I, v1::GRADE_I, v1::GRADE_I},
      {v1::GRADE_I, v1::INDUSTRIAL, v1::INDUSTRIAL},
      {v1::PREMIUM, v1::PREMIUM, v1::PREMIUM},
      {v1::PREMIUM, v1::INDUSTRIAL, v1::INDUSTRIAL},
      {v1::INDUSTRIAL, v1::PREMIUM, std::nullopt},
      {v1::INDUSTRIAL, v1::GRADE_I, std::nullopt},
      {v1::INDUSTRIAL, v1::INDUSTRIAL, v1::INDUSTRIAL},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(
        absl::StrCat(v1::Grade_Name(c.requested), " under ", v1::Grade_Name(c.inspection)));
    inspection_.set_grade(c.inspection);
    request_.set_grade(c.requested);
    const absl::StatusOr<IssuancePlan> plan = Plan();
    if (c.printed.has_value()) {
      ASSERT_TRUE(plan.ok()) << plan.status();
      EXPECT_EQ(plan->grade, *c.printed);
    } else {
      EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition) << plan.status();
      EXPECT_THAT(std::string(plan.status().message()),
                  HasSubstr(absl::StrCat("grade: ", v1::Grade_Name(c.requested),
                                         " is better than lot lot-1's certification, ",
                                         v1::Grade_Name(c.inspection))));
    }
  }
}

// Issue 16 §1: a lot is only as good as its worst current stage.
TEST_F(SealIssuanceTest, TheLotMustBeCertifiedByAllItsCurrentInspections) {
  struct Case {
    std::string name;
    std::vector<Inspection> others;
    absl::StatusCode code;
    std::string message;
  };
  // An inspection of the lot by `certifier`, `hours_ago` (insp-1: 24): a PASS at
  // `grade`, or a FAIL when GRADE_UNSPECIFIED.
  const auto other = [](const std::string& id, const std::string& certifier,
                        std::vector<std::string> stages, v1::Grade grade, int hours_ago) {
    Inspection inspection = OfStages(Recorded(id, certifier), std::move(stages), hours_ago);
    if (grade == v1::GRADE_UNSPECIFIED) inspection.set_outcome(Inspection::FAIL);
    inspection.set_grade(grade);
    return inspection;
  };
  const std::vector<Case> cases = {
      {"a newer FAIL of farming",
       {other("insp-2", "CERT-2", {"farming"}, v1::GRADE_UNSPECIFIED, 2)},
       absl::StatusCode::kFailedPrecondition,
       "lot lot-1 is FAILED for CSCS: stage farming: inspection insp-2 of 2025-06-01 FAILed; "
       "no seals"},
      {"an older FAIL of farming is outweighed",
       {other("insp-0", "CERT-1", {"farming"}, v1::GRADE_UNSPECIFIED, 48)},
       absl::StatusCode::kOk,
       ""},
      {"a newer pass of processing leaves insp-1 deciding farming",
       {other("insp-2", "CERT-2", {"processing"}, v1::PREMIUM, 2)},
       absl::StatusCode::kOk,
       ""},
      {"insp-1 decides no stage any more: CERT-1 made none of those the lot rests on",
       {other("insp-2", "CERT-2", {"farming", "processing"}, v1::PREMIUM, 2)},
       absl::StatusCode::kPermissionDenied,
       "lot lot-1's certification rests on inspections insp-2, none made by CERT-1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    others_ = c.others;
    const absl::StatusOr<IssuancePlan> plan = Plan();
    EXPECT_EQ(plan.status().code(), c.code) << plan.status();
    EXPECT_THAT(std::string(plan.status().message()), HasSubstr(c.message));
  }
}

TEST_F(SealIssuanceTest, AStageNeverInspectedLeavesTheLotUncertified) {
  inspection_ = OfStages(Recorded("insp-1"), {"processing"});
  const absl::StatusOr<IssuancePlan> plan = Plan();
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(plan.status().message()),
              HasSubstr("lot lot-1 is UNCERTIFIED for CSCS: stage farming: never inspected"));
  // A version whose seals require processing only.
  version_.add_sealed_stages("processing");
  EXPECT_TRUE(Plan().ok()) << Plan().status();
}

TEST_F(SealIssuanceTest, TheGradeIsTheWorstStagesAndTheSealsRestOnEveryDecidingInspection) {
  inspection_.set_grade(v1::PREMIUM);
  Inspection harvest_lower = OfStages(Recorded("insp-2", "CERT-2"), {"processing"}, 2);
  harvest_lower.set_grade(v1::INDUSTRIAL);
  others_ = {harvest_lower};
  const absl::StatusOr<IssuancePlan> plan = Plan();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->grade, v1::INDUSTRIAL);
  EXPECT_THAT(plan->rests_on, ElementsAre("insp-1", "insp-2"));
  // A better grade than the lot's is refused, naming the stage and inspection.
  request_.set_grade(v1::GRADE_I);
  const absl::StatusOr<IssuancePlan> better = Plan();
  EXPECT_EQ(better.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(better.status().message()),
              HasSubstr("grade: GRADE_I is better than lot lot-1's certification, INDUSTRIAL "
                        "(certified INDUSTRIAL: the worst stage is processing (inspection insp-2"));
}

TEST_F(SealIssuanceTest, ANamedInspectionThatDecidesNothingIsRefused) {
  // CERT-1's own newer inspection decides both stages; insp-1 decides nothing.
  others_ = {OfStages(Recorded("insp-3"), {"farming", "processing"}, 2)};
  const absl::StatusOr<IssuancePlan> plan = Plan();
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(plan.status().message()),
              HasSubstr("inspection_id: inspection insp-1 decides no stage of lot lot-1 any "
                        "more; its certification rests on insp-3"));
}

TEST_F(SealIssuanceTest, UnknownRequestedGradeIsInvalid) {
  request_.set_grade(static_cast<v1::Grade>(9));
  const absl::StatusOr<IssuancePlan> plan = Plan();
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr("grade"));
}

TEST_F(SealIssuanceTest, ExplicitExpiry) {
  struct Case {
    std::string name;
    absl::Time expiry;
    uint32_t validity_days;
    bool ok;
    std::string message = "expire_time: must be in the future";
  };
  const std::string beyond = absl::StrCat("is after the latest allowed, ",
                                          FormatTime(ToProto(kNow + absl::Hours(24 * 365))));
  const std::vector<Case> cases = {
      {"a year ago", kNow - absl::Hours(24 * 365), 365, false},
      {"a second ago", kNow - absl::Seconds(1), 365, false},
      {"now", kNow, 365, false},
      {"in a second", kNow + absl::Seconds(1), 365, true},
      {"on the last day of the standard's validity", kNow + absl::Hours(24 * 365), 365, true},
      {"a second beyond the standard's validity", kNow + absl::Hours(24 * 365) + absl::Seconds(1),
       365, false, beyond},
      {"in ten years, beyond the standard's validity", kNow + absl::Hours(24 * 3650), 365, false,
       beyond},
      {"in ten years, standard without expiry", kNow + absl::Hours(24 * 3650), 0, true},
      {"in a month, standard without expiry", kNow + absl::Hours(24 * 30), 0, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    version_.set_seal_validity_days(c.validity_days);
    *request_.mutable_expire_time() = ToProto(c.expiry);
    const absl::StatusOr<IssuancePlan> plan = Plan();
    if (c.ok) {
      ASSERT_TRUE(plan.ok()) << plan.status();
      EXPECT_EQ(plan->expiry, c.expiry);
    } else {
      EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument) << plan.status();
      EXPECT_THAT(std::string(plan.status().message()), HasSubstr(c.message));
      EXPECT_THAT(std::string(plan.status().message()), HasSubstr("expire_time: "));
    }
  }
}

Seal StoredSeal(Seal::Status status, std::optional<absl::Time> expiry) {
  Seal seal;
  seal.set_code("CSCS-7KQ2M-9XDF3-H");
  seal.set_lot_id("lot-1");
  seal.set_inspection_id("insp-1");
  seal.set_firm_id("firm-1");
  seal.set_certifier_id("CERT-1");
  seal.set_grade(v1::GRADE_I);
  *seal.mutable_issue_time() = ToProto(kNow - absl::Hours(24 * 10));
  if (expiry.has_value()) *seal.mutable_expire_time() = ToProto(*expiry);
  seal.set_status(status);
  return seal;
}

TEST(SealStatusTest, EffectiveStatus) {
  const absl::Time expiry = kNow + absl::Hours(24 * 30);
  struct Case {
    std::string name;
    Seal::Status stored;
    std::optional<absl::Time> expiry;
    absl::Time at;
    Seal::Status expected;
  };
  const std::vector<Case> cases = {
      {"valid, no expiry, far future", Seal::VALID, std::nullopt, kNow + absl::Hours(24 * 36500),
       Seal::VALID},
      {"valid before expiry", Seal::VALID, expiry, kNow, Seal::VALID},
      {"valid a nanosecond before expiry", Seal::VALID, expiry, expiry - absl::Nanoseconds(1),
       Seal::VALID},
      {"valid at the expiry instant", Seal::VALID, expiry, expiry, Seal::EXPIRED},
      {"valid after expiry", Seal::VALID, expiry, expiry + absl::Hours(1), Seal::EXPIRED},
      {"suspended before expiry", Seal::SUSPENDED, expiry, kNow, Seal::SUSPENDED},
      {"suspended after expiry", Seal::SUSPENDED, expiry, expiry + absl::Hours(1), Seal::EXPIRED},
      {"revoked before expiry", Seal::REVOKED, expiry, kNow, Seal::REVOKED},
      {"revoked at expiry", Seal::REVOKED, expiry, expiry, Seal::REVOKED},
      {"revoked long after expiry", Seal::REVOKED, expiry, expiry + absl::Hours(24 * 3650),
       Seal::REVOKED},
      {"revoked, no expiry", Seal::REVOKED, std::nullopt, kNow, Seal::REVOKED},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(EffectiveStatus(StoredSeal(c.stored, c.expiry), c.at), c.expected);
  }
}

TEST(SealTransitionTest, EveryPairOfStates) {
  const std::vector<Seal::Status> states = {Seal::STATUS_UNSPECIFIED, Seal::VALID, Seal::SUSPENDED,
                                            Seal::REVOKED, Seal::EXPIRED};
  const auto allowed = [](Seal::Status from, Seal::Status to) {
    return from == to || (from == Seal::VALID && to == Seal::SUSPENDED) ||
           (from == Seal::SUSPENDED && to == Seal::VALID) ||
           (from == Seal::VALID && to == Seal::REVOKED) ||
           (from == Seal::SUSPENDED && to == Seal::REVOKED);
  };
  int allowed_pairs = 0;
  for (Seal::Status from : states) {
    for (Seal::Status to : states) {
      SCOPED_TRACE(absl::StrCat(Seal::Status_Name(from), " -> ", Seal::Status_Name(to)));
      const absl::Status status = CheckSealTransition(StoredSeal(from, std::nullopt), to);
      if (allowed(from, to)) {
        ++allowed_pairs;
        EXPECT_TRUE(status.ok()) << status;
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
        EXPECT_THAT(
            std::string(status.message()),
            HasSubstr(absl::StrCat("seal CSCS-7KQ2M-9XDF3-H is ", Seal::Status_Name(from))));
      }
    }
  }
  EXPECT_EQ(allowed_pairs, 5 + 4);
}

TEST(SealPermissionTest, CheckMayChangeSeal) {
  const Seal seal = StoredSeal(Seal::VALID, std::nullopt);  // by CERT-1, of firm-1
  struct Case {
    v1::Role role;
    std::string organisation;
    bool may_change;
  };
  const std::vector<Case> cases = {
      {v1::CERTIFIER, "CERT-1", true},
      {v1::CERTIFIER, "CERT-2", false},
      {v1::ADMIN, "assoc", true},
      {v1::ADMIN, "", true},
      {v1::FIRM, "firm-1", false},
      {v1::FIRM, "CERT-1", false},
      {v1::REGULATOR, "agency", false},
      {v1::REGULATOR, "CERT-1", false},
      {v1::ROLE_UNSPECIFIED, "CERT-1", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(v1::Role_Name(c.role), " ", c.organisation));
    const absl::Status status =
        CheckMayChangeSeal(seal, Principal{"tok-1", c.organisation, c.role});
    if (c.may_change) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
      // Neither the seal nor its issuer is named to one who may not change it.
      EXPECT_THAT(std::string(status.message()), HasSubstr("not a seal you issued"));
      EXPECT_THAT(std::string(status.message()), Not(HasSubstr("CSCS-7KQ2M")));
      EXPECT_THAT(std::string(status.message()), Not(HasSubstr("CERT-1")));
    }
  }
}

}  // namespace
}  // namespace sello::domain
