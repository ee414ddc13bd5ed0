// Table-driven tests of norms and compliance: adoption, a norm's status over time, its
// scope, and the compliance verdict over dates, versions, expiry, supersession and the
// certifier's accreditation history.
#include "daemon/domain/compliance.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using v1::Accreditation;
using v1::ComplianceVerdict;
using v1::Inspection;
using v1::Norm;
using v1::StandardVersion;

absl::Time Utc(int year, int month, int day, int hour = 0) {
  return absl::FromCivil(absl::CivilHour(year, month, day, hour), absl::UTCTimeZone());
}

const absl::Time kCreated = Utc(2025, 12, 1);
const absl::Time kEffective = Utc(2026, 1, 1);
const absl::Time kTransitionEnd = Utc(2026, 7, 1);

// CSCS@2 for processing plants in Los Lagos, in force from 2026-01-01, CSCS@1 accepted
// until 2026-07-01, a pass valid for 365 days.
Norm BaseNorm() {
  Norm norm;
  norm.set_id("norm-1");
  norm.set_regulator_id("sernapesca");
  norm.set_title("Código de salmón chileno");
  norm.set_standard_id("CSCS");
  norm.set_standard_version(2);
  norm.mutable_scope()->add_site_types("processing_plant");
  norm.mutable_scope()->set_region("Los Lagos");
  *norm.mutable_effective_from() = ToProto(kEffective);
  *norm.mutable_transition_end() = ToProto(kTransitionEnd);
  norm.set_validity_days(365);
  norm.set_status(Norm::ADOPTED);
  *norm.mutable_create_time() = ToProto(kCreated);
  return norm;
}

v1::Site Site(const std::string& type = "processing_plant",
              const std::string& region = "Los Lagos") {
  v1::Site site;
  site.set_id("site-1");
  site.set_firm_id("firm-1");
  site.set_type(type);
  site.set_region(region);
  return site;
}

// A current inspection by certificadora-x of the processing stage, recorded an hour
// after it took place.
Inspection Insp(const std::string& id, absl::Time date, uint32_t version = 2,
                Inspection::Outcome outcome = Inspection::PASS) {
  Inspection inspection;
  inspection.set_id(id);
  inspection.set_certifier_id("certificadora-x");
  inspection.set_firm_id("firm-1");
  inspection.set_site_id("site-1");
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(version);
  inspection.add_stages("processing");
  *inspection.mutable_inspection_date() = ToProto(date);
  inspection.set_outcome(outcome);
  if (outcome == Inspection::PASS) inspection.set_grade(v1::GRADE_I);
  inspection.set_status(Inspection::CURRENT);
  *inspection.mutable_create_time() = ToProto(date + absl::Hours(1));
  return inspection;
}

Inspection Failed(const std::string& id, absl::Time date, std::vector<std::string> criteria) {
  Inspection inspection = Insp(id, date, 2, Inspection::FAIL);
  for (std::string& criterion : criteria) inspection.add_failing_criteria(std::move(criterion));
  return inspection;
}

Inspection Recorded(Inspection inspection, absl::Time create_time) {
  *inspection.mutable_create_time() = ToProto(create_time);
  return inspection;
}

Inspection Supersedes(Inspection inspection, const std::string& original) {
  inspection.set_supersedes(original);
  return inspection;
}

Inspection OfStandard(Inspection inspection, const std::string& standard_id) {
  inspection.set_standard_id(standard_id);
  return inspection;
}

// certificadora-x's accreditation for every stage of CSCS, valid 2025..2030, with the
// given status changes after its creation as ACTIVE on 2025-01-01.
Accreditation Accredited(std::vector<std::pair<Accreditation::Status, absl::Time>> changes = {},
                         std::vector<std::string> stage_ids = {},
                         absl::Time valid_until = Utc(2030, 1, 1)) {
  Accreditation accreditation;
  accreditation.set_id("acc-x");
  accreditation.set_certifier_id("certificadora-x");
  v1::AccreditationScope* scope = accreditation.add_scope();
  scope->set_standard_id("CSCS");
  for (std::string& stage : stage_ids) scope->add_stage_ids(std::move(stage));
  *accreditation.mutable_valid_from() = ToProto(Utc(2025, 1, 1));
  *accreditation.mutable_valid_until() = ToProto(valid_until);
  v1::AccreditationStatusChange* created = accreditation.add_history();
  created->set_status(Accreditation::ACTIVE);
  *created->mutable_time() = ToProto(Utc(2025, 1, 1));
  accreditation.set_status(Accreditation::ACTIVE);
  for (const auto& [status, time] : changes) {
    v1::AccreditationStatusChange* change = accreditation.add_history();
    change->set_status(status);
    *change->mutable_time() = ToProto(time);
    accreditation.set_status(status);
  }
  return accreditation;
}

