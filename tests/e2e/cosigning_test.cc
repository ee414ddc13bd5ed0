// End-to-end: sellod collects cosignatures from three real sello-witness processes under
// a quorum-2 policy (sellod --witness-policy) and serves only cosigned checkpoints; the
// split view of issue 20 §5 (a copy of the registry, same key, advancing differently, is
// refused by every witness, which keep both notes as evidence, and its auditor exits 7);
// a witness that hangs, is killed or restarted delays nothing beyond the quorum and loses
// nothing; and the log served as C2SP tlog-tiles (/checkpoint, hash tiles, entry bundles
// for ADMIN and REGULATOR only).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/connection.h"
#include "client/witness_client.h"
#include "daemon/domain/witness_policy.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "daemon/tlog/signed_note.h"
#include "daemon/tlog/tile_path.h"
#include "tests/e2e/daemon_harness.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/witness_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;

constexpr int kMisbehaviour = 7;

// A registry (sellod with its HTTP listener and metrics) under a witness policy.
struct Registry {
  DaemonHarness daemon;
  std::string admin;

  void UsePolicy(const std::string& policy_file) {
    daemon.set_daemon_args({"--witness-policy=" + policy_file, "--http-listen=127.0.0.1:0",
                            "--http-address-file=" + daemon.root_dir() + "/http-address",
                            "--metrics-listen=127.0.0.1:0", "--witness-timeout=30"});
  }
  std::string Http() const {
    return "http://" + Trimmed(ReadWholeFile(daemon.root_dir() + "/http-address"));
  }
  // GET /checkpoint: the served note ("" when none is served).
  std::string Served() const {
    const HttpReply reply = Fetch("GET", Http() + "/checkpoint");
    return reply.status == 200 ? reply.body : "";
  }
  // Creates `count` firms; returns the number of the last event.
  uint64_t Grow(int count, const std::string& tag) {
    for (int i = 0; i < count; ++i) {
      const ProcessResult created = daemon.RunCliAs(admin, "org", "create", "--kind", "firm",
                                                    "--name", absl::StrCat("Firm ", tag, i), "--id",
                                                    absl::StrCat("firm-", tag, "-", i));
      EXPECT_EQ(created.exit_code, 0) << created;
    }
    return Head();
  }
  uint64_t Head() const {
    client::ConnectionOptions options;
    options.server = daemon.address();
    options.token = admin;
    client::Connection connection(options);
    uint64_t head = 0;
    for (uint64_t from = 1;;) {
      v1::ListEventsRequest request;
      request.set_from_seq(from);
      request.set_page_size(1000);
      v1::ListEventsResponse events;
      const grpc::Status status =
          connection.log().ListEvents(connection.NewContext().get(), request, &events);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok() || events.events().empty()) break;
      head = events.events().rbegin()->seq();
      from = head + 1;
    }
    return head;
  }
};

// The size and the witness cosignature lines of a served note.
struct ServedCheckpoint {
  uint64_t size = 0;
  std::string root;
  std::vector<std::string> cosigners;  // key names other than the log's
};
ServedCheckpoint Parse(const std::string& note, const std::string& origin) {
  ServedCheckpoint out;
  absl::StatusOr<domain::SignedNote> parsed = domain::ParseSignedNote(note);
  if (!parsed.ok()) return out;
  absl::StatusOr<domain::CheckpointText> text = domain::ParseCheckpointText(parsed->text);
  if (!text.ok()) return out;
  out.size = text->size;
  out.root = text->root_hash;
  for (const domain::NoteSignature& signature : parsed->signatures) {
    if (signature.name != origin) out.cosigners.push_back(signature.name);
  }
  return out;
}

class CosigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The registry's key first (its first start makes it), then witnesses for it.
    ASSERT_TRUE(registry_.daemon.Start());
    registry_.admin = registry_.daemon.admin_token();
    log_key_file_ = registry_.daemon.data_dir() + "/log.pub";
    log_key_ = Trimmed(ReadWholeFile(log_key_file_));
    origin_ = log_key_.substr(0, log_key_.find('+'));
    ASSERT_EQ(registry_.daemon.Stop(), 0);
    for (int i = 0; i < 3; ++i) {
      witnesses_.push_back(std::make_unique<WitnessHarness>(absl::StrCat("w", i, ".test/sello")));
      ASSERT_TRUE(witnesses_.back()->Start({log_key_}));
    }
    std::string policy = absl::StrCat("log ", log_key_, "\n");
    for (int i = 0; i < 3; ++i) {
      absl::StrAppend(&policy, "witness w", i, " ", witnesses_[i]->verifier_key(), " ",
                      witnesses_[i]->url(), "\n");
    }
    absl::StrAppend(&policy, "group two-of-three 2 w0 w1 w2\nquorum two-of-three\n");
    policy_file_ = registry_.daemon.WriteFile("policy.txt", policy);
    registry_.UsePolicy(policy_file_);
    ASSERT_TRUE(registry_.daemon.Start());
  }

  // Polls (bounded) until `registry` serves a checkpoint of at least `size` whose note
  // carries at least `cosigners` cosignatures; returns it (size 0 when it never did).
  ServedCheckpoint WaitServed(const Registry& registry, uint64_t size, size_t cosigners,
                              absl::Duration timeout, std::string* note = nullptr) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      const std::string served = registry.Served();
      const ServedCheckpoint parsed = Parse(served, origin_);
      if (parsed.size >= size && parsed.cosigners.size() >= cosigners) {
        if (note != nullptr) *note = served;
        return parsed;
      }
      if (absl::Now() > deadline) return ServedCheckpoint();
      absl::SleepFor(absl::Milliseconds(20));  // a poll interval, not a wait for an event
    }
  }

  ProcessResult Audit(const Registry& registry, const std::string& state) {
    return registry.daemon.RunCli("audit", "--log-key-file", log_key_file_, "--witness-policy",
                                  policy_file_, "verify", "--state", state);
  }

  Registry registry_;
  std::vector<std::unique_ptr<WitnessHarness>> witnesses_;
  std::string log_key_file_, log_key_, origin_, policy_file_;
};

TEST_F(CosigningTest, OnlyCheckpointsTheQuorumCosignedAreServed) {
  const uint64_t head = registry_.Grow(2, "a");
  const ServedCheckpoint served = WaitServed(registry_, head, 2, absl::Seconds(10));
  ASSERT_GE(served.size, head) << registry_.daemon.log();
  // The same note over gRPC, and it satisfies the policy as `sello audit` checks it.
  const std::string state = registry_.daemon.root_dir() + "/audit-state.json";
  const ProcessResult audited = Audit(registry_, state);
  EXPECT_EQ(audited.exit_code, 0) << audited;
  const std::string metrics = registry_.daemon.Metrics();
  EXPECT_THAT(metrics, HasSubstr("sello_witness_failures_total{witness=\"w0\"} 0"));
  EXPECT_THAT(metrics, HasSubstr("sello_witness_last_success_timestamp_seconds{witness=\"w2\"}"));

  // Two witnesses stop: no quorum, so the registry goes on serving the last cosigned one.
  ASSERT_EQ(witnesses_[1]->Stop(SIGKILL), 128 + SIGKILL);
  ASSERT_EQ(witnesses_[2]->Stop(SIGKILL), 128 + SIGKILL);
  const uint64_t later = registry_.Grow(1, "b");
  ASSERT_TRUE(registry_.daemon.WaitForLog("\"event\":\"witness_failed\"", 2, absl::Seconds(10)))
      << registry_.daemon.log();
  EXPECT_EQ(Parse(registry_.Served(), origin_).size, served.size);
  v1::GetCheckpointResponse over_grpc;
  {
    client::ConnectionOptions options;
    options.server = registry_.daemon.address();
    client::Connection connection(options);
    ASSERT_TRUE(
        connection.log()
            .GetCheckpoint(connection.NewContext().get(), v1::GetCheckpointRequest(), &over_grpc)
            .ok());
  }
  EXPECT_EQ(over_grpc.checkpoint().size(), served.size);
  EXPECT_LT(over_grpc.checkpoint().size(), later);
  // Failures are logged once per witness, not once per checkpoint.
  registry_.Grow(2, "c");
  EXPECT_EQ(LinesWith(registry_.daemon.log(), {"witness_failed", "\"witness\":\"w1\""}).size(), 1u);
}

