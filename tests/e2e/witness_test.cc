// End-to-end: the real sello-witness speaking C2SP tlog-witness to a log kept in the
// test (every status code), keeping evidence of a log that forks, keeping its state
// across restarts, its limits, TLS and metrics, and `sello witness evidence`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "daemon/tlog/cosignature.h"
#include "sello/tools/witness.pb.h"
#include "tests/e2e/daemon_harness.h"
#include "tests/e2e/witness_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int kExitMisbehaviour = 7;

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_.Append(5);
    ASSERT_TRUE(witness_.Start({log_.verifier_key()}));
  }

  // The witness's cosignature line verifies over `note`'s text under its published key.
  void ExpectCosigns(const std::string& note, const std::string& lines) {
    absl::StatusOr<domain::CosignatureVerifier> verifier =
        domain::CosignatureVerifier::FromVerifierKey(witness_.verifier_key());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    absl::StatusOr<std::string> merged = domain::MergeSignatureLines(note, lines);
    ASSERT_TRUE(merged.ok()) << merged.status();
    absl::StatusOr<domain::SignedNote> parsed = domain::ParseSignedNote(*merged);
    ASSERT_TRUE(parsed.ok());
    bool found = false;
    for (const domain::NoteSignature& line : parsed->signatures) {
      if (!verifier->Matches(line)) continue;
      found = true;
      absl::StatusOr<absl::Time> time = verifier->Verify(parsed->text, line.signature);
      EXPECT_TRUE(time.ok()) << time.status();
      EXPECT_LE(absl::AbsDuration(*time - absl::Now()), absl::Seconds(60));
    }
    EXPECT_TRUE(found) << lines;
  }

  // What the witness holds, as a 409 to "old 0" says (or 0 when it holds nothing).
  uint64_t HeldSize(const TestLog& log) {
    client::AddCheckpointAnswer answer =
        witness_.Submit(domain::AddCheckpointRequest{0, {}, log.Checkpoint(0)});
    if (answer.status == 200) return 0;
    EXPECT_EQ(answer.status, 409) << answer.message;
    return answer.witness_size.value_or(0);
  }

  TestLog log_;
  WitnessHarness witness_;
};