AccreditationsByCertifier Certifiers(Accreditation accreditation = Accredited()) {
  return {{"certificadora-x", {std::move(accreditation)}}};
}

// ---------------------------------------------------------------------------------
// NormStatusAt

TEST(NormStatusAtTest, FollowsTheDates) {
  Norm repealed = BaseNorm();
  *repealed.mutable_repeal_time() = ToProto(Utc(2027, 1, 1));
  const struct {
    const char* name;
    const Norm& norm;
    absl::Time at;
    Norm::Status want;
  } kCases[] = {
      {"before it was created", repealed, kCreated - absl::Seconds(1), Norm::STATUS_UNSPECIFIED},
      {"created", repealed, kCreated, Norm::ADOPTED},
      {"just before effective_from", repealed, kEffective - absl::Seconds(1), Norm::ADOPTED},
      {"exactly at effective_from", repealed, kEffective, Norm::IN_FORCE},
      {"just before repeal", repealed, Utc(2027, 1, 1) - absl::Seconds(1), Norm::IN_FORCE},
      {"exactly at repeal_time", repealed, Utc(2027, 1, 1), Norm::REPEALED},
      {"long after repeal", repealed, Utc(2030, 1, 1), Norm::REPEALED},
      {"never repealed", BaseNorm(), Utc(2030, 1, 1), Norm::IN_FORCE},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(NormStatusAt(c.norm, c.at), c.want) << c.name;
  }
}

// ---------------------------------------------------------------------------------
// NormCovers

TEST(NormCoversTest, TypeAndRegion) {
  Norm nationwide = BaseNorm();
  nationwide.mutable_scope()->clear_region();
  nationwide.mutable_scope()->add_site_types("farming_centre");
  const struct {
    const char* name;
    Norm norm;
    v1::Site site;
    bool want;
  } kCases[] = {
      {"type and region match", BaseNorm(), Site(), true},
      {"type not in scope", BaseNorm(), Site("farming_centre"), false},
      {"other region", BaseNorm(), Site("processing_plant", "Aysén"), false},
      {"no region: any region", nationwide, Site("processing_plant", "Aysén"), true},
      {"no region: second type", nationwide, Site("farming_centre", "Aysén"), true},
      {"no region: type still checked", nationwide, Site("hatchery"), false},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(NormCovers(c.norm, c.site), c.want) << c.name;
  }
}

// ---------------------------------------------------------------------------------
// ValidateNewNorm

StandardVersion Version(StandardVersion::Status status = StandardVersion::PUBLISHED) {
  StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(2);
  version.set_status(status);
  return version;
}

TEST(ValidateNewNormTest, AcceptsAValidAdoption) {
  EXPECT_TRUE(ValidateNewNorm(BaseNorm(), Version()).ok());
  Norm no_transition = BaseNorm();
  no_transition.clear_transition_end();
  EXPECT_TRUE(ValidateNewNorm(no_transition, Version()).ok());
  Norm longest = BaseNorm();
  std::string title;
  for (int i = 0; i < 200; ++i) title += "ñ";  // 200 characters, 400 bytes
  longest.set_title(title);
  longest.set_validity_days(3650);
  EXPECT_TRUE(ValidateNewNorm(longest, Version()).ok()) << ValidateNewNorm(longest, Version());
}

TEST(ValidateNewNormTest, NamesEachBadField) {
  const struct {
    const char* name;
    void (*spoil)(Norm&);
    const char* want;
  } kCases[] = {
      {"no title", [](Norm& n) { n.clear_title(); }, "norm.title: required"},
      {"long title", [](Norm& n) { n.set_title(std::string(201, 'a')); },
       "norm.title: must be at most 200 characters (got 201)"},
      {"no standard", [](Norm& n) { n.clear_standard_id(); }, "norm.standard_id: required"},
      {"no version", [](Norm& n) { n.clear_standard_version(); },
       "norm.standard_version: required"},
      {"no site type", [](Norm& n) { n.mutable_scope()->clear_site_types(); },
       "norm.scope.site_types: required"},
      {"empty site type", [](Norm& n) { n.mutable_scope()->add_site_types(""); },
       "norm.scope.site_types[1]: empty"},
      {"no effective_from", [](Norm& n) { n.clear_effective_from(); },
       "norm.effective_from: required"},
      {"transition_end at effective_from",
       [](Norm& n) { *n.mutable_transition_end() = n.effective_from(); },
       "norm.transition_end: must be after effective_from"},
      {"transition_end before effective_from",
       [](Norm& n) { *n.mutable_transition_end() = ToProto(Utc(2025, 1, 1)); },
       "norm.transition_end: must be after effective_from"},
      {"no validity", [](Norm& n) { n.set_validity_days(0); },
       "norm.validity_days: must be 1 to 3650 days (got 0)"},
      {"too long validity", [](Norm& n) { n.set_validity_days(3651); },
       "norm.validity_days: must be 1 to 3650 days (got 3651)"},
  };
  for (const auto& c : kCases) {
    Norm norm = BaseNorm();
    c.spoil(norm);
    const absl::Status status = ValidateNewNorm(norm, Version());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.want)) << c.name;
  }
}

