// End-to-end: transport security. TLS and mutual TLS round trips with certificates made
// here by the openssl tool; a client without a certificate (or with one from another CA)
// refused under mutual TLS; plaintext refused on a non-loopback listen address by
// sellod, and a token never sent in plaintext to a non-loopback address by sello.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;

constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 6;

// A CA, and certificates it signs, made with `openssl` in `dir`.
class Pki {
 public:
  explicit Pki(std::string dir) : dir_(std::move(dir)) {}

  // A self-signed CA called `name`: NAME.pem and NAME.key.
  void MakeCa(const std::string& name) {
    Run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", Path(name + ".key"), "-out", Path(name + ".pem"), "-days", "2", "-subj",
         "/CN=" + name});
  }

  // A certificate for `name` signed by `ca`, valid for 127.0.0.1 and localhost.
  void MakeCert(const std::string& name, const std::string& ca) {
    Run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         Path(name + ".key"), "-out", Path(name + ".csr"), "-subj", "/CN=" + name});
    const std::string extensions = Path(name + ".ext");
    WriteFile(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    Run({"x509", "-req", "-in", Path(name + ".csr"), "-CA", Path(ca + ".pem"), "-CAkey",
         Path(ca + ".key"), "-CAcreateserial", "-out", Path(name + ".pem"), "-days", "2",
         "-extfile", extensions});
  }

  std::string Path(const std::string& file) const { return dir_ + "/" + file; }

 private:
  void Run(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/openssl");
    const ProcessResult result = RunProcess(args);
    ASSERT_EQ(result.exit_code, 0) << result;
  }
  static void WriteFile(const std::string& path, const std::string& content) {
    FILE* out = std::fopen(path.c_str(), "w");
    ASSERT_NE(out, nullptr) << path;
    std::fputs(content.c_str(), out);
    std::fclose(out);
  }

  std::string dir_;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = std::make_unique<Pki>(daemon_.root_dir());
    ASSERT_NO_FATAL_FAILURE(pki_->MakeCa("ca"));
    ASSERT_NO_FATAL_FAILURE(pki_->MakeCert("server", "ca"));
    ASSERT_NO_FATAL_FAILURE(pki_->MakeCert("client", "ca"));
    ASSERT_NO_FATAL_FAILURE(pki_->MakeCa("rogue-ca"));
    ASSERT_NO_FATAL_FAILURE(pki_->MakeCert("rogue", "rogue-ca"));
  }

  std::vector<std::string> ServerTls() const {
    return {"--tls-cert", pki_->Path("server.pem"), "--tls-key", pki_->Path("server.key")};
  }

  DaemonHarness daemon_;
  std::unique_ptr<Pki> pki_;
};

TEST_F(TlsTest, TlsRoundTripAndPlaintextRefused) {
  daemon_.set_daemon_args(ServerTls());
  daemon_.set_client_tls({pki_->Path("ca.pem"), "", ""});
  ASSERT_TRUE(daemon_.Start());
  const ProcessResult listed = daemon_.RunCliAs(daemon_.admin_token(), "org", "list");
  EXPECT_EQ(listed.exit_code, 0) << listed;
  EXPECT_THAT(listed.out, HasSubstr("association"));
  // A plaintext client cannot talk to a TLS server.
  const ProcessResult plain =
      RunProcess({SELLO_PATH, "--server", daemon_.address(), "--timeout", "3", "org", "list"});
  EXPECT_EQ(plain.exit_code, kExitUnavailable) << plain;
  // Nor a client that trusts another CA.
  const ProcessResult distrusting =
      RunProcess({SELLO_PATH, "--server", daemon_.address(), "--timeout", "3", "--ca",
                  pki_->Path("rogue-ca.pem"), "org", "list"});
  EXPECT_EQ(distrusting.exit_code, kExitUnavailable) << distrusting;
}

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutAGoodCertificate) {
  std::vector<std::string> args = ServerTls();
  args.insert(args.end(), {"--client-ca", pki_->Path("ca.pem")});
  daemon_.set_daemon_args(args);
  daemon_.set_client_tls(
      {pki_->Path("ca.pem"), pki_->Path("client.pem"), pki_->Path("client.key")});
  ASSERT_TRUE(daemon_.Start());
  const ProcessResult whoami = daemon_.RunCliAs(daemon_.admin_token(), "token", "whoami");
  EXPECT_EQ(whoami.exit_code, 0) << whoami;
  EXPECT_THAT(whoami.out, HasSubstr("ADMIN"));
  for (const auto& [what, extra] :
       {std::pair{"no certificate", std::vector<std::string>{}},
        {"another CA's certificate", std::vector<std::string>{"--cert", pki_->Path("rogue.pem"),
                                                              "--key", pki_->Path("rogue.key")}}}) {
    std::vector<std::string> argv = {SELLO_PATH, "--server", daemon_.address(),   "--timeout",
                                     "3",        "--ca",     pki_->Path("ca.pem")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"org", "list"});
    const ProcessResult refused = RunProcess(argv);
    EXPECT_EQ(refused.exit_code, kExitUnavailable) << what << "\n" << refused;
  }
}

TEST_F(TlsTest, SellodRefusesPlaintextBeyondLoopbackUnlessTold) {
  const ProcessResult refused = RunProcess(
      {SELLOD_PATH, "--data-dir", daemon_.root_dir() + "/other", "--listen", "0.0.0.0:0"});
  EXPECT_EQ(refused.exit_code, kExitUsage) << refused;
  EXPECT_THAT(refused.err, HasSubstr("refusing plaintext on 0.0.0.0:0"));
  const ProcessResult half = RunProcess({SELLOD_PATH, "--data-dir", daemon_.root_dir() + "/other",
                                         "--tls-cert", pki_->Path("server.pem")});
  EXPECT_EQ(half.exit_code, kExitUsage) << half;
  EXPECT_THAT(half.err, HasSubstr("--tls-cert and --tls-key go together"));
  // --insecure lets it serve (behind a proxy that terminates TLS).
  daemon_.set_daemon_args({"--insecure"});
  ASSERT_TRUE(daemon_.Start("0.0.0.0:0"));
}

TEST_F(TlsTest, SelloNeverSendsATokenInPlaintextBeyondLoopback) {
  const ProcessResult refused = RunProcess({SELLO_PATH, "--server", "192.0.2.1:7443", "--token",
                                            "secret", "--timeout", "1", "org", "list"});
  EXPECT_EQ(refused.exit_code, kExitUsage) << refused;
  EXPECT_THAT(refused.err, HasSubstr("refusing to send a token in plaintext to 192.0.2.1:7443"));
}

}  // namespace
}  // namespace sello::e2e