TEST_F(WitnessTest, CosignsAGrowingLogAndNothingElse) {
  // 200: the first checkpoint, from old size 0.
  const std::string first = log_.Checkpoint();
  client::AddCheckpointAnswer answer = witness_.Submit({0, {}, first});
  ASSERT_EQ(answer.status, 200) << answer.message;
  ExpectCosigns(first, answer.cosignatures);
  EXPECT_THAT(answer.cosignatures, StartsWith("\xE2\x80\x94 witness.test/w1 "));

  // 200: extended with a consistency proof; 200 again for the same tree.
  log_.Append(9);
  domain::AddCheckpointRequest extend = log_.Request(5);
  answer = witness_.Submit(extend);
  ASSERT_EQ(answer.status, 200) << answer.message;
  ExpectCosigns(extend.checkpoint, answer.cosignatures);
  answer = witness_.Submit({14, {}, log_.Checkpoint()});
  EXPECT_EQ(answer.status, 200) << answer.message;

  // 409 text/x.tlog.size: a stale old size gets the size held.
  log_.Append(2);
  answer = witness_.Submit(log_.Request(5));
  EXPECT_EQ(answer.status, 409);
  EXPECT_EQ(answer.witness_size, 14u);
  const client::HttpResponse raw = witness_.Request(
      "POST", "/add-checkpoint", domain::FormatAddCheckpointRequest(log_.Request(0)));
  EXPECT_EQ(raw.status, 409);
  EXPECT_EQ(raw.content_type, "text/x.tlog.size");
  EXPECT_EQ(raw.body, "14\n");

  // 422: a proof that does not lead from the held tree (here: from another size).
  domain::AddCheckpointRequest wrong_proof = log_.Request(14);
  wrong_proof.proof = log_.Proof(13, 16);
  answer = witness_.Submit(wrong_proof);
  EXPECT_EQ(answer.status, 422);
  EXPECT_THAT(answer.message, HasSubstr("does not verify"));

  // 400: the old size is beyond the checkpoint's; a malformed body.
  answer = witness_.Submit({20, {}, log_.Checkpoint()});
  EXPECT_EQ(answer.status, 400);
  EXPECT_THAT(answer.message, HasSubstr("old size 20 is beyond the checkpoint's size 16"));
  EXPECT_EQ(witness_.Request("POST", "/add-checkpoint", "old 014\n\n" + log_.Checkpoint()).status,
            400);
  EXPECT_EQ(witness_.Request("POST", "/add-checkpoint", "hello").status, 400);

  // 404: a log it does not witness.
  TestLog stranger("stranger.example/log");
  stranger.Append(3);
  answer = witness_.Submit(stranger.Request(0));
  EXPECT_EQ(answer.status, 404);
  EXPECT_THAT(answer.message, HasSubstr("unknown log origin \"stranger.example/log\""));

  // 403: the right origin signed by another key; the trusted key's signature broken.
  TestLog impostor(log_.signer().name());
  impostor.Append(16);
  answer = witness_.Submit(impostor.Request(14));
  EXPECT_EQ(answer.status, 403);
  EXPECT_THAT(answer.message, HasSubstr("no valid signature by a key this witness trusts"));
  std::string tampered = log_.Checkpoint();
  tampered = absl::StrReplaceAll(tampered, {{"\n16\n", "\n17\n"}});
  answer = witness_.Submit({14, log_.Proof(14, 16), tampered});
  EXPECT_EQ(answer.status, 403);
  EXPECT_THAT(answer.message, HasSubstr("does not verify"));

  // Still 14 after all the refusals; then the honest extension is cosigned.
  EXPECT_EQ(HeldSize(log_), 14u);
  EXPECT_EQ(witness_.Submit(log_.Request(14)).status, 200);
  EXPECT_EQ(HeldSize(log_), 16u);
  // Evidence: only the checkpoint the log did sign whose proof failed (the witness cannot
  // tell a bad proof from a fork; it keeps the pair, marked as not conclusive by itself).
  // The refusals before a valid log signature left nothing.
  const tools::WitnessEvidenceList evidence =
      ParseJson<tools::WitnessEvidenceList>(witness_.Request("GET", "/evidence").body);
  ASSERT_EQ(evidence.evidence_size(), 1);
  EXPECT_EQ(evidence.evidence(0).kind(), "consistency_proof_failed");
  EXPECT_EQ(evidence.evidence(0).conflicting_note(), wrong_proof.checkpoint);
}