TEST(ValidateNewNormTest, ListsEveryBadField) {
  Norm norm = BaseNorm();
  norm.clear_title();
  norm.set_validity_days(0);
  const absl::Status status = ValidateNewNorm(norm, Version());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("norm.title"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("norm.validity_days"));
}

TEST(ValidateNewNormTest, OnlyAPublishedVersionCanBeAdopted) {
  for (const StandardVersion::Status state :
       {StandardVersion::DRAFT, StandardVersion::SUPERSEDED, StandardVersion::WITHDRAWN}) {
    const absl::Status status = ValidateNewNorm(BaseNorm(), Version(state));
    const std::string name = StandardVersion::Status_Name(state);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << name;
    EXPECT_THAT(std::string(status.message()), HasSubstr("CSCS@2 is " + name)) << name;
  }
  EXPECT_TRUE(ValidateNewNorm(BaseNorm(), Version(StandardVersion::PUBLISHED)).ok());
}

// ---------------------------------------------------------------------------------
// EvaluateCompliance

struct ComplianceCase {
  const char* name;
  std::vector<Inspection> inspections;
  absl::Time at;
  ComplianceVerdict::Reason want_reason;
  std::string want_inspection;  // "" when none is named
  std::string want_detail;      // a substring of the detail
  AccreditationsByCertifier accreditations = Certifiers();
  Norm norm = BaseNorm();
  std::vector<std::string> want_failing = {};
};

Norm WithoutTransition() {
  Norm norm = BaseNorm();
  norm.clear_transition_end();
  return norm;
}

