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

absl::Time Day(int day) {
  return absl::FromCivil(absl::CivilDay(2026, 3, day), absl::UTCTimeZone());
}

// An inspection of the site against `standard`, on March `day`, with `result`: "PREMIUM",
// "GRADE_I", "INDUSTRIAL" or "FAIL"; CURRENT unless `superseded`.
Inspection Made(const std::string& id, const std::string& standard, int day,
                const std::string& result, bool superseded = false) {
  Inspection inspection;
  inspection.set_id(id);
  inspection.set_site_id("calbuco");
  inspection.set_standard_id(standard);
  inspection.set_standard_version(2);
  inspection.set_certifier_id("cert-austral");
  *inspection.mutable_inspection_date() = ToProto(Day(day));
  if (result == "FAIL") {
    inspection.set_outcome(Inspection::FAIL);
  } else {
    inspection.set_outcome(Inspection::PASS);
    v1::Grade grade = v1::GRADE_UNSPECIFIED;
    v1::Grade_Parse(result, &grade);
    inspection.set_grade(grade);
  }
  inspection.set_status(superseded ? Inspection::SUPERSEDED : Inspection::CURRENT);
  return inspection;
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

TEST(NewestCurrentPerStandardTest, TheNewestCurrentInspectionOfEachStandardDecides) {
  const struct {
    const char* what;
    std::vector<Inspection> inspections;
    const char* expected;
  } cases[] = {
      {"no inspection", {}, ""},
      {"one pass", {Made("i1", "CSCS", 2, "PREMIUM")}, "CSCS:PREMIUM(i1)"},
      {"a newer fail replaces a pass",
       {Made("i1", "CSCS", 2, "PREMIUM"), Made("i2", "CSCS", 5, "FAIL")},
       "CSCS:FAIL(i2)"},
      {"an older fail does not",
       {Made("i2", "CSCS", 5, "GRADE_I"), Made("i1", "CSCS", 2, "FAIL")},
       "CSCS:GRADE_I(i2)"},
      {"a superseded inspection never decides",
       {Made("i1", "CSCS", 2, "GRADE_I"), Made("i2", "CSCS", 5, "FAIL", /*superseded=*/true)},
       "CSCS:GRADE_I(i1)"},
      {"only superseded inspections: no entry",
       {Made("i1", "CSCS", 2, "PREMIUM", /*superseded=*/true)},
       ""},
      {"each standard apart, sorted by standard",
       {Made("t1", "PTOM", 3, "INDUSTRIAL"), Made("c1", "CSCS", 2, "PREMIUM"),
        Made("c2", "CSCS", 4, "GRADE_I")},
       "CSCS:GRADE_I(c2) PTOM:INDUSTRIAL(t1)"},
      {"the same day: the greater id is the newer (the by-site index's order)",
       {Made("i-b", "CSCS", 3, "FAIL"), Made("i-a", "CSCS", 3, "PREMIUM")},
       "CSCS:FAIL(i-b)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(Summary(NewestCurrentPerStandard(c.inspections)), c.expected);
  }
}

TEST(NewestCurrentPerStandardTest, KeepsWhatTheStatusShows) {
  Inspection inspection = Made("i1", "CSCS", 2, "GRADE_I");
  inspection.set_certifier_id("cert-norte");
  const std::vector<v1::SiteCertification> certifications = NewestCurrentPerStandard({inspection});
  ASSERT_EQ(certifications.size(), 1u);
  EXPECT_EQ(certifications[0].standard_version(), 2u);
  EXPECT_EQ(certifications[0].certifier_id(), "cert-norte");
  EXPECT_EQ(FromProto(certifications[0].inspection_date()), Day(2));
  EXPECT_EQ(certifications[0].inspection_id(), "i1");
}

TEST(RegisterEntriesTest, ShowsOnlyWhatPassedAndWhatWasAskedFor) {
  const std::vector<v1::SiteCertification> certifications =
      NewestCurrentPerStandard({Made("c1", "CSCS", 2, "GRADE_I"), Made("t1", "PTOM", 3, "FAIL"),
                                Made("x1", "XTRA", 4, "INDUSTRIAL")});
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
