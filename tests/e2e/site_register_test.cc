// End-to-end: buyers find certified suppliers (issue 16 §5). Anyone reads the public
// register of certified sites (`sello site certified`): each site's current
// certification per standard, as `inspect status` computes it, filtered by standard,
// grade, region and type, and never a failure or a detail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sello/v1/inspection.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr int kExitUsage = 2;

class SiteRegisterTest : public CertificationTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
    // Salmones del Sur's farm in Aysen and two more plants of Fjord Foods in Los Lagos.
    for (const auto& [firm, id, type, region, code] :
         {std::tuple{"salmones-sur", "aysen-farm", "farming_centre", "Aysen", "CES-3003"},
          std::tuple{"fjord-foods", "chonchi", "plant", "Los Lagos", "PL-4004"},
          std::tuple{"fjord-foods", "quellon", "plant", "Los Lagos", "PL-5005"}}) {
      ASSERT_TRUE(
          Succeeded(daemon_.RunCliAs(admin_, "site", "create", "--firm", firm, "--type", type,
                                     "--name", absl::StrCat("Centro ", id), "--region", region,
                                     "--registration-code", code, "--id", id)));
    }
    // calbuco PREMIUM, hornopiren GRADE_I (30 h to processing), the farm INDUSTRIAL (45 h),
    // chonchi FAIL (Listeria); quellon never inspected.
    for (const auto& [site, results] :
         {std::pair{"calbuco", Premium()}, std::pair{"hornopiren", With(Premium(), {{"H1", "30"}})},
          std::pair{"aysen-farm", With(Premium(), {{"H1", "45"}})},
          std::pair{"chonchi", With(Premium(), {{"P4", "false"}})}}) {
      const Inspection inspection =
          Submitted(certifier_, InspectionFile().AtSite(site).Measuring(results));
      ASSERT_FALSE(inspection.id().empty());
      inspections_.push_back(inspection.id());
    }
  }

  // `sello -o json site certified ARGS...` (no token unless given), which must succeed.
  v1::ListCertifiedSitesResponse Certified(const std::vector<std::string>& args,
                                           const std::string& token = "") {
    std::vector<std::string> all = {"-o", "json", "site", "certified"};
    all.insert(all.end(), args.begin(), args.end());
    if (!token.empty()) all.insert(all.begin(), {"--token", token});
    const ProcessResult listed = daemon_.RunCliArgs(all);
    EXPECT_EQ(listed.exit_code, 0) << listed;
    last_output_ = listed.out;
    return ParseJson<v1::ListCertifiedSitesResponse>(listed.out);
  }

  // "site=GRADE" per site (each with one certification here).
  static std::vector<std::string> Listed(const v1::ListCertifiedSitesResponse& response) {
    std::vector<std::string> listed;
    for (const v1::CertifiedSite& site : response.sites()) {
      for (const v1::SiteCertification& c : site.certifications()) {
        listed.push_back(absl::StrCat(site.site_id(), "=", v1::Grade_Name(c.grade())));
      }
    }
    return listed;
  }

  std::vector<std::string> inspections_;
  std::string last_output_;
};