TEST_F(WitnessTest, AForkedLogIsRefusedAndBothNotesAreKeptAsEvidence) {
  ASSERT_EQ(witness_.Submit(log_.Request(0)).status, 200);
  log_.Append(3);
  ASSERT_EQ(witness_.Submit(log_.Request(5)).status, 200);
  const std::string cosigned = log_.Checkpoint();

  // The same key signs another history from leaf 4 on.
  TestLog fork = log_.ForkAt(4, "fork ");
  fork.Append(4);  // size 8, as the cosigned one
  const std::string same_size = fork.Checkpoint();
  client::AddCheckpointAnswer answer = witness_.Submit({8, {}, same_size});
  EXPECT_EQ(answer.status, 409);
  EXPECT_FALSE(answer.witness_size.has_value()) << "a root conflict is not a size answer";
  EXPECT_THAT(answer.message, HasSubstr("the log has forked"));
  fork.Append(4);  // size 12, no valid proof from the cosigned 8 exists
  const domain::AddCheckpointRequest larger{8, fork.Proof(8, 12), fork.Checkpoint()};
  answer = witness_.Submit(larger);
  EXPECT_EQ(answer.status, 422);
  // The same conflict again is not kept twice.
  EXPECT_EQ(witness_.Submit({8, {}, same_size}).status, 409);

  const client::HttpResponse served = witness_.Request("GET", "/evidence");
  ASSERT_EQ(served.status, 200);
  EXPECT_EQ(served.content_type, "application/json");
  const tools::WitnessEvidenceList list = ParseJson<tools::WitnessEvidenceList>(served.body);
  EXPECT_EQ(list.witness_key(), witness_.verifier_key());
  ASSERT_EQ(list.evidence_size(), 2);
  EXPECT_EQ(list.evidence(0).kind(), "same_size_different_root");
  EXPECT_EQ(list.evidence(0).origin(), log_.signer().name());
  EXPECT_EQ(list.evidence(0).cosigned_note(), cosigned);
  EXPECT_EQ(list.evidence(0).conflicting_note(), same_size);
  EXPECT_EQ(list.evidence(1).kind(), "consistency_proof_failed");
  EXPECT_EQ(list.evidence(1).conflicting_note(), larger.checkpoint);
  EXPECT_EQ(list.evidence(1).old_size(), 8u);
  EXPECT_EQ(list.evidence(1).proof_size(), static_cast<int>(larger.proof.size()));
  // Both notes of each pair verify under the log's key: the evidence stands on its own.
  absl::StatusOr<domain::NoteVerifier> log_key =
      domain::NoteVerifier::FromVerifierKey(log_.verifier_key());
  for (const tools::WitnessEvidence& e : list.evidence()) {
    EXPECT_TRUE(log_key->Verify(e.cosigned_note()).ok());
    EXPECT_TRUE(log_key->Verify(e.conflicting_note()).ok());
  }

  // `sello witness evidence` prints both notes and exits 7; JSON for tools.
  const ProcessResult shown = RunSello("witness", "evidence", "--witness", witness_.url());
  EXPECT_EQ(shown.exit_code, kExitMisbehaviour) << shown;
  EXPECT_THAT(shown.out, HasSubstr("same_size_different_root"));
  EXPECT_THAT(shown.out, HasSubstr(cosigned));
  EXPECT_THAT(shown.out, HasSubstr(same_size));
  EXPECT_THAT(shown.err, HasSubstr("holds 2 conflicting checkpoint(s)"));
  const ProcessResult json =
      RunSello("-o", "json", "witness", "evidence", "--witness", witness_.url());
  EXPECT_EQ(json.exit_code, kExitMisbehaviour) << json;
  EXPECT_EQ(ParseJson<tools::WitnessEvidenceList>(json.out).evidence_size(), 2);

  // The honest log goes on being cosigned; the evidence survives a restart.
  log_.Append(1);
  EXPECT_EQ(witness_.Submit(log_.Request(8)).status, 200);
  EXPECT_EQ(witness_.Stop(), 0);
  ASSERT_TRUE(witness_.Start({log_.verifier_key()}));
  EXPECT_EQ(ParseJson<tools::WitnessEvidenceList>(witness_.Request("GET", "/evidence").body)
                .evidence_size(),
            2);
  EXPECT_EQ(HeldSize(log_), 9u);
}

TEST_F(WitnessTest, NoEvidenceMeansExitZero) {
  const ProcessResult shown = RunSello("witness", "evidence", "--witness", witness_.url());
  EXPECT_EQ(shown.exit_code, 0) << shown;
  EXPECT_THAT(shown.out, HasSubstr("no evidence"));
  EXPECT_THAT(shown.out, HasSubstr(witness_.verifier_key()));
  // A witness that is not there is UNAVAILABLE (6), not evidence.
  EXPECT_EQ(witness_.Stop(), 0);
  EXPECT_EQ(RunSello("witness", "evidence", "--witness", witness_.url()).exit_code, 6);
  EXPECT_EQ(RunSello("witness", "evidence", "--witness", "ftp://x").exit_code, 5);
}

