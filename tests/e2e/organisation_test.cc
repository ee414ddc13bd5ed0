// End-to-end: the secretariat registers organisations and sites with `sello org` and
// `sello site`, and anyone lists them, across as many pages as it takes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "sello/v1/organisation.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using v1::Organisation;

using OrganisationTest = SessionTest;

TEST_F(OrganisationTest, RegisterOrganisationsAndSites) {
  ProcessResult firm =
      daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", "Salmones Sur",
                       "--country", "CL", "--id", "salmones-sur", "--member");
  ASSERT_EQ(firm.exit_code, 0) << firm;
  EXPECT_THAT(firm.out, HasSubstr("salmones-sur"));

  // Without --id the server chooses the id.
  ProcessResult certifier = daemon_.RunCliAs(admin_, "-o", "json", "org", "create", "--kind",
                                             "certifier", "--name", "Certificadora Austral");
  ASSERT_EQ(certifier.exit_code, 0) << certifier;
  const Organisation certifier_org = ParseJson<Organisation>(certifier.out);
  EXPECT_FALSE(certifier_org.id().empty());
  EXPECT_EQ(certifier_org.kind(), Organisation::CERTIFIER);

  ProcessResult shown = daemon_.RunCli("-o", "json", "org", "show", "salmones-sur");
  ASSERT_EQ(shown.exit_code, 0) << shown;
  const Organisation salmones = ParseJson<Organisation>(shown.out);
  EXPECT_EQ(salmones.name(), "Salmones Sur");
  EXPECT_EQ(salmones.kind(), Organisation::FIRM);
  EXPECT_EQ(salmones.country(), "CL");
  EXPECT_TRUE(salmones.member());

  ProcessResult duplicate = daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                                             "Again", "--id", "salmones-sur");
  EXPECT_EQ(duplicate.exit_code, 5) << duplicate;
  EXPECT_THAT(duplicate.err, HasSubstr("ALREADY_EXISTS"));
  ProcessResult bad_kind =
      daemon_.RunCliAs(admin_, "org", "create", "--kind", "fishmonger", "--name", "X");
  EXPECT_EQ(bad_kind.exit_code, 2) << bad_kind;
  ProcessResult missing = daemon_.RunCli("org", "show", "nobody");
  EXPECT_EQ(missing.exit_code, 3) << missing;
  EXPECT_THAT(missing.err, HasSubstr("nobody"));

  // Membership: a non-member firm joins, a member leaves.
  ASSERT_EQ(daemon_
                .RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", "Pesquera Norte",
                          "--id", "pesquera-norte")
                .exit_code,
            0);
  EXPECT_FALSE(
      ParseJson<Organisation>(daemon_.RunCli("-o", "json", "org", "show", "pesquera-norte").out)
          .member());
  ProcessResult joined =
      daemon_.RunCliAs(admin_, "org", "join", "pesquera-norte", "--since", "2024-01-01");
  ASSERT_EQ(joined.exit_code, 0) << joined;
  const Organisation member =
      ParseJson<Organisation>(daemon_.RunCli("-o", "json", "org", "show", "pesquera-norte").out);
  EXPECT_TRUE(member.member());
  ASSERT_EQ(member.membership_size(), 1);
  EXPECT_EQ(member.membership(0).since().seconds(), 1704067200);  // 2024-01-01T00:00:00Z
  ProcessResult left = daemon_.RunCliAs(admin_, "org", "leave", "salmones-sur");
  ASSERT_EQ(left.exit_code, 0) << left;
  EXPECT_FALSE(
      ParseJson<Organisation>(daemon_.RunCli("-o", "json", "org", "show", "salmones-sur").out)
          .member());
  ProcessResult firm_joins = daemon_.RunCliAs(admin_, "org", "join", certifier_org.id());
  EXPECT_EQ(firm_joins.exit_code, 5) << "only firms are members\n" << firm_joins;

  ProcessResult firms = daemon_.RunCli("org", "list", "--kind", "firm");
  ASSERT_EQ(firms.exit_code, 0) << firms;
  EXPECT_THAT(firms.out, HasSubstr("salmones-sur"));
  EXPECT_THAT(firms.out, HasSubstr("pesquera-norte"));
  EXPECT_THAT(firms.out, Not(HasSubstr(certifier_org.id())));

  // Sites belong to firms.
  ProcessResult site =
      daemon_.RunCliAs(admin_, "site", "create", "--firm", "salmones-sur", "--type",
                       "processing_plant", "--name", "Planta Calbuco", "--region", "Los Lagos",
                       "--registration-code", "PL-1001", "--id", "calbuco");
  ASSERT_EQ(site.exit_code, 0) << site;
  ProcessResult site_json = daemon_.RunCliAs(admin_, "-o", "json", "site", "show", "calbuco");
  ASSERT_EQ(site_json.exit_code, 0) << site_json;
  const v1::Site calbuco = ParseJson<v1::Site>(site_json.out);
  EXPECT_EQ(calbuco.firm_id(), "salmones-sur");
  EXPECT_EQ(calbuco.type(), "processing_plant");
  EXPECT_EQ(calbuco.region(), "Los Lagos");
  EXPECT_EQ(calbuco.registration_code(), "PL-1001");
  ProcessResult not_a_firm =
      daemon_.RunCliAs(admin_, "site", "create", "--firm", certifier_org.id(), "--type", "plant",
                       "--name", "X", "--region", "Los Lagos", "--registration-code", "X-1");
  EXPECT_EQ(not_a_firm.exit_code, 5) << not_a_firm;
  ProcessResult no_firm =
      daemon_.RunCliAs(admin_, "site", "create", "--firm", "nobody", "--type", "plant", "--name",
                       "X", "--region", "Los Lagos", "--registration-code", "X-2");
  EXPECT_EQ(no_firm.exit_code, 3) << no_firm;
  EXPECT_THAT(no_firm.err, HasSubstr("nobody"));
  ProcessResult by_firm = daemon_.RunCliAs(admin_, "site", "list", "--firm", "salmones-sur");
  ASSERT_EQ(by_firm.exit_code, 0) << by_firm;
  EXPECT_THAT(by_firm.out, HasSubstr("Planta Calbuco"));
  ProcessResult no_site = daemon_.RunCliAs(admin_, "site", "show", "nowhere");
  EXPECT_EQ(no_site.exit_code, 3) << no_site;
}

