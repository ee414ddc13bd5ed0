// End-to-end: firms see their own seals (issue 16 §5). A firm lists its lot's seals in full
// with `sello seal list`, page by page, and finds its issuances with `sello seal
// issuances`; the issuing certifier, ADMIN and the regulator may too, while another firm,
// another certifier and the public are refused without a code or a count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sello/v1/seal.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUsage = 2;

class SealListingTest : public CertificationTest {
 protected:
  // `sello --token TOKEN -o json seal list ARGS...`, which must succeed.
  v1::ListSealsResponse ListOk(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--token", token, "-o", "json", "seal", "list"});
    const ProcessResult listed = daemon_.RunCliArgs(args);
    EXPECT_EQ(listed.exit_code, 0) << listed;
    return ParseJson<v1::ListSealsResponse>(listed.out);
  }

  static std::vector<std::string> Codes(const v1::ListSealsResponse& listed) {
    std::vector<std::string> codes;
    for (const Seal& seal : listed.seals()) codes.push_back(seal.code());
    return codes;
  }
};

TEST_F(SealListingTest, AFirmListsItsOwnSealsInFullAndOthersAreRefused) {
  const std::string lot = CreateLot(firm_, "calbuco", 20);
  ASSERT_EQ(Submitted(certifier_, InspectionFile().OfLot(lot)).grade(), v1::PREMIUM);
  const std::vector<std::string> first = Issued(certifier_, lot, 3);
  // A second issuance at GRADE_I that expires in a few seconds.
  const absl::Time expiry = absl::Now() + absl::Seconds(6);
  const std::vector<std::string> second =
      Issued(certifier_, lot, 2,
             {"--grade", "grade_i", "--expires",
              absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", expiry, absl::UTCTimeZone())});
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 2u);
  ASSERT_TRUE(Succeeded(
      daemon_.RunCliAs(certifier_, "seal", "suspend", first[1], "--reason", "importer complaint")));

  // The firm finds its issuances, then lists the lot's seals two at a time (the CLI follows
  // the pages): every one, once, issuance by issuance, each in position order, in full.
  const ProcessResult found =
      daemon_.RunCliAs(firm_, "-o", "json", "seal", "issuances", "--lot", lot);
  ASSERT_EQ(found.exit_code, 0) << found;
  const v1::ListIssuancesResponse issuances = ParseJson<v1::ListIssuancesResponse>(found.out);
  ASSERT_EQ(issuances.issuances_size(), 2);
  std::string first_issuance, second_issuance;
  for (const v1::SealIssuance& issuance : issuances.issuances()) {
    EXPECT_EQ(issuance.lot_id(), lot);
    EXPECT_EQ(issuance.certifier_id(), "cert-austral");
    (issuance.count() == 3 ? first_issuance : second_issuance) = issuance.id();
  }
  ASSERT_FALSE(first_issuance.empty());
  ASSERT_FALSE(second_issuance.empty());
  const v1::ListSealsResponse listed = ListOk(firm_, {"--lot", lot, "--page-size", "2"});
  ASSERT_EQ(listed.seals_size(), 5);
  EXPECT_EQ(listed.next_page_token(), "");
  std::vector<std::string> in_order = first;
  in_order.insert(first_issuance < second_issuance ? in_order.end() : in_order.begin(),
                  second.begin(), second.end());
  EXPECT_THAT(Codes(listed), ElementsAreArray(in_order));
  for (const Seal& seal : listed.seals()) {
    SCOPED_TRACE(seal.code());
    const bool of_first = seal.issuance_id() == first_issuance;
    EXPECT_EQ(seal.lot_id(), lot);
    EXPECT_EQ(seal.firm_id(), "salmones-sur");
    EXPECT_EQ(seal.site_id(), "calbuco");
    EXPECT_EQ(seal.certifier_id(), "cert-austral");
    EXPECT_EQ(seal.grade(), of_first ? v1::PREMIUM : v1::GRADE_I);
    EXPECT_TRUE(seal.has_issue_time());
    EXPECT_TRUE(seal.has_expire_time());
    EXPECT_EQ(seal.issuance_id(), of_first ? first_issuance : second_issuance);
    const std::string expected_reason = seal.code() == first[1] ? "importer complaint" : "";
    EXPECT_EQ(seal.status_reason(), expected_reason);
  }
  EXPECT_EQ(listed.seals(first_issuance < second_issuance ? 1 : 3).status(), Seal::SUSPENDED);

  // One issuance, in position order; the table shows the status and reason.
  EXPECT_THAT(Codes(ListOk(firm_, {"--issuance", first_issuance})), ElementsAreArray(first));
  const ProcessResult table = daemon_.RunCliAs(firm_, "seal", "list", "--lot", lot);
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("SUSPENDED"));
  EXPECT_THAT(table.out, HasSubstr("importer complaint"));

  // The issuing certifier and ADMIN read them as well, and so does the regulator.
  EXPECT_EQ(ListOk(certifier_, {"--lot", lot}).seals_size(), 5);
  EXPECT_EQ(ListOk(admin_, {"--issuance", second_issuance}).seals_size(), 2);
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "regulator", "--name",
                                         "Servicio", "--id", "servicio")));
  EXPECT_EQ(ListOk(IssueToken("servicio", "regulator"), {"--lot", lot}).seals_size(), 5);

  // Another firm, another certifier and the public: refused, with no code, no issuance
  // and no count in the message.
  for (const auto& [who, token, exit_code] :
       {std::tuple<std::string, std::string, int>{"another firm", other_firm_, kExitDenied},
        {"another certifier", rival_, kExitDenied},
        {"the public", "", kExitDenied}}) {
    for (const std::vector<std::string>& what :
         {std::vector<std::string>{"seal", "list", "--lot", lot},
          {"seal", "list", "--issuance", first_issuance},
          {"seal", "issuances", "--lot", lot}}) {
      std::vector<std::string> args = what;
      if (!token.empty()) args.insert(args.begin(), {"--token", token});
      const ProcessResult refused = daemon_.RunCliArgs(args);
      SCOPED_TRACE(absl::StrCat(who, ": ", absl::StrJoin(what, " ")));
      EXPECT_EQ(refused.exit_code, exit_code) << refused;
      EXPECT_EQ(refused.out, "");
      for (const std::string& code : in_order) EXPECT_THAT(refused.err, Not(HasSubstr(code)));
      if (what[2] != "--issuance") {
        EXPECT_THAT(refused.err, Not(HasSubstr(first_issuance)));
        EXPECT_THAT(refused.err, Not(HasSubstr(second_issuance)));
      }
      for (const char* count : {" 2 ", " 3 ", " 5 ", "five", "seals: "}) {
        EXPECT_THAT(refused.err, Not(HasSubstr(count)));
      }
    }
  }

  // Mistakes are named: an unknown lot, both or neither of --lot and --issuance.
  EXPECT_EQ(daemon_.RunCliAs(firm_, "seal", "list", "--lot", "lot-nope").exit_code, kExitNotFound);
  EXPECT_EQ(
      daemon_.RunCliAs(firm_, "seal", "list", "--lot", lot, "--issuance", first_issuance).exit_code,
      kExitUsage);
  EXPECT_EQ(daemon_.RunCliAs(firm_, "seal", "list").exit_code, kExitUsage);

  // EXPIRED is computed when read: the second issuance's seals turn EXPIRED at their
  // expiry with nothing written.
  bool expired = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!expired && absl::Now() < give_up) {
    const absl::Time asked = absl::Now();
    const v1::ListSealsResponse now = ListOk(firm_, {"--issuance", second_issuance});
    ASSERT_EQ(now.seals_size(), 2);
    expired = now.seals(0).status() == Seal::EXPIRED && now.seals(1).status() == Seal::EXPIRED;
    if (!expired) {
      EXPECT_EQ(now.seals(0).status(), Seal::VALID);
      EXPECT_LT(asked, expiry + absl::Milliseconds(100)) << "still VALID after its expiry";
    }
  }
  EXPECT_TRUE(expired);
}

TEST_F(SealListingTest, AnIssuanceOfTenThousandSealsListsWhole) {
  const std::string lot = CreateLot(firm_, "calbuco", 10'000);
  ASSERT_EQ(Submitted(certifier_, InspectionFile().OfLot(lot)).outcome(), Inspection::PASS);
  const std::vector<std::string> issued = Issued(certifier_, lot, 10'000);
  ASSERT_EQ(issued.size(), 10'000u);
  const v1::ListSealsResponse listed = ListOk(firm_, {"--lot", lot, "--page-size", "1000"});
  EXPECT_EQ(Codes(listed), issued);
  const std::set<std::string> distinct(issued.begin(), issued.end());
  EXPECT_EQ(distinct.size(), issued.size());
}

}  // namespace
}  // namespace sello::e2e