TEST_F(WitnessTest, StateAndKeySurviveARestart) {
  ASSERT_EQ(witness_.Submit(log_.Request(0)).status, 200);
  const std::string key = witness_.verifier_key();
  EXPECT_THAT(key, StartsWith("witness.test/w1+"));
  struct stat info {};
  ASSERT_EQ(::stat((witness_.data_dir() + "/witness.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_THAT(witness_.log(), HasSubstr("\"event\":\"witness_key_created\""));

  EXPECT_EQ(witness_.Stop(), 0);
  EXPECT_THAT(witness_.log(), HasSubstr("\"event\":\"stopped\""));
  ASSERT_TRUE(witness_.Start({log_.verifier_key()}));
  EXPECT_EQ(witness_.verifier_key(), key);
  EXPECT_THAT(witness_.log(), HasSubstr("\"event\":\"witness_key_loaded\""));
  EXPECT_EQ(HeldSize(log_), 5u);
  const client::HttpResponse described = witness_.Request("GET", "/");
  EXPECT_THAT(described.body, HasSubstr("cosigned size 5"));
  EXPECT_THAT(described.body, HasSubstr(key));
}

TEST_F(WitnessTest, RefusesToStartWrongly) {
  EXPECT_EQ(witness_.Stop(), 0);
  const std::string dir = witness_.data_dir();
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const Case cases[] = {
      {{"--name=witness.test/other", "--log=" + log_.verifier_key()},
       1,
       "the name is part of the key id"},
      {{"--name=witness.test/w1"}, 2, "no log to witness"},
      {{"--name=witness.test/w1", "--log=not-a-key"}, 2, "verifier key: want <name>+<key id>"},
      {{"--name=has space", "--log=" + log_.verifier_key()}, 2, "--name: key name"},
      {{"--name=witness.test/w1", "--log=" + log_.verifier_key(), "--listen=0.0.0.0:0"},
       2,
       "refusing plaintext on --listen 0.0.0.0:0"},
      {{"--name=witness.test/w1", "--log=" + log_.verifier_key(), "--tls-cert=/dev/null"},
       2,
       "go together"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {SELLO_WITNESS_PATH, "--data-dir=" + dir};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    if (std::none_of(c.args.begin(), c.args.end(),
                     [](const std::string& arg) { return absl::StartsWith(arg, "--listen"); })) {
      argv.push_back("--listen=127.0.0.1:0");
    }
    const ProcessResult result = RunProcess(argv);
    EXPECT_EQ(result.exit_code, c.exit_code) << result;
    EXPECT_THAT(result.err, HasSubstr(c.message)) << result;
  }
  // Two witnesses never share a data dir.
  ASSERT_TRUE(witness_.Start({log_.verifier_key()}));
  const ProcessResult second =
      RunProcess({SELLO_WITNESS_PATH, "--data-dir=" + dir, "--name=witness.test/w1",
                  "--log=" + log_.verifier_key(), "--listen=127.0.0.1:0"});
  EXPECT_EQ(second.exit_code, 1) << second;
  EXPECT_THAT(second.err, HasSubstr("already in use by another sello-witness"));
}

TEST_F(WitnessTest, MethodsPathsAndSizeLimits) {
  EXPECT_EQ(witness_.Request("GET", "/add-checkpoint").status, 405);
  EXPECT_EQ(witness_.Request("POST", "/evidence", "x").status, 405);
  EXPECT_EQ(witness_.Request("GET", "/nothing-here").status, 404);
  // The default limit is 64 KiB.
  const client::HttpResponse large =
      witness_.Request("POST", "/add-checkpoint", std::string(65 * 1024, 'x'));
  EXPECT_EQ(large.status, 413);
  EXPECT_THAT(large.body, HasSubstr("larger than 65536 bytes"));
  // The witness is still there and well.
  EXPECT_EQ(witness_.Submit(log_.Request(0)).status, 200);
}

TEST(WitnessLimitsTest, RateLimitsEachAddress) {
  TestLog log;
  log.Append(2);
  WitnessHarness witness;
  witness.set_args({"--rate-limit=0.01", "--rate-burst=3"});
  ASSERT_TRUE(witness.Start({log.verifier_key()}));
  int limited = 0;
  for (int i = 0; i < 5; ++i) {
    const client::HttpResponse response = witness.Request("GET", "/");
    if (response.status == 429) ++limited;
  }
  EXPECT_EQ(limited, 2);
}

// TLS with a certificate the openssl tool makes; plaintext refused on a public address
// is covered above. Metrics on their own listener.
TEST(WitnessTlsTest, ServesHttpsAndMetrics) {
  TestLog log;
  log.Append(4);
  WitnessHarness witness;
  const std::string dir = witness.root_dir();
  const ProcessResult made =
      RunProcess({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir + "/tls.key", "-out",
                  dir + "/tls.pem", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                  "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made;
  witness.set_args({"--tls-cert=" + dir + "/tls.pem", "--tls-key=" + dir + "/tls.key",
                    "--metrics-listen=127.0.0.1:0"});
  ASSERT_TRUE(witness.Start({log.verifier_key()}));
  EXPECT_THAT(witness.url(), StartsWith("https://"));
  // Without the CA the certificate is not trusted; with it, the protocol works.
  absl::StatusOr<client::AddCheckpointAnswer> untrusted =
      client::AddCheckpoint(witness.http_options(), witness.url(), log.Request(0));
  EXPECT_EQ(untrusted.status().code(), absl::StatusCode::kUnavailable) << untrusted.status();
  witness.http_options().ca_file = dir + "/tls.pem";
  EXPECT_EQ(witness.Submit(log.Request(0)).status, 200);
  const ProcessResult evidence =
      RunSello("witness", "evidence", "--witness", witness.url(), "--witness-ca", dir + "/tls.pem");
  EXPECT_EQ(evidence.exit_code, 0) << evidence;

  const std::string log_text = witness.log();
  const size_t at = log_text.find("\"event\":\"metrics_listening\",\"address\":\"");
  ASSERT_NE(at, std::string::npos) << log_text;
  const size_t start = log_text.find("127.0.0.1:", at);
  const std::string metrics_address = log_text.substr(start, log_text.find('"', start) - start);
  absl::StatusOr<client::HttpResponse> metrics = client::HttpRequestOnce(
      client::HttpClientOptions(), "GET", "http://" + metrics_address + "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body,
              HasSubstr("sello_witness_checkpoint_size{origin=\"test.example/log\"} 4"));
  EXPECT_THAT(metrics->body, HasSubstr("sello_witness_add_checkpoint_total{origin=\"test.example/"
                                       "log\",result=\"cosigned\"} 1"));
  EXPECT_THAT(metrics->body, HasSubstr("sello_witness_state_write_seconds_count 1"));
  EXPECT_THAT(metrics->body, HasSubstr("sello_witness_rate_limited_total 0"));
}

// A log rotating its key: the witness trusts both keys of the origin.
TEST(WitnessKeysTest, TrustsEveryKeyOfAnOrigin) {
  TestLog old_key;
  old_key.Append(3);
  TestLog new_key(old_key.signer().name());
  new_key.Append(3);  // the same leaves under another key
  WitnessHarness witness;
  ASSERT_TRUE(witness.Start({old_key.verifier_key(), new_key.verifier_key()}));
  EXPECT_EQ(witness.Submit(old_key.Request(0)).status, 200);
  new_key.Append(2);
  EXPECT_EQ(witness.Submit(new_key.Request(3)).status, 200);
}

}  // namespace
}  // namespace sello::e2e