TEST_F(SiteRegisterTest, AnyoneFindsCertifiedSitesAndNothingPrivate) {
  const v1::ListCertifiedSitesResponse all = Certified({});
  EXPECT_THAT(Listed(all),
              ElementsAre("aysen-farm=INDUSTRIAL", "calbuco=PREMIUM", "hornopiren=GRADE_I"));
  // Who and where each site is, and its certification; no inspection, no registration
  // code, nothing of the failed or the uninspected site.
  ASSERT_EQ(all.sites_size(), 3);
  const v1::CertifiedSite& calbuco = all.sites(1);
  EXPECT_EQ(calbuco.site_name(), "Planta Calbuco");
  EXPECT_EQ(calbuco.site_type(), "plant");
  EXPECT_EQ(calbuco.region(), "Los Lagos");
  EXPECT_EQ(calbuco.firm_id(), "salmones-sur");
  EXPECT_EQ(calbuco.firm_name(), "Salmones del Sur");
  ASSERT_EQ(calbuco.certifications_size(), 1);
  EXPECT_EQ(calbuco.certifications(0).standard_id(), "CSCS");
  EXPECT_EQ(calbuco.certifications(0).standard_version(), 1u);
  EXPECT_EQ(calbuco.certifications(0).certifier_id(), "cert-austral");
  for (const std::string& secret :
       {std::string("chonchi"), std::string("quellon"), std::string("PL-1001"),
        std::string("CES-3003"), std::string("FAIL")}) {
    EXPECT_THAT(last_output_, Not(HasSubstr(secret)));
  }
  for (const std::string& id : inspections_) EXPECT_THAT(last_output_, Not(HasSubstr(id)));

  // What `inspect status` says of the site (as ADMIN reads it), but no inspection.
  const ProcessResult status =
      daemon_.RunCliAs(admin_, "-o", "json", "inspect", "status", "calbuco");
  ASSERT_EQ(status.exit_code, 0) << status;
  const v1::SiteCertification expected =
      ParseJson<v1::GetCertificationStatusResponse>(status.out).certifications(0);
  const v1::SiteCertification& listed = calbuco.certifications(0);
  EXPECT_EQ(listed.standard_id(), expected.standard_id());
  EXPECT_EQ(listed.standard_version(), expected.standard_version());
  EXPECT_EQ(listed.outcome(), expected.outcome());
  EXPECT_EQ(listed.grade(), expected.grade());
  EXPECT_EQ(listed.inspection_date().seconds(), expected.inspection_date().seconds());
  EXPECT_EQ(listed.certifier_id(), expected.certifier_id());
  EXPECT_EQ(listed.inspection_id(), "");

  // Filters: standard, grade (at least), region (any case), type; a token changes nothing.
  EXPECT_THAT(Listed(Certified({"--grade", "grade_i"})),
              ElementsAre("calbuco=PREMIUM", "hornopiren=GRADE_I"));
  EXPECT_THAT(Listed(Certified({"--grade", "PREMIUM", "--region", "los lagos"})),
              ElementsAre("calbuco=PREMIUM"));
  EXPECT_THAT(Listed(Certified({"--type", "farming_centre"})),
              ElementsAre("aysen-farm=INDUSTRIAL"));
  EXPECT_THAT(Listed(Certified({"--standard", "CSCS", "--region", "Aysen", "--type", "plant"})),
              IsEmpty());
  EXPECT_EQ(Certified({"--standard", "CSCS"}, other_firm_).sites_size(), 3);
  const ProcessResult unknown = daemon_.RunCli("site", "certified", "--standard", "CSCX");
  EXPECT_EQ(unknown.exit_code, kExitNotFound) << unknown;
  EXPECT_THAT(unknown.err, HasSubstr("standard_id"));
  EXPECT_EQ(daemon_.RunCli("site", "certified", "--grade", "excellent").exit_code, kExitUsage);
  const ProcessResult table = daemon_.RunCli("site", "certified");
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("Salmones del Sur"));

  // The register follows the sites' certification: a correction that fails calbuco takes
  // it off, as `inspect status` shows it failed.
  ASSERT_FALSE(Corrected(certifier_, inspections_[0],
                         InspectionFile().Measuring(With(Premium(), {{"P4", "false"}})),
                         "Listeria result came back positive")
                   .id()
                   .empty());
  EXPECT_THAT(Listed(Certified({})), ElementsAre("aysen-farm=INDUSTRIAL", "hornopiren=GRADE_I"));
  const ProcessResult failed =
      daemon_.RunCliAs(admin_, "-o", "json", "inspect", "status", "calbuco");
  ASSERT_EQ(failed.exit_code, 0) << failed;
  EXPECT_EQ(ParseJson<v1::GetCertificationStatusResponse>(failed.out).certifications(0).outcome(),
            Inspection::FAIL);
}

}  // namespace
}  // namespace sello::e2e
