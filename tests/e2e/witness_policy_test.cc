// End-to-end: clients enforce a witness policy (C2SP tlog-policy). A real seal's proof is
// written as a C2SP tlog-proof, cosigned by hand by two real sello-witness processes, and
// checked offline with `sello audit verify-proof`: accepted only with the quorum, and the
// refusal names who cosigned and who is missing. Against the registry itself (whose
// checkpoints carry no cosignatures yet), `audit checkpoint|verify` and `seal verify
// --proof` with a policy refuse, exit 7.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "daemon/tlog/cosignature.h"
#include "daemon/tlog/tlog_proof.h"
#include "sello/tools/witness.pb.h"
#include "sello/v1/seal.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/witness_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int kMisbehaviour = 7;

class WitnessPolicyTest : public CertificationTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
    log_key_file_ = daemon_.data_dir() + "/log.pub";
    log_key_ = Trimmed(ReadWholeFile(log_key_file_));
  }

  // A seal whose issuance a signed checkpoint covers, and its tlog-proof file's text.
  std::string SealProof(std::string* code) {
    const std::string lot = CreateLot(firm_, "calbuco", 4);
    Submitted(certifier_, InspectionFile().OfLot(lot));
    const std::vector<std::string> codes = Issued(certifier_, lot, 2);
    if (codes.size() != 2) return "";
    *code = codes[1];
    // A checkpoint covers the issuance within a second: ask until the proof reaches it.
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    ProcessResult written;
    do {
      written = daemon_.RunCli("seal", "verify", "--proof", "--log-key-file", log_key_file_,
                               "--format", "tlog-proof", *code);
    } while (written.exit_code != 0 && absl::Now() < deadline);
    EXPECT_EQ(written.exit_code, 0) << written;
    return written.out;
  }

  // `proof` with its checkpoint replaced by `note`.
  static std::string WithCheckpoint(const std::string& proof, const std::string& note) {
    absl::StatusOr<domain::TlogProof> parsed = domain::ParseTlogProof(proof);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    parsed->checkpoint = note;
    return domain::FormatTlogProof(*parsed);
  }

  ProcessResult VerifyProof(const std::string& proof, const std::vector<std::string>& flags) {
    const std::string file =
        daemon_.WriteFile(absl::StrCat("proof-", ++files_, ".tlog-proof"), proof);
    std::vector<std::string> args = {SELLO_PATH, "audit", "--log-key-file", log_key_file_};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"verify-proof", file});
    return RunProcess(args);
  }

  std::string log_key_file_, log_key_;
  int files_ = 0;
};

