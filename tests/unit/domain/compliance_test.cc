// Table-driven tests of norms and compliance: adoption, a norm's status over time, its
// scope, and the compliance verdict over dates, versions, expiry, supersession and the
// certifier's accreditation history.
#include "daemon/domain/compliance.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

// CSCS@2's processing stage for processing plants in Los Lagos, in force from
// 2026-01-01, CSCS@1 accepted until 2026-07-01, a pass valid for 365 days.
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
  norm.add_required_stages("processing");
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

// CSCS@2: stages harvest, processing, final_product.
StandardVersion Version(StandardVersion::Status status = StandardVersion::PUBLISHED) {
  StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(2);
  version.set_status(status);
  for (const char* stage : {"harvest", "processing", "final_product"}) {
    version.add_stages()->set_id(stage);
  }
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

TEST(ValidateNewNormTest, RequiredStagesAreStagesOfTheVersionNamedOnce) {
  Norm norm = BaseNorm();
  norm.clear_required_stages();
  EXPECT_TRUE(ValidateNewNorm(norm, Version()).ok());
  norm.add_required_stages("final_product");
  norm.add_required_stages("harvest");
  EXPECT_TRUE(ValidateNewNorm(norm, Version()).ok());
  const struct {
    const char* name;
    std::vector<std::string> stages;
    const char* want;
  } kCases[] = {
      {"unknown",
       {"harvest", "smoking"},
       "norm.required_stages[1]: 'smoking' is not a stage of CSCS@2"},
      {"twice",
       {"harvest", "processing", "harvest"},
       "norm.required_stages[2]: 'harvest' is named twice"},
      {"empty", {""}, "norm.required_stages[0]: '' is not a stage of CSCS@2"},
      {"more than the version has",
       {"harvest", "processing", "final_product", "harvest"},
       "norm.required_stages: at most the 3 stages of CSCS@2 (got 4)"},
  };
  for (const auto& c : kCases) {
    Norm bad = BaseNorm();
    bad.clear_required_stages();
    for (const std::string& stage : c.stages) bad.add_required_stages(stage);
    const absl::Status status = ValidateNewNorm(bad, Version());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.want)) << c.name;
  }
}