TEST_F(OrganisationTest, ListingReturnsEveryPage) {
  // More than one page (the server's default page size is at most 50).
  constexpr int kFirms = 60;
  for (int i = 0; i < kFirms; ++i) {
    ProcessResult created =
        daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                         absl::StrCat("Firm ", i), "--id", absl::StrCat("firm-", 100 + i));
    ASSERT_EQ(created.exit_code, 0) << created;
  }
  ProcessResult listed = daemon_.RunCli("-o", "json", "org", "list");
  ASSERT_EQ(listed.exit_code, 0) << listed;
  const v1::ListOrganisationsResponse all = ParseJson<v1::ListOrganisationsResponse>(listed.out);
  std::set<std::string> ids;
  for (const Organisation& organisation : all.organisations()) ids.insert(organisation.id());
  EXPECT_EQ(all.organisations_size(), kFirms + 1) << "the association and the firms, once each";
  EXPECT_EQ(ids.size(), static_cast<size_t>(kFirms + 1));
  EXPECT_TRUE(ids.contains("association"));
  EXPECT_TRUE(ids.contains("firm-100"));
  EXPECT_TRUE(ids.contains("firm-159"));
  EXPECT_TRUE(all.next_page_token().empty());

  ProcessResult firms = daemon_.RunCli("-o", "json", "org", "list", "--kind", "firm");
  ASSERT_EQ(firms.exit_code, 0) << firms;
  EXPECT_EQ(ParseJson<v1::ListOrganisationsResponse>(firms.out).organisations_size(), kFirms);
}

}  // namespace
}  // namespace sello::e2e