std::vector<ComplianceCase> ComplianceCases() {
  const absl::Time mar1 = Utc(2026, 3, 1);
  return {
      // What there is to judge.
      {"no inspection",
       {},
       Utc(2026, 12, 1),
       ComplianceVerdict::NO_INSPECTION,
       "",
       "no inspection against CSCS"},
      {"only an inspection of another standard",
       {OfStandard(Insp("insp-t", mar1), "TOMATO")},
       Utc(2026, 4, 1),
       ComplianceVerdict::NO_INSPECTION,
       "",
       "no inspection against CSCS"},
      {"a pass satisfies it",
       {Insp("insp-1", Utc(2026, 11, 20))},
       Utc(2026, 12, 1),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "inspection insp-1 of 2026-11-20 (PASS GRADE_I) satisfies it until 2027-11-20"},
      {"an inspection recorded after `at` is not seen",
       {Recorded(Insp("insp-1", Utc(2026, 11, 20)), Utc(2026, 11, 25))},
       Utc(2026, 11, 22),
       ComplianceVerdict::NO_INSPECTION,
       "",
       "no inspection against CSCS"},
      {"the same inspection once recorded",
       {Recorded(Insp("insp-1", Utc(2026, 11, 20)), Utc(2026, 11, 25))},
       Utc(2026, 11, 25),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "satisfies it until 2027-11-20"},
      {"a later FAIL recorded after `at` is not seen",
       {Insp("insp-1", mar1), Recorded(Failed("insp-2", Utc(2026, 5, 1), {"P4"}), Utc(2026, 5, 2))},
       Utc(2026, 5, 1, 12),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "insp-1 of 2026-03-01"},

      // Expiry: a pass satisfies the norm for exactly validity_days.
      {"exactly validity_days after the inspection",
       {Insp("insp-3", Utc(2026, 1, 10))},
       Utc(2027, 1, 10),
       ComplianceVerdict::SATISFIED,
       "insp-3",
       "satisfies it until 2027-01-10"},
      {"a second after validity_days",
       {Insp("insp-3", Utc(2026, 1, 10))},
       Utc(2027, 1, 10) + absl::Seconds(1),
       ComplianceVerdict::EXPIRED,
       "insp-3",
       "inspection insp-3 of 2026-01-10 (PASS GRADE_I) expired on 2027-01-10"},

      // Versions.
      {"a later version is accepted",
       {Insp("insp-1", mar1, 3)},
       Utc(2026, 4, 1),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "satisfies it until"},
      {"an older version before transition_end",
       {Insp("insp-1", mar1, 1)},
       kTransitionEnd - absl::Seconds(1),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "satisfies it until 2027-03-01"},
      {"an older version exactly at transition_end",
       {Insp("insp-1", mar1, 1)},
       kTransitionEnd,
       ComplianceVerdict::WRONG_VERSION,
       "insp-1",
       "inspected against CSCS@1, which the norm stopped accepting on 2026-07-01"},
      {"an older version after transition_end",
       {Insp("insp-1", mar1, 1)},
       Utc(2026, 9, 1),
       ComplianceVerdict::WRONG_VERSION,
       "insp-1",
       "which the norm stopped accepting on 2026-07-01"},
      {"an older version with no transition",
       {Insp("insp-1", mar1, 1)},
       Utc(2026, 4, 1),
       ComplianceVerdict::WRONG_VERSION,
       "insp-1",
       "inspected against CSCS@1; the norm requires CSCS@2 or later",
       Certifiers(),
       WithoutTransition()},
      {"the newest decides: an older pass does not count when the newest is the wrong version",
       {Insp("insp-1", mar1), Insp("insp-2", Utc(2026, 8, 1), 1)},
       Utc(2026, 9, 1),
       ComplianceVerdict::WRONG_VERSION,
       "insp-2",
       "inspected against CSCS@1"},
      {"the newest decides: a newer FAIL outweighs an older pass still within validity",
       {Insp("insp-1", mar1), Failed("insp-2", Utc(2026, 8, 1), {"P4"})},
       Utc(2026, 9, 1),
       ComplianceVerdict::FAILED,
       "insp-2",
       "FAILed on P4",
       Certifiers(),
       BaseNorm(),
       {"P4"}},

      // FAIL and the choice among several.
      {"the last inspection FAILed",
       {Failed("insp-2", Utc(2026, 10, 1), {"P4", "L1"})},
       Utc(2026, 10, 15),
       ComplianceVerdict::FAILED,
       "insp-2",
       "the last inspection, insp-2 of 2026-10-01, FAILed on P4, L1",
       Certifiers(),
       BaseNorm(),
       {"P4", "L1"}},
      {"a FAIL after an expired pass",
       {Insp("insp-1", Utc(2025, 6, 1)), Failed("insp-2", Utc(2026, 10, 1), {"P4"})},
       Utc(2026, 10, 15),
       ComplianceVerdict::FAILED,
       "insp-2",
       "the last inspection, insp-2 of 2026-10-01, FAILed on P4",
       Certifiers(),
       BaseNorm(),
       {"P4"}},
      {"the newest of several passes is named",
       {Insp("insp-1", mar1), Insp("insp-2", Utc(2026, 9, 1)), Insp("insp-0", Utc(2026, 2, 1))},
       Utc(2026, 10, 1),
       ComplianceVerdict::SATISFIED,
       "insp-2",
       "satisfies it until 2027-09-01"},
      {"the newest of several passes, whatever the input order",
       {Insp("insp-2", Utc(2026, 9, 1)), Insp("insp-1", mar1)},
       Utc(2026, 10, 1),
       ComplianceVerdict::SATISFIED,
       "insp-2",
       "satisfies it until 2027-09-01"},
      {"an expired pass",
       {Insp("insp-3", Utc(2025, 6, 1))},
       Utc(2026, 6, 2),
       ComplianceVerdict::EXPIRED,
       "insp-3",
       "inspection insp-3 of 2025-06-01 (PASS GRADE_I) expired on 2026-06-01"},

      // Supersession, as of `at`.
      {"successor recorded after `at`: the original stands",
       {Insp("insp-1", mar1),
        Recorded(Supersedes(Failed("insp-2", mar1, {"P4"}), "insp-1"), Utc(2026, 4, 1))},
       Utc(2026, 3, 15),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "insp-1 of 2026-03-01"},
      {"successor recorded before `at`: the correction counts",
       {Insp("insp-1", mar1),
        Recorded(Supersedes(Failed("insp-2", mar1, {"P4"}), "insp-1"), Utc(2026, 4, 1))},
       Utc(2026, 4, 2),
       ComplianceVerdict::FAILED,
       "insp-2",
       "insp-2 of 2026-03-01, FAILed on P4",
       Certifiers(),
       BaseNorm(),
       {"P4"}},
      {"every inspection of the standard superseded",
       {Insp("insp-1", mar1),
        OfStandard(Recorded(Supersedes(Insp("insp-9", mar1), "insp-1"), Utc(2026, 4, 1)),
                   "TOMATO")},
       Utc(2026, 5, 1),
       ComplianceVerdict::SUPERSEDED,
       "insp-1",
       "inspection insp-1 of 2026-03-01 (PASS GRADE_I) was superseded by insp-9"},

      // The certifier's accreditation on the inspection date.
      {"suspended on the inspection date",
       {Insp("insp-1", mar1)},
       Utc(2026, 6, 1),
       ComplianceVerdict::CERTIFIER_NOT_ACCREDITED,
       "insp-1",
       "certificadora-x was not accredited for CSCS on 2026-03-01 (accreditation acc-x is "
       "SUSPENDED",
       Certifiers(Accredited({{Accreditation::SUSPENDED, Utc(2026, 2, 1)},
                              {Accreditation::ACTIVE, Utc(2026, 4, 1)}}))},
      {"suspended only after the inspection",
       {Insp("insp-1", mar1)},
       Utc(2026, 6, 1),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "satisfies it until 2027-03-01",
       Certifiers(Accredited({{Accreditation::SUSPENDED, Utc(2026, 5, 1)}}))},
      {"withdrawn only after the inspection",
       {Insp("insp-1", mar1)},
       Utc(2026, 6, 1),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "satisfies it until 2027-03-01",
       Certifiers(Accredited({{Accreditation::WITHDRAWN, Utc(2026, 5, 1)}}))},
      {"stage outside the accreditation's scope",
       {Insp("insp-1", mar1)},
       Utc(2026, 6, 1),
       ComplianceVerdict::CERTIFIER_NOT_ACCREDITED,
       "insp-1",
       "on 2026-03-01 (stage processing is outside the scope of accreditation acc-x",
       Certifiers(Accredited({}, {"farming", "harvest"}))},
      {"stage within the accreditation's scope",
       {Insp("insp-1", mar1)},
       Utc(2026, 6, 1),
       ComplianceVerdict::SATISFIED,
       "insp-1",
       "satisfies it",
       Certifiers(Accredited({}, {"harvest", "processing"}))},
      {"inspection outside the accreditation's validity",
       {Insp("insp-1", mar1)},
       Utc(2026, 6, 1),
       ComplianceVerdict::CERTIFIER_NOT_ACCREDITED,
       "insp-1",
       "(accreditation acc-x is valid from 2025-01-01 until 2026-03-01",
       Certifiers(Accredited({}, {}, mar1))},
      {"no accreditation at all",
       {Insp("insp-1", mar1)},
       Utc(2026, 6, 1),
       ComplianceVerdict::CERTIFIER_NOT_ACCREDITED,
       "insp-1",
       "certificadora-x was not accredited for CSCS on 2026-03-01 (no accreditation",
       AccreditationsByCertifier{}},
  };
}

