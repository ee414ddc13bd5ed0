// End-to-end: transport security. TLS and mutual TLS round trips with certificates made
// here by the openssl tool (and by the guide's own commands); a client without a
// certificate (or with one from another CA) refused under mutual TLS; the server's
// certificate checked against the name sello expects (--tls-server-name); a key that is
// not its certificate's refused before anything is created; plaintext refused on a
// non-loopback listen address by sellod, and a token never sent in plaintext to a
// non-loopback address by sello.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

  // A certificate for `name` signed by `ca`, valid for `alt_names` (by default 127.0.0.1
  // and localhost).
  void MakeCert(const std::string& name, const std::string& ca,
                const std::string& alt_names = "IP:127.0.0.1,DNS:localhost") {
    Run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         Path(name + ".key"), "-out", Path(name + ".csr"), "-subj", "/CN=" + name});
    const std::string extensions = Path(name + ".ext");
    WriteFile(extensions, "subjectAltName=" + alt_names + "\n");
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
  daemon_.set_client_tls({pki_->Path("ca.pem"), "", "", ""});
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
      {pki_->Path("ca.pem"), pki_->Path("client.pem"), pki_->Path("client.key"), ""});
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

// The server's certificate is for a name, not for the address sello dials (an IP address,
// a tunnel): --tls-server-name (or SELLO_TLS_SERVER_NAME) says which name to check it
// against. A certificate for another name is refused, the right name accepted.
TEST_F(TlsTest, TheServerNameIsCheckedAgainstTheCertificate) {
  ASSERT_NO_FATAL_FAILURE(pki_->MakeCert("named", "ca", "DNS:registry.example.org"));
  daemon_.set_daemon_args(
      {"--tls-cert", pki_->Path("named.pem"), "--tls-key", pki_->Path("named.key")});
  daemon_.set_client_tls({pki_->Path("ca.pem"), "", "", "registry.example.org"});
  ASSERT_TRUE(daemon_.Start());
  const std::vector<std::string> dial = {SELLO_PATH, "--server", daemon_.address(),   "--timeout",
                                         "3",        "--ca",     pki_->Path("ca.pem")};
  const auto run = [&](std::vector<std::string> extra, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = dial;
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"org", "list"});
    return RunProcess(argv, env);
  };
  // Checked against the address: the certificate is not for 127.0.0.1.
  const ProcessResult by_address = run({});
  EXPECT_EQ(by_address.exit_code, kExitUnavailable) << by_address;
  // Against another name: refused too.
  const ProcessResult other = run({"--tls-server-name", "other.example.org"});
  EXPECT_EQ(other.exit_code, kExitUnavailable) << other;
  // Against its own name, by flag or by variable: accepted.
  const ProcessResult named = run({"--tls-server-name", "registry.example.org"});
  EXPECT_EQ(named.exit_code, 0) << named;
  EXPECT_THAT(named.out, HasSubstr("association"));
  const ProcessResult by_variable = run({}, {"SELLO_TLS_SERVER_NAME=registry.example.org"});
  EXPECT_EQ(by_variable.exit_code, 0) << by_variable;
  // The name implies TLS: a plaintext server is not spoken to in the clear.
  DaemonHarness plain;
  ASSERT_TRUE(plain.Start());
  const ProcessResult to_plain =
      RunProcess({SELLO_PATH, "--server", plain.address(), "--timeout", "3", "--tls-server-name",
                  "registry.example.org", "org", "list"});
  EXPECT_EQ(to_plain.exit_code, kExitUnavailable) << to_plain;
}