TEST_F(CosigningTest, AHungOrKilledWitnessDelaysNothingBeyondTheQuorumAndLosesNothing) {
  ASSERT_GE(WaitServed(registry_, registry_.Grow(1, "a"), 3, absl::Seconds(10)).size, 1u);
  // w2 hangs (accepts connections, never answers): the quorum of w0 and w1 is enough.
  ASSERT_EQ(::kill(witnesses_[2]->pid(), SIGSTOP), 0);
  for (int round = 0; round < 3; ++round) {
    const uint64_t head = registry_.Grow(1, absl::StrCat("hung", round));
    const absl::Time acknowledged = absl::Now();
    const ServedCheckpoint served = WaitServed(registry_, head, 2, absl::Seconds(10));
    ASSERT_GE(served.size, head) << registry_.daemon.log();
    // The signer's quarter second, plus two loopback requests (slack for a loaded,
    // sanitized run): far below the hung witness's 30 s timeout.
    EXPECT_LT(absl::Now() - acknowledged, absl::Seconds(5));
  }
  // Killed while it hung, then restarted on its address: its state survived.
  ASSERT_EQ(witnesses_[2]->Stop(SIGKILL), 128 + SIGKILL);
  const uint64_t while_down = registry_.Grow(1, "down");
  ASSERT_GE(WaitServed(registry_, while_down, 2, absl::Seconds(10)).size, while_down);
  const std::string address = witnesses_[2]->address();
  ASSERT_TRUE(witnesses_[2]->Start({log_key_}, address));
  const uint64_t head = registry_.Grow(1, "back");
  const ServedCheckpoint all = WaitServed(registry_, head, 3, absl::Seconds(15));
  ASSERT_GE(all.size, head) << registry_.daemon.log();
  EXPECT_THAT(all.cosigners, ::testing::Contains("w2.test/sello"));
  // It took up from what it had cosigned before it was killed: no conflict, no evidence.
  absl::StatusOr<tools::WitnessEvidenceList> evidence =
      client::FetchWitnessEvidence(witnesses_[2]->http_options(), witnesses_[2]->url());
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->evidence_size(), 0);
  EXPECT_TRUE(registry_.daemon.WaitForLog("\"event\":\"witness_recovered\"", 1, absl::Seconds(5)));
}