TEST(EvaluateComplianceTest, Table) {
  for (const ComplianceCase& c : ComplianceCases()) {
    const ComplianceVerdict verdict =
        EvaluateCompliance(c.norm, Site(), c.inspections, c.accreditations, c.at);
    SCOPED_TRACE(c.name);
    EXPECT_EQ(verdict.norm_id(), "norm-1");
    EXPECT_EQ(verdict.site_id(), "site-1");
    EXPECT_EQ(ComplianceVerdict::Reason_Name(verdict.reason()),
              ComplianceVerdict::Reason_Name(c.want_reason));
    EXPECT_EQ(verdict.status(), c.want_reason == ComplianceVerdict::SATISFIED
                                    ? ComplianceVerdict::COMPLIANT
                                    : ComplianceVerdict::NON_COMPLIANT);
    EXPECT_EQ(verdict.inspection_id(), c.want_inspection);
    EXPECT_THAT(verdict.detail(), HasSubstr(c.want_detail));
    EXPECT_THAT(verdict.failing_criteria(), ElementsAreArray(c.want_failing));
    EXPECT_EQ(IsSet(verdict.valid_until()), c.want_reason == ComplianceVerdict::SATISFIED);
  }
}

TEST(EvaluateComplianceTest, ValidUntilIsTheInspectionDatePlusValidity) {
  const ComplianceVerdict verdict = EvaluateCompliance(
      BaseNorm(), Site(), {Insp("insp-1", Utc(2026, 11, 20))}, Certifiers(), Utc(2026, 12, 1));
  EXPECT_EQ(FromProto(verdict.valid_until()), Utc(2027, 11, 20));
}

}  // namespace
}  // namespace sello::domain
