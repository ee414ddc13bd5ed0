// The public register of certified sites, read page by page from the store: each site's
// certification as GetCertificationStatus computes it, only what passed, filtered, in site
// order, each call's work bounded (a page may end early, with a token to go on).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/certification_ops.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::service {
namespace {

class CertifiedSitesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::Store>> opened =
        storage::OpenRocksStore({.path = dir_.path() + "/db"});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    storage::WriteSet writes;
    v1::Organisation firm;
    firm.set_id("salmones-sur");
    firm.set_kind(v1::Organisation::FIRM);
    firm.set_name("Salmones del Sur");
    storage::PutOrganisation(writes, firm);
    // s1 PREMIUM, s2 GRADE_I then a newer FAIL, s3 (a farm in Aysen) INDUSTRIAL, s4 never
    // inspected, s5 GRADE_I in two standards, s6 a superseded PREMIUM under a current FAIL.
    Site(writes, "s1", "Los Lagos", "processing_plant");
    Site(writes, "s2", "Los Lagos", "processing_plant");
    Site(writes, "s3", "Aysen", "farming_centre");
    Site(writes, "s4", "Los Lagos", "processing_plant");
    Site(writes, "s5", "los lagos", "processing_plant");
    Site(writes, "s6", "Los Lagos", "processing_plant");
    Inspect(writes, "i1", "s1", "CSCS", 1, v1::PREMIUM);
    Inspect(writes, "i2", "s2", "CSCS", 1, v1::GRADE_I);
    Inspect(writes, "i3", "s2", "CSCS", 2, v1::GRADE_UNSPECIFIED);
    Inspect(writes, "i4", "s3", "CSCS", 1, v1::INDUSTRIAL);
    Inspect(writes, "i5", "s5", "CSCS", 1, v1::GRADE_I);
    Inspect(writes, "i6", "s5", "PTOM", 1, v1::GRADE_I);
    Inspect(writes, "i7", "s6", "CSCS", 2, v1::PREMIUM, v1::Inspection::SUPERSEDED);
    Inspect(writes, "i8", "s6", "CSCS", 1, v1::GRADE_UNSPECIFIED);
    ASSERT_TRUE(store_->Write(writes).ok());
  }

  static void Site(storage::WriteSet& writes, const std::string& id, const std::string& region,
                   const std::string& type) {
    v1::Site site;
    site.set_id(id);
    site.set_firm_id("salmones-sur");
    site.set_name(absl::StrCat("Planta ", id));
    site.set_region(region);
    site.set_type(type);
    site.set_registration_code(absl::StrCat("REG-", id));
    storage::PutSite(writes, site);
  }

  // An inspection of `site` against `standard` on March `day` (GRADE_UNSPECIFIED: FAIL).
  static void Inspect(storage::WriteSet& writes, const std::string& id, const std::string& site,
                      const std::string& standard, int day, v1::Grade grade,
                      v1::Inspection::Status status = v1::Inspection::CURRENT) {
    v1::Inspection inspection;
    inspection.set_id(id);
    inspection.set_site_id(site);
    inspection.set_firm_id("salmones-sur");
    inspection.set_certifier_id("cert-austral");
    inspection.set_standard_id(standard);
    inspection.set_standard_version(1);
    *inspection.mutable_inspection_date() =
        domain::ToProto(absl::FromCivil(absl::CivilDay(2026, 3, day), absl::UTCTimeZone()));
    inspection.set_outcome(grade == v1::GRADE_UNSPECIFIED ? v1::Inspection::FAIL
                                                          : v1::Inspection::PASS);
    inspection.set_grade(grade);
    inspection.set_status(status);
    storage::PutInspection(writes, inspection);
  }

  // Every page of the register: "site:STANDARD=GRADE" per certification, "|" between pages.
  std::string Register(const domain::RegisterFilter& filter, int page_size,
                       size_t budget = kRegisterReadBudget) {
    std::vector<std::string> pages;
    std::string token;
    do {
      google::protobuf::RepeatedPtrField<v1::CertifiedSite> sites;
      absl::StatusOr<std::string> next =
          ReadRegister(*store_, filter, token, page_size, budget, sites);
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok()) break;
      std::vector<std::string> listed;
      for (const v1::CertifiedSite& site : sites) {
        EXPECT_EQ(site.firm_name(), "Salmones del Sur");
        for (const v1::SiteCertification& c : site.certifications()) {
          EXPECT_EQ(c.inspection_id(), "") << "the register names no inspection";
          listed.push_back(
              absl::StrCat(site.site_id(), ":", c.standard_id(), "=", v1::Grade_Name(c.grade())));
        }
      }
      pages.push_back(absl::StrJoin(listed, ","));
      token = *next;
    } while (!token.empty() && pages.size() < 100);
    return absl::StrJoin(pages, "|");
  }

  static domain::RegisterFilter Filter(std::string standard = "",
                                       v1::Grade grade = v1::GRADE_UNSPECIFIED,
                                       std::string region = "", std::string type = "") {
    return domain::RegisterFilter{std::move(standard), grade, std::move(region), std::move(type)};
  }

  test_support::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(CertifiedSitesTest, ListsWhatPassedAsTheStatusComputesItFilteredAndPaged) {
  EXPECT_EQ(Register(Filter(), 50),
            "s1:CSCS=PREMIUM,s3:CSCS=INDUSTRIAL,s5:CSCS=GRADE_I,s5:PTOM=GRADE_I");
  // The same certification as GetCertificationStatus's, but for the failures.
  absl::StatusOr<std::vector<v1::SiteCertification>> s2 = SiteCertifications(*store_, "s2");
  ASSERT_TRUE(s2.ok());
  ASSERT_EQ(s2->size(), 1u);
  EXPECT_EQ((*s2)[0].outcome(), v1::Inspection::FAIL);
  EXPECT_EQ((*s2)[0].inspection_id(), "i3");

  EXPECT_EQ(Register(Filter("PTOM"), 50), "s5:PTOM=GRADE_I");
  EXPECT_EQ(Register(Filter("", v1::GRADE_I), 50),
            "s1:CSCS=PREMIUM,s5:CSCS=GRADE_I,s5:PTOM=GRADE_I");
  EXPECT_EQ(Register(Filter("CSCS", v1::PREMIUM), 50), "s1:CSCS=PREMIUM");
  EXPECT_EQ(Register(Filter("", v1::GRADE_UNSPECIFIED, "LOS LAGOS"), 50),
            "s1:CSCS=PREMIUM,s5:CSCS=GRADE_I,s5:PTOM=GRADE_I");
  EXPECT_EQ(Register(Filter("", v1::GRADE_UNSPECIFIED, "", "farming_centre"), 50),
            "s3:CSCS=INDUSTRIAL");
  EXPECT_EQ(Register(Filter("CSCS", v1::GRADE_UNSPECIFIED, "Aysen", "processing_plant"), 50), "");

  // In site order, page by page. A full page does not look ahead: when the sites after it
  // list nothing (s6 failed), the last page is empty.
  EXPECT_EQ(Register(Filter(), 1),
            "s1:CSCS=PREMIUM|s3:CSCS=INDUSTRIAL|s5:CSCS=GRADE_I,s5:PTOM=GRADE_I|");
  EXPECT_EQ(Register(Filter(), 2),
            "s1:CSCS=PREMIUM,s3:CSCS=INDUSTRIAL|s5:CSCS=GRADE_I,s5:PTOM=GRADE_I");
  EXPECT_EQ(Register(Filter("PTOM"), 1), "s5:PTOM=GRADE_I|");
}

TEST_F(CertifiedSitesTest, ACallsWorkIsBoundedAndTheNextPageGoesOn) {
  // A budget of 3: each call looks at a site or two (a site and its inspections) and ends
  // its page early, possibly empty, with a token; every site comes once all the same.
  const std::string pages = Register(Filter(), 50, /*budget=*/3);
  EXPECT_EQ(absl::StrJoin(absl::StrSplit(pages, '|', absl::SkipEmpty()), ","),
            "s1:CSCS=PREMIUM,s3:CSCS=INDUSTRIAL,s5:CSCS=GRADE_I,s5:PTOM=GRADE_I");
  EXPECT_GT(std::count(pages.begin(), pages.end(), '|'), 2) << pages;

  // A token of another listing is refused.
  google::protobuf::RepeatedPtrField<v1::CertifiedSite> sites;
  EXPECT_EQ(ReadRegister(*store_, Filter(), "bm90IGEgdG9rZW4", 10, kRegisterReadBudget, sites)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sello::service