// Issue 20 §5: a registry copied with its key advances differently from the original.
TEST_F(CosigningTest, ASplitViewIsRefusedByEveryWitnessAndCaughtByTheAuditor) {
  const std::string state = registry_.daemon.root_dir() + "/audit-state.json";
  ASSERT_GE(WaitServed(registry_, registry_.Grow(2, "a"), 2, absl::Seconds(10)).size, 1u);
  // The copy: the data dir, without the note of where its checkpoint state is kept (so
  // that sellod itself does not notice), same key, same policy.
  ASSERT_EQ(registry_.daemon.Stop(), 0);
  Registry copy;
  copy.admin = registry_.admin;
  std::filesystem::copy(registry_.daemon.data_dir(), copy.daemon.data_dir(),
                        std::filesystem::copy_options::recursive);
  const ProcessResult forgot =
      RunProcess({SELLO_TAMPER_PATH, "forget-state-file", copy.daemon.data_dir() + "/db"});
  ASSERT_EQ(forgot.exit_code, 0) << forgot;
  ASSERT_TRUE(registry_.daemon.Start());

  // The original advances and is cosigned; the auditor trusts it.
  const uint64_t original_head = registry_.Grow(2, "original");
  std::string original_note;
  const ServedCheckpoint original =
      WaitServed(registry_, original_head, 2, absl::Seconds(10), &original_note);
  ASSERT_GE(original.size, original_head) << registry_.daemon.log();
  const ProcessResult trusted = Audit(registry_, state);
  ASSERT_EQ(trusted.exit_code, 0) << trusted;

  // The copy starts and advances further, differently.
  copy.UsePolicy(policy_file_);
  ASSERT_TRUE(copy.daemon.Start());
  const uint64_t fork_head = copy.Grow(5, "fork");
  ASSERT_GT(fork_head, original.size);
  // Every witness refuses it, keeping both notes.
  for (const auto& witness : witnesses_) {
    absl::StatusOr<tools::WitnessEvidenceList> evidence;
    const absl::Time deadline = absl::Now() + absl::Seconds(15);
    do {
      evidence = client::FetchWitnessEvidence(witness->http_options(), witness->url());
    } while ((!evidence.ok() || evidence->evidence().empty()) && absl::Now() < deadline &&
             (absl::SleepFor(absl::Milliseconds(50)), true));
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    ASSERT_FALSE(evidence->evidence().empty()) << witness->name() << "\n" << copy.daemon.log();
    const tools::WitnessEvidence& kept = evidence->evidence(0);
    const ServedCheckpoint cosigned = Parse(kept.cosigned_note(), origin_);
    const ServedCheckpoint conflicting = Parse(kept.conflicting_note(), origin_);
    EXPECT_EQ(cosigned.size, original.size) << witness->name();
    EXPECT_EQ(cosigned.root, original.root) << witness->name();
    EXPECT_GE(conflicting.size, original.size) << witness->name();
    EXPECT_NE(conflicting.root, original.root) << witness->name();
  }
  // The copy never serves a checkpoint of its own history: only the last one both share,
  // cosigned before the copy was made.
  const ServedCheckpoint copy_served = Parse(copy.Served(), origin_);
  EXPECT_LT(copy_served.size, original.size);
  EXPECT_THAT(copy.daemon.Metrics(), HasSubstr("sello_witness_cosigned_size{witness=\"w0\"} 0"));
  // The auditor who trusted the original catches the copy.
  const ProcessResult caught = Audit(copy, state);
  EXPECT_EQ(caught.exit_code, kMisbehaviour) << caught;
  // The original goes on being cosigned.
  const uint64_t next = registry_.Grow(1, "after");
  EXPECT_GE(WaitServed(registry_, next, 2, absl::Seconds(10)).size, next);
  EXPECT_EQ(copy.daemon.Stop(), 0);
}

TEST_F(CosigningTest, APolicyThatDoesNotNameThisLogRefusesTheStart) {
  ASSERT_EQ(registry_.daemon.Stop(), 0);
  // The same origin under another key.
  absl::StatusOr<domain::NoteSigner> other = domain::NoteSigner::Generate(origin_);
  ASSERT_TRUE(other.ok());
  const std::string bad = registry_.daemon.WriteFile(
      "bad-log.txt",
      absl::StrCat("# our witnesses\nlog ", other->VerifierKey(), "\nwitness w0 ",
                   witnesses_[0]->verifier_key(), " ", witnesses_[0]->url(), "\nquorum w0\n"));
  registry_.UsePolicy(bad);
  EXPECT_FALSE(registry_.daemon.Start());
  EXPECT_THAT(registry_.daemon.log(),
              HasSubstr(absl::StrCat("bad-log.txt: line 2: log key ", other->VerifierKey(),
                                     " is not this registry's key ", log_key_)));

  const std::string no_url = registry_.daemon.WriteFile(
      "no-url.txt", absl::StrCat("log ", log_key_, "\nwitness w0 ", witnesses_[0]->verifier_key(),
                                 "\nquorum w0\n"));
  registry_.UsePolicy(no_url);
  EXPECT_FALSE(registry_.daemon.Start());
  EXPECT_THAT(registry_.daemon.log(), HasSubstr("no-url.txt: line 2: witness w0 has no URL"));
}