// A key that is not the certificate's is said to be so, before sellod creates anything;
// gRPC alone would fail to listen ("address in use or not valid?") after the data dir, the
// store, the log's key and admin.token were made.
TEST_F(TlsTest, AKeyThatDoesNotMatchItsCertificateIsSaidSoBeforeAnythingIsCreated) {
  const std::string data_dir = daemon_.root_dir() + "/never";
  const ProcessResult mismatched =
      RunProcess({SELLOD_PATH, "--data-dir", data_dir, "--listen", "127.0.0.1:0", "--tls-cert",
                  pki_->Path("server.pem"), "--tls-key", pki_->Path("client.key")});
  EXPECT_EQ(mismatched.exit_code, 1) << mismatched;
  EXPECT_THAT(mismatched.err, HasSubstr("\"event\":\"tls_files_invalid\""));
  EXPECT_THAT(mismatched.err, HasSubstr("--tls-key " + pki_->Path("client.key") +
                                        " does not match the certificate in --tls-cert " +
                                        pki_->Path("server.pem")));
  EXPECT_THAT(mismatched.err, Not(HasSubstr("address in use")));
  EXPECT_FALSE(std::filesystem::exists(data_dir)) << "a data dir was created";

  // Files that hold no certificate or no key at all are named too.
  const std::string not_pem = daemon_.WriteFile("not.pem", "not a PEM file\n");
  for (const auto& [cert, key, said] :
       {std::tuple{not_pem, pki_->Path("server.key"),
                   "--tls-cert " + not_pem + ": no PEM certificate"},
        std::tuple{pki_->Path("server.pem"), not_pem,
                   "--tls-key " + not_pem + ": no PEM private key"}}) {
    const ProcessResult refused = RunProcess({SELLOD_PATH, "--data-dir", data_dir, "--listen",
                                              "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key});
    EXPECT_EQ(refused.exit_code, 1) << refused;
    EXPECT_THAT(refused.err, HasSubstr(said));
  }
  const ProcessResult bad_ca = RunProcess(
      {SELLOD_PATH, "--data-dir", data_dir, "--listen", "127.0.0.1:0", "--tls-cert",
       pki_->Path("server.pem"), "--tls-key", pki_->Path("server.key"), "--client-ca", not_pem});
  EXPECT_EQ(bad_ca.exit_code, 1) << bad_ca;
  EXPECT_THAT(bad_ca.err, HasSubstr("--client-ca " + not_pem + ": no PEM certificate"));
  EXPECT_FALSE(std::filesystem::exists(data_dir)) << "a data dir was created";
}

}  // namespace
}  // namespace sello::e2e

namespace sello::e2e {
namespace {

// The guide's TLS commands (deploy/README.md, "TLS"), run as written in a fresh directory:
// a CA, the server's certificate for registry.example.org, and a client certificate; then
// mutual TLS with them, the client checking the server's name with --tls-server-name.
TEST(TlsGuideTest, TheGuidesCommandsMakeCertificatesForMutualTls) {
  const std::string guide = ReadWholeFile(TESTDATA_DIR "/../../deploy/README.md");
  const size_t section = guide.find("\n## TLS\n");
  ASSERT_NE(section, std::string::npos) << "no TLS section in the guide";
  const size_t end = guide.find("\n## ", section + 1);
  const std::string tls = guide.substr(section, end - section);
  std::vector<std::string> blocks;
  for (size_t at = tls.find("```sh\n"); at != std::string::npos; at = tls.find("```sh\n", at)) {
    at += 6;
    const size_t close = tls.find("```", at);
    ASSERT_NE(close, std::string::npos);
    blocks.push_back(tls.substr(at, close - at));
    at = close + 3;
  }
  ASSERT_GE(blocks.size(), 2u) << "the guide gives no commands for client certificates";

  DaemonHarness daemon;
  const std::string dir = daemon.root_dir() + "/tls";
  std::filesystem::create_directories(dir);
  std::string commands;
  for (const std::string& block : blocks) {
    // The client's commands (sello ...) need a running daemon: run below.
    if (block.find("openssl") == std::string::npos) continue;
    commands += block;
  }
  const ProcessResult made =
      RunProcess({"/bin/bash", "-euo", "pipefail", "-c", "cd '" + dir + "' && " + commands});
  ASSERT_EQ(made.exit_code, 0) << commands << "\n" << made;
  for (const char* file : {"ca.pem", "server.pem", "server.key", "client.pem", "client.key"}) {
    ASSERT_TRUE(std::filesystem::exists(dir + "/" + file)) << file << " not made";
  }
  daemon.set_daemon_args({"--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key",
                          "--client-ca", dir + "/ca.pem"});
  daemon.set_client_tls(
      {dir + "/ca.pem", dir + "/client.pem", dir + "/client.key", "registry.example.org"});
  ASSERT_TRUE(daemon.Start());
  const ProcessResult whoami = daemon.RunCliAs(daemon.admin_token(), "token", "whoami");
  EXPECT_EQ(whoami.exit_code, 0) << whoami;
  // Without the client certificate: refused.
  const ProcessResult anonymous =
      RunProcess({SELLO_PATH, "--server", daemon.address(), "--timeout", "3", "--ca",
                  dir + "/ca.pem", "--tls-server-name", "registry.example.org", "org", "list"});
  EXPECT_EQ(anonymous.exit_code, kExitUnavailable) << anonymous;
}

}  // namespace
}  // namespace sello::e2e