TEST_F(WitnessPolicyTest, ASealsTlogProofIsAcceptedOnlyWithTheQuorum) {
  std::string code;
  const std::string proof = SealProof(&code);
  ASSERT_THAT(proof, StartsWith("c2sp.org/tlog-proof@v1\nextra "));
  absl::StatusOr<domain::TlogProof> parsed = domain::ParseTlogProof(proof);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const std::string note = parsed->checkpoint;

  // Offline, with the log's key alone, the proof holds.
  const ProcessResult plain = VerifyProof(proof, {});
  ASSERT_EQ(plain.exit_code, 0) << plain;
  EXPECT_THAT(plain.out, HasSubstr(code));
  EXPECT_THAT(plain.out, HasSubstr("OK: the seal was issued as shown"));

  // Two real witnesses of the registry's log cosign its checkpoint; a third never does.
  WitnessHarness regulator("regulator.example/witness"), buyers("buyers.example/witness"),
      absent("absent.example/witness");
  for (WitnessHarness* w : {&regulator, &buyers, &absent}) ASSERT_TRUE(w->Start({log_key_}));
  std::string cosigned = note;
  std::string regulator_line;
  for (WitnessHarness* w : {&regulator, &buyers}) {
    const client::AddCheckpointAnswer answer = w->Submit({0, {}, note});
    ASSERT_EQ(answer.status, 200) << answer.message;
    cosigned = *domain::MergeSignatureLines(cosigned, answer.cosignatures);
    if (w == &regulator) regulator_line = answer.cosignatures;
  }
  const std::string policy = daemon_.WriteFile(
      "policy.txt", absl::StrCat("# the registry and who watches it\n"
                                 "log ",
                                 log_key_, "\nwitness regulator ", regulator.verifier_key(), " ",
                                 regulator.url(), "\nwitness buyers ", buyers.verifier_key(),
                                 "\nwitness absent ", absent.verifier_key(),
                                 "\ngroup two-of-three 2 regulator buyers absent\n"
                                 "quorum two-of-three\n"));

  // Without cosignatures, and with only one, the quorum is not met: exit 7, and who is
  // missing is named.
  const ProcessResult bare = VerifyProof(proof, {"--witness-policy", policy});
  EXPECT_EQ(bare.exit_code, kMisbehaviour) << bare;
  EXPECT_THAT(bare.err, HasSubstr("lacks the witness policy's quorum (group two-of-three: 2 of "
                                  "regulator, buyers, absent)"));
  EXPECT_THAT(bare.err, HasSubstr("cosigned by no witness; missing regulator, buyers, absent"));
  const std::string one = *domain::MergeSignatureLines(note, regulator_line);
  const ProcessResult single =
      VerifyProof(WithCheckpoint(proof, one), {"--witness-policy", policy});
  EXPECT_EQ(single.exit_code, kMisbehaviour) << single;
  EXPECT_THAT(single.err, HasSubstr("cosigned by regulator; missing buyers, absent"));

  // With two, it is accepted, and the answer says who cosigned.
  const ProcessResult quorum =
      VerifyProof(WithCheckpoint(proof, cosigned), {"--witness-policy", policy});
  ASSERT_EQ(quorum.exit_code, 0) << quorum;
  EXPECT_THAT(quorum.out, HasSubstr("quorum met: cosigned by regulator, buyers; missing absent"));
  // The environment variable works as the flag does.
  const std::string file =
      daemon_.WriteFile("cosigned.tlog-proof", WithCheckpoint(proof, cosigned));
  EXPECT_EQ(RunProcess({SELLO_PATH, "audit", "--log-key-file", log_key_file_, "verify-proof", file},
                       {"SELLO_WITNESS_POLICY=" + policy})
                .exit_code,
            0);

  // A cosignature that does not verify makes the whole note invalid.
  const size_t line = cosigned.find("\xE2\x80\x94 buyers.example/witness ");
  ASSERT_NE(line, std::string::npos);
  std::string forged = cosigned;
  const size_t at = forged.find('\n', line) - 5;
  forged[at] = forged[at] == 'A' ? 'B' : 'A';
  const ProcessResult bad =
      VerifyProof(WithCheckpoint(proof, forged), {"--witness-policy", policy});
  EXPECT_EQ(bad.exit_code, kMisbehaviour) << bad;
  EXPECT_THAT(bad.err, HasSubstr("witness buyers: cosignature by buyers.example/witness"));

  // The seal data in the file is checked too: a better grade than the one issued fails.
  domain::TlogProof altered = *parsed;
  tools::SealProofExtra extra;
  ASSERT_TRUE(extra.ParseFromString(*altered.extra));
  v1::Seal seal;
  ASSERT_TRUE(seal.ParseFromString(extra.seal_as_issued()));
  seal.set_grade(seal.grade() == v1::PREMIUM ? v1::GRADE_I : v1::PREMIUM);
  extra.set_seal_as_issued(seal.SerializeAsString());
  altered.extra = extra.SerializeAsString();
  const ProcessResult upgraded = VerifyProof(domain::FormatTlogProof(altered), {});
  EXPECT_EQ(upgraded.exit_code, kMisbehaviour) << upgraded;
  EXPECT_THAT(upgraded.err, HasSubstr("is not in issuance"));
  // Not a proof file at all: invalid input, 5.
  const ProcessResult garbage = VerifyProof("hello\n", {});
  EXPECT_EQ(garbage.exit_code, 5) << garbage;
  EXPECT_THAT(garbage.err, HasSubstr("tlog-proof line 1"));
}

