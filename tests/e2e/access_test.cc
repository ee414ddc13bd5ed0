// End-to-end: who may do what. Tokens are issued, used, refused and revoked with the
// real `sello` binary; wrong roles get exit 4 (PERMISSION_DENIED), unknown, revoked or
// missing tokens get exit 4 (UNAUTHENTICATED).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "sello/v1/organisation.pb.h"
#include "sello/v1/token.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kV1[] = TESTDATA_DIR "/tst_v1.json";

// Two firms, each with one site, and a token for the first firm.
class AccessTest : public SessionTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SessionTest::SetUp());
    for (const char* firm : {"salmones-sur", "pesquera-norte"}) {
      ProcessResult created =
          daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", firm, "--id", firm);
      ASSERT_EQ(created.exit_code, 0) << created;
    }
    ProcessResult site_a =
        daemon_.RunCliAs(admin_, "site", "create", "--firm", "salmones-sur", "--type", "plant",
                         "--name", "Planta Calbuco", "--region", "Los Lagos", "--registration-code",
                         "PL-1001", "--id", "calbuco");
    ASSERT_EQ(site_a.exit_code, 0) << site_a;
    ProcessResult site_b =
        daemon_.RunCliAs(admin_, "site", "create", "--firm", "pesquera-norte", "--type", "farm",
                         "--name", "Centro Chiloe", "--region", "Los Lagos", "--registration-code",
                         "FA-2002", "--id", "chiloe");
    ASSERT_EQ(site_b.exit_code, 0) << site_b;
    firm_ = IssueToken("salmones-sur", "firm");
    ASSERT_FALSE(firm_.empty());
  }

  std::string firm_;
};

TEST_F(AccessTest, FirmTokenCannotWriteStandards) {
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "push", kV1).exit_code, 0);

  ProcessResult push = daemon_.RunCliAs(firm_, "standard", "push", kV1);
  EXPECT_EQ(push.exit_code, 4) << push;
  EXPECT_THAT(push.err, HasSubstr("PERMISSION_DENIED"));
  ProcessResult publish = daemon_.RunCliAs(firm_, "standard", "publish", "TST@1");
  EXPECT_EQ(publish.exit_code, 4) << publish;
  EXPECT_THAT(publish.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(publish.err, HasSubstr("FIRM"));
  ProcessResult create = daemon_.RunCliAs(firm_, "org", "create", "--kind", "firm", "--name", "X");
  EXPECT_EQ(create.exit_code, 4) << create;
  ProcessResult issue =
      daemon_.RunCliAs(firm_, "token", "create", "--org", "salmones-sur", "--role", "firm");
  EXPECT_EQ(issue.exit_code, 4) << issue;
  EXPECT_EQ(issue.out, "") << "a refused token create printed a secret";
}

TEST_F(AccessTest, UnknownOrMissingTokenIsUnauthenticated) {
  ProcessResult unknown = daemon_.RunCliAs("sello_not-a-real-token", "org", "list");
  EXPECT_EQ(unknown.exit_code, 4) << unknown;
  EXPECT_THAT(unknown.err, HasSubstr("UNAUTHENTICATED"));
  // The same through the environment variable.
  ProcessResult from_env =
      daemon_.RunCliArgs({"standard", "list"}, {"SELLO_TOKEN=sello_not-a-real-token"});
  EXPECT_EQ(from_env.exit_code, 4) << from_env;
  EXPECT_THAT(from_env.err, HasSubstr("UNAUTHENTICATED"));

  ProcessResult missing = daemon_.RunCli("org", "create", "--kind", "firm", "--name", "X");
  EXPECT_EQ(missing.exit_code, 4) << missing;
  EXPECT_THAT(missing.err, HasSubstr("UNAUTHENTICATED"));
  ProcessResult missing_tokens = daemon_.RunCli("token", "list");
  EXPECT_EQ(missing_tokens.exit_code, 4) << missing_tokens;
  EXPECT_THAT(missing_tokens.err, HasSubstr("UNAUTHENTICATED"));
  ProcessResult missing_sites = daemon_.RunCli("site", "list");
  EXPECT_EQ(missing_sites.exit_code, 4) << missing_sites;

  // Public reads need no token.
  ProcessResult orgs = daemon_.RunCli("org", "list");
  EXPECT_EQ(orgs.exit_code, 0) << orgs;
  EXPECT_THAT(orgs.out, HasSubstr("salmones-sur"));
}

TEST_F(AccessTest, TokenFileAndEnvironmentCarryTheAdminToken) {
  ProcessResult from_file = daemon_.RunCli("--token-file", daemon_.data_dir() + "/admin.token",
                                           "-o", "json", "token", "whoami");
  ASSERT_EQ(from_file.exit_code, 0) << from_file;
  EXPECT_EQ(ParseJson<v1::WhoAmIResponse>(from_file.out).token().role(), v1::ADMIN);

  ProcessResult from_env =
      daemon_.RunCliArgs({"-o", "json", "token", "whoami"}, {"SELLO_TOKEN=" + firm_});
  ASSERT_EQ(from_env.exit_code, 0) << from_env;
  const v1::WhoAmIResponse me = ParseJson<v1::WhoAmIResponse>(from_env.out);
  EXPECT_EQ(me.token().role(), v1::FIRM);
  EXPECT_EQ(me.token().organisation_id(), "salmones-sur");
}