TEST_F(CosigningTest, TheLogIsServedAsTiles) {
  const uint64_t head = registry_.Grow(3, "t");
  std::string note;
  const ServedCheckpoint served = WaitServed(registry_, head, 2, absl::Seconds(10), &note);
  ASSERT_GE(served.size, head);
  ASSERT_LT(served.size, 256u) << "the test expects one partial tile";
  const std::string http = registry_.Http();

  const HttpReply checkpoint = Fetch("GET", http + "/checkpoint");
  EXPECT_EQ(checkpoint.status, 200);
  EXPECT_EQ(checkpoint.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_THAT(checkpoint.Header("cache-control"), HasSubstr("max-age="));
  EXPECT_THAT(checkpoint.Header("cache-control"), ::testing::Not(HasSubstr("immutable")));

  // Level 0: the leaf hashes of every event, from the stored tree.
  client::ConnectionOptions options;
  options.server = registry_.daemon.address();
  options.token = registry_.admin;
  client::Connection connection(options);
  v1::ListEventsRequest request;
  request.set_page_size(1000);
  v1::ListEventsResponse events;
  ASSERT_TRUE(connection.log().ListEvents(connection.NewContext().get(), request, &events).ok());
  ASSERT_GE(static_cast<uint64_t>(events.events_size()), served.size);
  const int width = static_cast<int>(served.size);
  const std::string path =
      domain::FormatTilePath({.entries = false, .level = 0, .index = 0, .width = width});
  const HttpReply tile = Fetch("GET", absl::StrCat(http, "/", path));
  ASSERT_EQ(tile.status, 200) << tile;
  EXPECT_EQ(tile.Header("content-type"), "application/octet-stream");
  EXPECT_THAT(tile.Header("cache-control"), HasSubstr("public"));
  ASSERT_EQ(tile.body.size(), served.size * domain::merkle::kHashSize);
  std::vector<std::string> leaves;
  for (int i = 0; i < width; ++i) {
    leaves.push_back(events.events(i).leaf_data());
    EXPECT_EQ(tile.body.substr(i * domain::merkle::kHashSize, domain::merkle::kHashSize),
              domain::merkle::LeafHash(events.events(i).leaf_data()))
        << "leaf " << i;
  }
  // A narrower partial tile is a prefix; the full tile and a wider one are not there yet.
  const HttpReply narrower = Fetch("GET", absl::StrCat(http, "/tile/0/000.p/1"));
  EXPECT_EQ(narrower.body, tile.body.substr(0, domain::merkle::kHashSize));
  EXPECT_EQ(Fetch("GET", absl::StrCat(http, "/tile/0/000")).status, 404);
  EXPECT_EQ(Fetch("GET", absl::StrCat(http, "/tile/0/000.p/", width + 1)).status, 404);
  EXPECT_EQ(Fetch("GET", absl::StrCat(http, "/tile/0/x000/000")).status, 400);
  EXPECT_EQ(Fetch("GET", absl::StrCat(http, "/tile/1/000.p/1")).status, 404);

  // Entry bundles: every event's data, so ADMIN and REGULATOR only, never publicly cached.
  const std::string entries = absl::StrCat(
      http, "/", domain::FormatTilePath({.entries = true, .level = 0, .index = 0, .width = width}));
  const HttpReply anonymous = Fetch("GET", entries);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_THAT(anonymous.body, ::testing::Not(HasSubstr("organisation.created")));
  const ProcessResult firm_token = registry_.daemon.RunCliAs(registry_.admin, "token", "create",
                                                             "--org", "firm-t-0", "--role", "FIRM");
  ASSERT_EQ(firm_token.exit_code, 0) << firm_token;
  const std::string firm_secret = Trimmed(firm_token.out);
  const HttpReply firm = Fetch("GET", entries, {"Authorization: Bearer " + firm_secret});
  EXPECT_EQ(firm.status, 403) << firm;
  EXPECT_THAT(firm.body, ::testing::Not(HasSubstr("organisation.created")));
  EXPECT_EQ(Fetch("GET", entries, {"Authorization: Bearer made-up"}).status, 401);
  const HttpReply admin = Fetch("GET", entries, {"Authorization: Bearer " + registry_.admin});
  ASSERT_EQ(admin.status, 200) << admin;
  EXPECT_THAT(admin.Header("cache-control"), HasSubstr("private"));
  std::string bundle;
  for (const std::string& leaf : leaves) {
    bundle.push_back(static_cast<char>(leaf.size() >> 8));
    bundle.push_back(static_cast<char>(leaf.size() & 0xFF));
    bundle += leaf;
  }
  EXPECT_EQ(admin.body, bundle);
  EXPECT_EQ(Fetch("POST", http + "/checkpoint", {}, "x").status, 405);
}

}  // namespace
}  // namespace sello::e2e
