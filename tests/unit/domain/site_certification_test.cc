// A site's certification per standard (the rule shared by GetCertificationStatus and the
// public register), and what the register shows of it: table by table.
#include "daemon/domain/site_certification.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;
using v1::Inspection;

// A site's certification for `standard`, as CertifySite computes it: `result` is
// "PREMIUM", "GRADE_I", "INDUSTRIAL" or "FAIL"; `inspection_id` decides it.
v1::SiteCertification Certified(const std::string& inspection_id, const std::string& standard,
                                const std::string& result) {
  v1::SiteCertification certification;
  certification.set_standard_id(standard);
  certification.set_standard_version(2);
  certification.set_inspection_id(inspection_id);
  certification.set_certifier_id("cert-austral");
  *certification.mutable_inspection_date() =
      ToProto(absl::FromCivil(absl::CivilDay(2026, 3, 2), absl::UTCTimeZone()));
  if (result == "FAIL") {
    certification.set_outcome(Inspection::FAIL);
  } else {
    certification.set_outcome(Inspection::PASS);
    v1::Grade grade = v1::GRADE_UNSPECIFIED;
    v1::Grade_Parse(result, &grade);
    certification.set_grade(grade);
  }
  return certification;
}

// A register filter; every field optional.
RegisterFilter Filter(std::string standard = "", v1::Grade grade = v1::GRADE_UNSPECIFIED,
                      std::string region = "", std::string type = "") {
  return RegisterFilter{std::move(standard), grade, std::move(region), std::move(type)};
}

// "STANDARD:RESULT(inspection id)" per certification, in order.
std::string Summary(const std::vector<v1::SiteCertification>& certifications) {
  std::vector<std::string> parts;
  for (const v1::SiteCertification& c : certifications) {
    parts.push_back(absl::StrCat(
        c.standard_id(), ":", c.outcome() == Inspection::FAIL ? "FAIL" : v1::Grade_Name(c.grade()),
        "(", c.inspection_id(), ")"));
  }
  return absl::StrJoin(parts, " ");
}

TEST(RegisterEntriesTest, ShowsOnlyWhatPassedAndWhatWasAskedFor) {
  const std::vector<v1::SiteCertification> certifications = {Certified("c1", "CSCS", "GRADE_I"),
                                                             Certified("t1", "PTOM", "FAIL"),
                                                             Certified("x1", "XTRA", "INDUSTRIAL")};
  const struct {
    const char* what;
    RegisterFilter filter;
    const char* expected;
  } cases[] = {
      {"no filter: every pass, never the failure", Filter(), "CSCS:GRADE_I() XTRA:INDUSTRIAL()"},
      {"one standard", Filter("CSCS"), "CSCS:GRADE_I()"},
      {"a failed standard is not listed", Filter("PTOM"), ""},
      {"at least GRADE_I", Filter("", v1::GRADE_I), "CSCS:GRADE_I()"},
      {"at least INDUSTRIAL", Filter("", v1::INDUSTRIAL), "CSCS:GRADE_I() XTRA:INDUSTRIAL()"},
      {"at least PREMIUM", Filter("", v1::PREMIUM), ""},
      {"standard and grade", Filter("XTRA", v1::GRADE_I), ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    // The deciding inspection's id is never shown.
    EXPECT_EQ(Summary(RegisterEntries(certifications, c.filter)), c.expected);
  }
}

TEST(RegisterFilterTest, SitesMatchByRegionWithoutCaseAndByTypeExactly) {
  v1::Site site;
  site.set_region("Los Lagos");
  site.set_type("processing_plant");
  const struct {
    RegisterFilter filter;
    bool matches;
  } cases[] = {
      {Filter(), true},
      {Filter("", v1::GRADE_UNSPECIFIED, "Los Lagos"), true},
      {Filter("", v1::GRADE_UNSPECIFIED, "los lagos"), true},
      {Filter("", v1::GRADE_UNSPECIFIED, "Aysen"), false},
      {Filter("", v1::GRADE_UNSPECIFIED, "", "processing_plant"), true},
      {Filter("", v1::GRADE_UNSPECIFIED, "", "farming_centre"), false},
      {Filter("", v1::GRADE_UNSPECIFIED, "LOS LAGOS", "processing_plant"), true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SiteMatches(site, c.filter), c.matches)
        << "region '" << c.filter.region << "' type '" << c.filter.site_type << "'";
  }
}

TEST(RegisterFilterTest, RefusesUnknownGradesAndOverlongFiltersNamingTheField) {
  EXPECT_TRUE(ValidateRegisterFilter(Filter()).ok());
  EXPECT_TRUE(ValidateRegisterFilter(Filter("CSCS", v1::INDUSTRIAL, "Los Lagos", "farm")).ok());
  const absl::Status grade = ValidateRegisterFilter(Filter("", static_cast<v1::Grade>(77)));
  EXPECT_EQ(grade.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(grade.message()), HasSubstr("min_grade"));
  const absl::Status region =
      ValidateRegisterFilter(Filter("", v1::GRADE_UNSPECIFIED, std::string(201, 'x')));
  EXPECT_EQ(region.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(region.message()), HasSubstr("region"));
}

}  // namespace
}  // namespace sello::domain