TEST_F(AccessTest, FirmSeesOnlyItsOwnSites) {
  ProcessResult all = daemon_.RunCliAs(admin_, "-o", "json", "site", "list");
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_EQ(ParseJson<v1::ListSitesResponse>(all.out).sites_size(), 2);

  ProcessResult own = daemon_.RunCliAs(firm_, "-o", "json", "site", "list");
  ASSERT_EQ(own.exit_code, 0) << own;
  const v1::ListSitesResponse sites = ParseJson<v1::ListSitesResponse>(own.out);
  ASSERT_EQ(sites.sites_size(), 1) << own;
  EXPECT_EQ(sites.sites(0).id(), "calbuco");
  EXPECT_EQ(sites.sites(0).firm_id(), "salmones-sur");

  ProcessResult table = daemon_.RunCliAs(firm_, "site", "list");
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("calbuco"));
  EXPECT_THAT(table.out, Not(HasSubstr("chiloe")));

  // Asking for the other firm's sites never reveals them.
  ProcessResult other_list = daemon_.RunCliAs(firm_, "site", "list", "--firm", "pesquera-norte");
  EXPECT_THAT(other_list.out, Not(HasSubstr("chiloe"))) << other_list;
  EXPECT_EQ(other_list.exit_code, 4) << other_list;

  ProcessResult mine = daemon_.RunCliAs(firm_, "site", "show", "calbuco");
  EXPECT_EQ(mine.exit_code, 0) << mine;
  EXPECT_THAT(mine.out, HasSubstr("Planta Calbuco"));
  ProcessResult theirs = daemon_.RunCliAs(firm_, "site", "show", "chiloe");
  EXPECT_EQ(theirs.exit_code, 4) << theirs;
  EXPECT_THAT(theirs.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(theirs.out, Not(HasSubstr("Centro Chiloe")));
}

TEST_F(AccessTest, RevokedTokenIsRefused) {
  ProcessResult whoami = daemon_.RunCliAs(firm_, "-o", "json", "token", "whoami");
  ASSERT_EQ(whoami.exit_code, 0) << whoami;
  const std::string id = ParseJson<v1::WhoAmIResponse>(whoami.out).token().id();
  ASSERT_FALSE(id.empty());

  // Listings show the token but never a secret.
  ProcessResult listed = daemon_.RunCliAs(admin_, "-o", "json", "token", "list");
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_THAT(listed.out, HasSubstr(id));
  EXPECT_THAT(listed.out, Not(HasSubstr(firm_)));
  EXPECT_THAT(listed.out, Not(HasSubstr(admin_)));
  ProcessResult by_org =
      daemon_.RunCliAs(admin_, "-o", "json", "token", "list", "--org", "salmones-sur");
  ASSERT_EQ(by_org.exit_code, 0) << by_org;
  const v1::ListTokensResponse firm_tokens = ParseJson<v1::ListTokensResponse>(by_org.out);
  ASSERT_EQ(firm_tokens.tokens_size(), 1) << by_org;
  EXPECT_EQ(firm_tokens.tokens(0).id(), id);
  EXPECT_FALSE(firm_tokens.tokens(0).revoked());

  ProcessResult by_firm = daemon_.RunCliAs(firm_, "token", "revoke", id);
  EXPECT_EQ(by_firm.exit_code, 4) << by_firm;
  ProcessResult revoked = daemon_.RunCliAs(admin_, "token", "revoke", id);
  ASSERT_EQ(revoked.exit_code, 0) << revoked;

  ProcessResult after = daemon_.RunCliAs(firm_, "site", "list");
  EXPECT_EQ(after.exit_code, 4) << after;
  EXPECT_THAT(after.err, HasSubstr("UNAUTHENTICATED"));
  ProcessResult whoami_after = daemon_.RunCliAs(firm_, "token", "whoami");
  EXPECT_EQ(whoami_after.exit_code, 4) << whoami_after;

  const v1::ListTokensResponse now = ParseJson<v1::ListTokensResponse>(
      daemon_.RunCliAs(admin_, "-o", "json", "token", "list", "--org", "salmones-sur").out);
  ASSERT_EQ(now.tokens_size(), 1);
  EXPECT_TRUE(now.tokens(0).revoked());

  ProcessResult unknown = daemon_.RunCliAs(admin_, "token", "revoke", "tok-doesnotexist");
  EXPECT_EQ(unknown.exit_code, 3) << unknown;
}

}  // namespace
}  // namespace sello::e2e