TEST(ResolveRequiredStagesTest, EveryStageOfTheVersionUnlessSomeAreNamed) {
  Norm norm = BaseNorm();
  norm.clear_required_stages();
  ResolveRequiredStages(norm, Version());
  EXPECT_THAT(norm.required_stages(), ElementsAreArray({"harvest", "processing", "final_product"}));
  Norm named = BaseNorm();
  ResolveRequiredStages(named, Version());
  EXPECT_THAT(named.required_stages(), ElementsAreArray({"processing"}));
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

// ---------------------------------------------------------------------------------
// EvaluateCompliance, stage by stage (issue 16 §2): a norm requiring harvest,
// processing and final_product, judged on plant audits and on the site's lots'
// inspections together.

Norm ThreeStageNorm() {
  Norm norm = BaseNorm();
  norm.clear_required_stages();
  for (const char* stage : {"harvest", "processing", "final_product"}) {
    norm.add_required_stages(stage);
  }
  return norm;
}

const std::vector<std::string> kAllStages = {"harvest", "processing", "final_product"};

// Insp() covering `stages`, optionally of a lot of the site.
Inspection Covering(Inspection inspection, const std::vector<std::string>& stages,
                    const std::string& lot = "") {
  inspection.clear_stages();
  for (const std::string& stage : stages) inspection.add_stages(stage);
  inspection.set_lot_id(lot);
  return inspection;
}

struct StageCase {
  const char* name;
  std::vector<Inspection> inspections;
  absl::Time at;
  ComplianceVerdict::Reason want_reason;
  std::string want_stage;       // the deciding stage ("" when none)
  std::string want_inspection;  // "" when none is named
  std::string want_detail;      // a substring of the detail
  // Each required stage's reason and inspection, "stage=REASON:inspection".
  std::vector<std::string> want_stages;
  std::vector<std::string> want_failing = {};
  AccreditationsByCertifier accreditations = Certifiers();
};

std::string StageVerdictSummary(const v1::StageVerdict& stage) {
  return absl::StrCat(stage.stage_id(), "=", ComplianceVerdict::Reason_Name(stage.reason()), ":",
                      stage.inspection_id());
}

std::vector<StageCase> StageCases() {
  const absl::Time mar1 = Utc(2026, 3, 1);
  const absl::Time apr1 = Utc(2026, 4, 1);
  const absl::Time may1 = Utc(2026, 5, 1);
  const absl::Time jun1 = Utc(2026, 6, 1);
  return {
      // Coverage.
      {"nothing at all",
       {},
       jun1,
       ComplianceVerdict::NO_INSPECTION,
       "",
       "",
       "no inspection against CSCS",
       {"harvest=NO_INSPECTION:", "processing=NO_INSPECTION:", "final_product=NO_INSPECTION:"}},
      {"one audit of every stage",
       {Covering(Insp("a", mar1), kAllStages)},
       jun1,
       ComplianceVerdict::SATISFIED,
       "harvest",
       "a",
       "all 3 required stages pass; the first to lapse is stage harvest: inspection a of "
       "2026-03-01 (PASS GRADE_I) satisfies it until 2027-03-01",
       {"harvest=SATISFIED:a", "processing=SATISFIED:a", "final_product=SATISFIED:a"}},
      {"a stage never inspected",
       {Covering(Insp("a", mar1), {"harvest", "processing"})},
       jun1,
       ComplianceVerdict::NO_INSPECTION,
       "final_product",
       "",
       "stage final_product: no inspection against CSCS covers it",
       {"harvest=SATISFIED:a", "processing=SATISFIED:a", "final_product=NO_INSPECTION:"}},
      {"stages covered by a plant audit and two lots together",
       {Covering(Insp("a", mar1), {"harvest"}), Covering(Insp("b", apr1), {"processing"}, "lot-1"),
        Covering(Insp("c", may1), {"final_product"}, "lot-2")},
       jun1,
       ComplianceVerdict::SATISFIED,
       "harvest",
       "a",
       "the first to lapse is stage harvest: inspection a of 2026-03-01",
       {"harvest=SATISFIED:a", "processing=SATISFIED:b", "final_product=SATISFIED:c"}},

      // Issue 16 §2, seen: a processing-only audit after a harvest FAIL.
      {"a processing-only pass does not hide a harvest FAIL",
       {Covering(Failed("a", mar1, {"H2"}), kAllStages), Covering(Insp("b", apr1), {"processing"})},
       jun1,
       ComplianceVerdict::FAILED,
       "harvest",
       "a",
       "stage harvest: the last inspection, a of 2026-03-01, FAILed on H2",
       {"harvest=FAILED:a", "processing=SATISFIED:b", "final_product=FAILED:a"},
       {"H2"}},
      // Issue 16 §2, seen: a lot's current Listeria FAIL, then a newer pass elsewhere.
      {"a lot's FAIL is the site's until something newer covers its stage",
       {Covering(Insp("a", mar1), kAllStages),
        Covering(Failed("b", apr1, {"P4"}), {"processing", "final_product"}, "lot-1"),
        Covering(Insp("c", may1), {"harvest"}, "lot-2")},
       jun1,
       ComplianceVerdict::FAILED,
       "processing",
       "b",
       "stage processing: the last inspection, b of 2026-04-01, FAILed on P4",
       {"harvest=SATISFIED:c", "processing=FAILED:b", "final_product=FAILED:b"},
       {"P4"}},
      {"a newer plant audit of the failed stages clears a lot's FAIL",
       {Covering(Failed("b", apr1, {"P4"}), {"processing", "final_product"}, "lot-1"),
        Covering(Insp("c", may1), kAllStages)},
       jun1,
       ComplianceVerdict::SATISFIED,
       "harvest",
       "c",
       "satisfies it until 2027-05-01",
       {"harvest=SATISFIED:c", "processing=SATISFIED:c", "final_product=SATISFIED:c"}},
      {"a lot's FAIL recorded after `at` is not seen yet",
       {Covering(Insp("a", mar1), kAllStages),
        Recorded(Covering(Failed("b", apr1, {"P4"}), {"processing"}, "lot-1"), may1)},
       Utc(2026, 4, 15),
       ComplianceVerdict::SATISFIED,
       "harvest",
       "a",
       "satisfies it until 2027-03-01",
       {"harvest=SATISFIED:a", "processing=SATISFIED:a", "final_product=SATISFIED:a"}},
      {"...and is once it was recorded",
       {Covering(Insp("a", mar1), kAllStages),
        Recorded(Covering(Failed("b", apr1, {"P4"}), {"processing"}, "lot-1"), may1)},
       may1,
       ComplianceVerdict::FAILED,
       "processing",
       "b",
       "FAILed on P4",
       {"harvest=SATISFIED:a", "processing=FAILED:b", "final_product=SATISFIED:a"},
       {"P4"}},

      // Age: each stage's pass lapses on its own.
      {"the oldest stage lapses first",
       {Covering(Insp("a", Utc(2025, 7, 1)), {"harvest"}),
        Covering(Insp("b", may1), {"processing", "final_product"})},
       jun1,
       ComplianceVerdict::SATISFIED,
       "harvest",
       "a",
       "satisfies it until 2026-07-01",
       {"harvest=SATISFIED:a", "processing=SATISFIED:b", "final_product=SATISFIED:b"}},
      {"...and then the site no longer complies",
       {Covering(Insp("a", Utc(2025, 7, 1)), {"harvest"}),
        Covering(Insp("b", may1), {"processing", "final_product"})},
       Utc(2026, 7, 2),
       ComplianceVerdict::EXPIRED,
       "harvest",
       "a",
       "stage harvest: inspection a of 2025-07-01 (PASS GRADE_I) expired on 2026-07-01",
       {"harvest=EXPIRED:a", "processing=SATISFIED:b", "final_product=SATISFIED:b"}},

      // Supersession, as of `at`.
      {"a correction covering fewer stages leaves a stage to its superseded pass",
       {Covering(Insp("a", mar1), kAllStages),
        Recorded(Supersedes(Covering(Insp("b", mar1), {"harvest", "processing"}), "a"), apr1)},
       may1,
       ComplianceVerdict::SUPERSEDED,
       "final_product",
       "a",
       "stage final_product: inspection a of 2026-03-01 (PASS GRADE_I) was superseded by b",
       {"harvest=SATISFIED:b", "processing=SATISFIED:b", "final_product=SUPERSEDED:a"}},
      {"before the correction was recorded, the original stands",
       {Covering(Insp("a", mar1), kAllStages),
        Recorded(Supersedes(Covering(Insp("b", mar1), {"harvest", "processing"}), "a"), apr1)},
       Utc(2026, 3, 15),
       ComplianceVerdict::SATISFIED,
       "harvest",
       "a",
       "satisfies it until 2027-03-01",
       {"harvest=SATISFIED:a", "processing=SATISFIED:a", "final_product=SATISFIED:a"}},

      // Which stage speaks for a site that does not comply.
      {"a FAIL speaks before a stage never inspected",
       {Covering(Insp("a", mar1), {"harvest"}),
        Covering(Failed("b", apr1, {"Q1"}), {"final_product"})},
       jun1,
       ComplianceVerdict::FAILED,
       "final_product",
       "b",
       "stage final_product: the last inspection, b of 2026-04-01, FAILed on Q1",
       {"harvest=SATISFIED:a", "processing=NO_INSPECTION:", "final_product=FAILED:b"},
       {"Q1"}},
      {"a wrong version speaks before an expired pass",
       {Covering(Insp("a", Utc(2025, 3, 1)), {"harvest"}),
        Covering(Insp("b", may1, 1), {"processing"}), Covering(Insp("c", may1), {"final_product"})},
       Utc(2026, 8, 1),
       ComplianceVerdict::WRONG_VERSION,
       "processing",
       "b",
       "stage processing: inspection b of 2026-05-01 (PASS GRADE_I) was inspected against CSCS@1",
       {"harvest=EXPIRED:a", "processing=WRONG_VERSION:b", "final_product=SATISFIED:c"}},
      {"the certifier of one stage was not accredited",
       {Covering(Insp("a", mar1), {"harvest", "processing"}),
        Covering(Insp("b", may1), {"final_product"})},
       jun1,
       ComplianceVerdict::CERTIFIER_NOT_ACCREDITED,
       "final_product",
       "b",
       "stage final_product: inspection b of 2026-05-01 (PASS GRADE_I): certificadora-x was not "
       "accredited for CSCS on 2026-05-01",
       {"harvest=SATISFIED:a", "processing=SATISFIED:a",
        "final_product=CERTIFIER_NOT_ACCREDITED:b"},
       {},
       Certifiers(Accredited({{Accreditation::SUSPENDED, Utc(2026, 4, 15)}}))},
      {"another standard's inspections do not cover a stage",
       {Covering(Insp("a", mar1), {"harvest", "processing"}),
        OfStandard(Covering(Insp("t", may1), {"final_product"}), "PTOM")},
       jun1,
       ComplianceVerdict::NO_INSPECTION,
       "final_product",
       "",
       "stage final_product: no inspection against CSCS covers it",
       {"harvest=SATISFIED:a", "processing=SATISFIED:a", "final_product=NO_INSPECTION:"}},
  };
}

TEST(EvaluateComplianceStagesTest, Table) {
  for (const StageCase& c : StageCases()) {
    SCOPED_TRACE(c.name);
    const ComplianceVerdict verdict =
        EvaluateCompliance(ThreeStageNorm(), Site(), c.inspections, c.accreditations, c.at);
    EXPECT_EQ(ComplianceVerdict::Reason_Name(verdict.reason()),
              ComplianceVerdict::Reason_Name(c.want_reason));
    EXPECT_EQ(verdict.status(), c.want_reason == ComplianceVerdict::SATISFIED
                                    ? ComplianceVerdict::COMPLIANT
                                    : ComplianceVerdict::NON_COMPLIANT);
    EXPECT_EQ(verdict.deciding_stage(), c.want_stage);
    EXPECT_EQ(verdict.inspection_id(), c.want_inspection);
    EXPECT_THAT(verdict.detail(), HasSubstr(c.want_detail));
    EXPECT_THAT(verdict.failing_criteria(), ElementsAreArray(c.want_failing));
    std::vector<std::string> stages;
    for (const v1::StageVerdict& stage : verdict.stages()) {
      stages.push_back(StageVerdictSummary(stage));
      EXPECT_EQ(stage.status() == ComplianceVerdict::COMPLIANT,
                stage.reason() == ComplianceVerdict::SATISFIED);
      EXPECT_EQ(IsSet(stage.valid_until()), stage.reason() == ComplianceVerdict::SATISFIED);
    }
    EXPECT_THAT(stages, ElementsAreArray(c.want_stages));
    EXPECT_EQ(IsSet(verdict.valid_until()), c.want_reason == ComplianceVerdict::SATISFIED);
  }
}

// A FAIL that decides any required stage makes a compliant site non-compliant, wherever
// it is recorded (a plant audit or any lot) and whatever it covers besides.
TEST(EvaluateComplianceStagesTest, AFailDecidingAnyRequiredStageIsNeverCompliant) {
  const absl::Time mar1 = Utc(2026, 3, 1);
  const std::vector<Inspection> passing = {Covering(Insp("a", mar1), kAllStages)};
  for (const std::string lot : {"", "lot-1"}) {
    for (const std::vector<std::string>& stages :
         std::vector<std::vector<std::string>>{{"harvest"},
                                               {"processing"},
                                               {"final_product"},
                                               {"harvest", "final_product"},
                                               kAllStages}) {
      std::vector<Inspection> inspections = passing;
      inspections.push_back(Covering(Failed("f", Utc(2026, 4, 1), {"X1"}), stages, lot));
      const ComplianceVerdict verdict =
          EvaluateCompliance(ThreeStageNorm(), Site(), inspections, Certifiers(), Utc(2026, 5, 1));
      SCOPED_TRACE(absl::StrCat(lot, " covering ", absl::StrJoin(stages, ",")));
      EXPECT_EQ(verdict.status(), ComplianceVerdict::NON_COMPLIANT);
      EXPECT_EQ(verdict.reason(), ComplianceVerdict::FAILED);
      EXPECT_EQ(verdict.inspection_id(), "f");
      EXPECT_EQ(verdict.deciding_stage(), stages.front());
    }
  }
}

// A FAIL fails every stage it covers; the verdict names the stage whose criteria failed.
TEST(EvaluateComplianceStagesTest, AFailNamesTheStageWhoseCriteriaFailed) {
  Inspection failed = Covering(Failed("f", Utc(2026, 4, 1), {"P4"}), kAllStages);
  v1::CriterionGrade* graded = failed.add_criterion_grades();
  graded->set_criterion_id("P4");
  graded->set_stage_id("processing");
  graded->set_fails_outcome(true);
  const ComplianceVerdict verdict =
      EvaluateCompliance(ThreeStageNorm(), Site(), {failed}, Certifiers(), Utc(2026, 5, 1));
  EXPECT_EQ(verdict.reason(), ComplianceVerdict::FAILED);
  EXPECT_EQ(verdict.deciding_stage(), "processing");
  EXPECT_THAT(verdict.detail(),
              HasSubstr("stage processing: the last inspection, f of 2026-04-01, FAILed on P4"));
  for (const v1::StageVerdict& stage : verdict.stages()) {
    EXPECT_EQ(stage.reason(), ComplianceVerdict::FAILED) << stage.stage_id();
  }
}

// Norms adopted before they named stages: the stages the inspections cover.
TEST(EvaluateComplianceStagesTest, ANormWithoutStagesJudgesTheStagesInspected) {
  Norm norm = BaseNorm();
  norm.clear_required_stages();
  const ComplianceVerdict verdict =
      EvaluateCompliance(norm, Site(),
                         {Covering(Insp("a", Utc(2026, 3, 1)), {"harvest"}),
                          Covering(Failed("b", Utc(2026, 4, 1), {"P4"}), {"processing"})},
                         Certifiers(), Utc(2026, 5, 1));
  EXPECT_EQ(verdict.reason(), ComplianceVerdict::FAILED);
  EXPECT_EQ(verdict.deciding_stage(), "processing");
  EXPECT_EQ(verdict.stages_size(), 2);
}

}  // namespace
}  // namespace sello::domain