TEST_F(WitnessPolicyTest, TheRegistrysUncosignedCheckpointsAreRefusedUnderAPolicy) {
  std::string code;
  ASSERT_FALSE(SealProof(&code).empty());
  const domain::CosignatureSigner witness = *domain::CosignatureSigner::Generate("w.example/1");
  const std::string policy = daemon_.WriteFile(
      "policy.txt",
      absl::StrCat("log ", log_key_, "\nwitness w1 ", witness.VerifierKey(), "\nquorum w1\n"));
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"audit", "--log-key-file", log_key_file_, "--witness-policy",
                                 policy, "checkpoint"},
        std::vector<std::string>{"audit", "--log-key-file", log_key_file_, "--witness-policy",
                                 policy, "verify", "--state", daemon_.root_dir() + "/state.json"},
        std::vector<std::string>{"seal", "verify", "--proof", "--log-key-file", log_key_file_,
                                 "--witness-policy", policy, code}}) {
    const ProcessResult refused = daemon_.RunCliArgs(command);
    EXPECT_EQ(refused.exit_code, kMisbehaviour) << refused;
    EXPECT_THAT(refused.err, HasSubstr("quorum NOT met: cosigned by no witness; missing w1"))
        << refused;
  }
  // `quorum none` asks for no cosignature.
  const std::string none =
      daemon_.WriteFile("none.txt", absl::StrCat("log ", log_key_, "\nquorum none\n"));
  const ProcessResult accepted = daemon_.RunCli("audit", "--log-key-file", log_key_file_,
                                                "--witness-policy", none, "checkpoint");
  EXPECT_EQ(accepted.exit_code, 0) << accepted;
  EXPECT_THAT(accepted.out, HasSubstr("quorum met: cosigned by no witness; missing none"));

  // A policy that does not list the pinned log, or a malformed one, is a usage error.
  const std::string other_log = daemon_.WriteFile(
      "other.txt",
      absl::StrCat("log ", domain::NoteSigner::Generate("x.example/log")->VerifierKey(),
                   "\nquorum none\n"));
  const ProcessResult unlisted = daemon_.RunCli("audit", "--log-key-file", log_key_file_,
                                                "--witness-policy", other_log, "checkpoint");
  EXPECT_EQ(unlisted.exit_code, 2) << unlisted;
  EXPECT_THAT(unlisted.err, HasSubstr("the policy does not list the pinned log key"));
  const std::string broken = daemon_.WriteFile("broken.txt", "quorum nobody\n");
  const ProcessResult malformed = daemon_.RunCli("audit", "--log-key-file", log_key_file_,
                                                 "--witness-policy", broken, "checkpoint");
  EXPECT_EQ(malformed.exit_code, 2) << malformed;
  EXPECT_THAT(malformed.err, HasSubstr("broken.txt: line 1: quorum \"nobody\""));
  // --witness-policy and --format tlog-proof need --proof.
  EXPECT_EQ(daemon_.RunCli("seal", "verify", "--witness-policy", none, code).exit_code, 2);
  EXPECT_EQ(daemon_.RunCli("seal", "verify", "--format", "tlog-proof", code).exit_code, 2);
}

TEST_F(WitnessPolicyTest, SeveralCodesWriteOneProofFileEach) {
  const std::string lot = CreateLot(firm_, "calbuco", 3);
  Submitted(certifier_, InspectionFile().OfLot(lot));
  const std::vector<std::string> codes = Issued(certifier_, lot, 3);
  ASSERT_EQ(codes.size(), 3u);
  const std::string dir = daemon_.root_dir() + "/proofs";
  std::vector<std::string> args = {"seal",           "verify",      "--proof",
                                   "--log-key-file", log_key_file_, "--format",
                                   "tlog-proof",     "--out",       dir};
  args.insert(args.end(), codes.begin(), codes.end());
  ProcessResult written;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  do {
    written = daemon_.RunCliArgs(args);
  } while (written.exit_code != 0 && absl::Now() < deadline);
  ASSERT_EQ(written.exit_code, 0) << written;
  for (const std::string& each : codes) {
    const std::string path = absl::StrCat(dir, "/", each, ".tlog-proof");
    const ProcessResult checked =
        RunSello("audit", "--log-key-file", log_key_file_, "verify-proof", path);
    EXPECT_EQ(checked.exit_code, 0) << checked;
    EXPECT_THAT(checked.out, HasSubstr(each));
  }
  // Several codes without --out is a usage error.
  std::vector<std::string> no_out(args.begin(), args.end() - 5);
  no_out.insert(no_out.end(), codes.begin(), codes.end());
  EXPECT_EQ(daemon_.RunCliArgs(no_out).exit_code, 2);
}

}  // namespace
}  // namespace sello::e2e
