// Interoperability with an implementation nobody here wrote: a real sellod's signed
// checkpoints, a real sello-witness's cosignature, and the registry's inclusion and
// consistency proofs, checked by Go's golang.org/x/mod/sumdb/note and sumdb/tlog
// (tests/interop/sello_interop.go, built from Debian's packages). Each tampered input
// makes the Go side fail, so the test can fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/auditor.h"
#include "client/connection.h"
#include "daemon/tlog/cosignature.h"
#include "sello/v1/organisation.grpc.pb.h"
#include "tests/e2e/daemon_harness.h"
#include "tests/e2e/witness_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;

class InteropTest : public SessionTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SessionTest::SetUp());
    client::ConnectionOptions options;
    options.server = daemon_.address();
    options.token = admin_;
    connection_ = std::make_unique<client::Connection>(options);
    log_key_ = Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub"));
  }

  // Creates `count` firms, then waits (bounded) for a signed checkpoint covering them.
  client::SignedCheckpoint Grow(int count) {
    for (int i = 0; i < count; ++i) {
      const int firm = ++firms_;
      const ProcessResult created =
          daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                           absl::StrCat("Firm ", firm), "--id", absl::StrCat("firm-", firm));
      EXPECT_EQ(created.exit_code, 0) << created;
    }
    v1::ListEventsRequest request;
    request.set_page_size(1000);
    v1::ListEventsResponse events;
    EXPECT_TRUE(
        connection_->log().ListEvents(connection_->NewContext().get(), request, &events).ok());
    const uint64_t head = events.events().empty() ? 0 : events.events().rbegin()->seq();
    client::Auditor auditor(*connection_, *domain::NoteVerifier::FromVerifierKey(log_key_));
    absl::StatusOr<client::SignedCheckpoint> checkpoint;
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    do {
      checkpoint = auditor.FetchCheckpoint();
    } while ((!checkpoint.ok() || checkpoint->checkpoint.size < head) && absl::Now() < deadline);
    if (!checkpoint.ok() || checkpoint->checkpoint.size < head) {
      ADD_FAILURE() << "no signed checkpoint covers event " << head << ": "
                    << (checkpoint.ok() ? absl::StrCat("size ", checkpoint->checkpoint.size)
                                        : checkpoint.status().ToString());
      return client::SignedCheckpoint{domain::Checkpoint(), "", std::nullopt};
    }
    return *checkpoint;
  }

  std::string Write(const std::string& dir, const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  ProcessResult Check(const std::string& dir) {
    return RunProcess({SELLO_INTEROP_PATH, "verify", dir});
  }

  std::unique_ptr<client::Connection> connection_;
  std::string log_key_;
  int firms_ = 0;
};

TEST_F(InteropTest, GosNoteAndTlogAcceptSellosCheckpointsCosignaturesAndProofs) {
  const client::SignedCheckpoint old = Grow(3);
  const client::SignedCheckpoint latest = Grow(4);
  ASSERT_GT(latest.checkpoint.size, old.checkpoint.size);

  // A real witness cosigns the latest checkpoint; its line is merged into the note.
  WitnessHarness witness("witness.example/interop");
  ASSERT_TRUE(witness.Start({log_key_}));
  const client::AddCheckpointAnswer answer = witness.Submit({0, {}, latest.note});
  ASSERT_EQ(answer.status, 200) << answer.message;
  const std::string cosigned = *domain::MergeSignatureLines(latest.note, answer.cosignatures);

  v1::GetConsistencyProofRequest consistency_request;
  consistency_request.set_old_size(old.checkpoint.size);
  consistency_request.set_new_size(latest.checkpoint.size);
  v1::GetConsistencyProofResponse consistency;
  ASSERT_TRUE(
      connection_->log()
          .GetConsistencyProof(connection_->NewContext().get(), consistency_request, &consistency)
          .ok());
  std::string consistency_text;
  for (const std::string& hash : consistency.hashes()) {
    absl::StrAppend(&consistency_text, absl::Base64Escape(hash), "\n");
  }
  // Every event's inclusion in the latest tree (ADMIN reads every event's data).
  std::string inclusion;
  for (uint64_t seq = 1; seq <= latest.checkpoint.size; ++seq) {
    v1::GetInclusionProofRequest request;
    request.set_seq(seq);
    request.set_tree_size(latest.checkpoint.size);
    v1::GetInclusionProofResponse proof;
    ASSERT_TRUE(connection_->log()
                    .GetInclusionProof(connection_->NewContext().get(), request, &proof)
                    .ok());
    ASSERT_FALSE(proof.event().leaf_data().empty());
    absl::StrAppend(&inclusion, "leaf ", absl::Base64Escape(proof.event().leaf_data()), "\nindex ",
                    proof.leaf_index(), "\n");
    for (const std::string& hash : proof.hashes()) {
      absl::StrAppend(&inclusion, absl::Base64Escape(hash), "\n");
    }
    absl::StrAppend(&inclusion, "\n");
  }

  const auto write_all = [&](const std::string& dir, const std::string& note,
                             const std::string& old_note, const std::string& proof,
                             const std::string& leaves) {
    Write(dir, "log.vkey", log_key_ + "\n");
    Write(dir, "witness.vkey", witness.verifier_key() + "\n");
    Write(dir, "checkpoint.note", note);
    Write(dir, "old.note", old_note);
    Write(dir, "consistency.txt", proof);
    Write(dir, "inclusion.txt", leaves);
  };
  const std::string root = daemon_.root_dir() + "/interop";
  write_all(root + "/good", cosigned, old.note, consistency_text, inclusion);
  const ProcessResult good = Check(root + "/good");
  ASSERT_EQ(good.exit_code, 0) << good;
  EXPECT_THAT(good.out, HasSubstr(absl::StrCat("OK: ", old.checkpoint.origin, " size ",
                                               latest.checkpoint.size)));
  EXPECT_THAT(good.out, HasSubstr(absl::StrCat("consistent with size ", old.checkpoint.size)));
  EXPECT_THAT(good.out, HasSubstr(absl::StrCat(latest.checkpoint.size, " inclusion proofs hold")));

  // Each tampering is caught by Go: the note without the cosignature, a cosignature
  // bit, a consistency hash, a leaf.
  write_all(root + "/uncosigned", latest.note, old.note, consistency_text, inclusion);
  EXPECT_THAT(Check(root + "/uncosigned").err, HasSubstr("the witness did not cosign the note"));
  std::string flipped = cosigned;
  const size_t line = flipped.find("\xE2\x80\x94 witness.example/interop ");
  ASSERT_NE(line, std::string::npos);
  const size_t at = flipped.find('\n', line) - 6;
  flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
  write_all(root + "/bad-cosignature", flipped, old.note, consistency_text, inclusion);
  EXPECT_EQ(Check(root + "/bad-cosignature").exit_code, 1);
  std::string bad_proof = consistency_text;
  bad_proof[0] = bad_proof[0] == 'A' ? 'B' : 'A';
  write_all(root + "/bad-consistency", cosigned, old.note, bad_proof, inclusion);
  const ProcessResult inconsistent = Check(root + "/bad-consistency");
  EXPECT_EQ(inconsistent.exit_code, 1);
  EXPECT_THAT(inconsistent.err, HasSubstr("consistency"));
  std::string bad_leaf = inclusion;
  bad_leaf[5] = bad_leaf[5] == 'A' ? 'B' : 'A';
  write_all(root + "/bad-leaf", cosigned, old.note, consistency_text, bad_leaf);
  const ProcessResult excluded = Check(root + "/bad-leaf");
  EXPECT_EQ(excluded.exit_code, 1);
  EXPECT_THAT(excluded.err, HasSubstr("inclusion of leaf 0"));
}

// sellod's C2SP tlog-tiles, read by Go's tlog.TileHashReader (through a TileReader that
// maps Go's sumdb tile paths, which carry a height, to ours): the cosigned /checkpoint
// opens with note.Open under the log's and the witnesses' keys, every entry of the entry
// bundles is proven included, and the tree consistent with an older checkpoint, from
// hash tiles alone, over more than one full tile (levels 0 and 1).
TEST_F(InteropTest, GosTileHashReaderProvesFromSellosTiles) {
  ASSERT_EQ(daemon_.Stop(), 0);
  std::vector<std::unique_ptr<WitnessHarness>> witnesses;
  std::string policy = absl::StrCat("log ", log_key_, "\n");
  std::string witness_keys;
  for (int i = 0; i < 2; ++i) {
    witnesses.push_back(std::make_unique<WitnessHarness>(absl::StrCat("w", i, ".interop/tiles")));
    ASSERT_TRUE(witnesses.back()->Start({log_key_}));
    absl::StrAppend(&policy, "witness w", i, " ", witnesses.back()->verifier_key(), " ",
                    witnesses.back()->url(), "\n");
    absl::StrAppend(&witness_keys, witnesses.back()->verifier_key(), "\n");
  }
  absl::StrAppend(&policy, "group both all w0 w1\nquorum both\n");
  const std::string http_address_file = daemon_.root_dir() + "/http-address";
  daemon_.set_daemon_args({"--witness-policy=" + daemon_.WriteFile("policy.txt", policy),
                           "--http-listen=127.0.0.1:0",
                           "--http-address-file=" + http_address_file});
  ASSERT_TRUE(daemon_.Start());
  client::ConnectionOptions options;
  options.server = daemon_.address();
  options.token = admin_;
  connection_ = std::make_unique<client::Connection>(options);
  const std::string url = "http://" + Trimmed(ReadWholeFile(http_address_file));

  // Waits (bounded) for a cosigned checkpoint of at least `size` at /checkpoint.
  const auto cosigned_at_least = [&](uint64_t size) -> std::string {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    for (;;) {
      const std::string note = HttpGet(Trimmed(ReadWholeFile(http_address_file)), "/checkpoint");
      const size_t body = note.find("\r\n\r\n");
      if (body != std::string::npos) {
        std::vector<std::string> lines = absl::StrSplit(note.substr(body + 4), '\n');
        uint64_t served = 0;
        if (lines.size() > 2 && absl::SimpleAtoi(lines[1], &served) && served >= size &&
            absl::StrContains(note, "w1.interop/tiles")) {
          return note.substr(body + 4);
        }
      }
      if (absl::Now() > deadline) {
        ADD_FAILURE() << "no cosigned checkpoint of size " << size << "\n" << daemon_.log();
        return "";
      }
      absl::SleepFor(absl::Milliseconds(20));  // a poll interval
    }
  };
  const auto grow = [&](int count) -> uint64_t {
    uint64_t head = 0;
    for (int i = 0; i < count; ++i) {
      v1::CreateOrganisationRequest request;
      request.set_organisation_id(absl::StrCat("tile-firm-", ++firms_));
      request.mutable_organisation()->set_kind(v1::Organisation::FIRM);
      request.mutable_organisation()->set_name(absl::StrCat("Tile firm ", firms_));
      request.mutable_organisation()->set_country("CL");
      v1::Organisation created;
      const grpc::Status status = connection_->organisations().CreateOrganisation(
          connection_->NewContext().get(), request, &created);
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    v1::ListEventsRequest list;
    list.set_from_seq(1);
    list.set_page_size(1000);
    for (;;) {
      v1::ListEventsResponse events;
      EXPECT_TRUE(
          connection_->log().ListEvents(connection_->NewContext().get(), list, &events).ok());
      if (events.events().empty()) break;
      head = events.events().rbegin()->seq();
      list.set_from_seq(head + 1);
    }
    return head;
  };
  const std::string old_note = cosigned_at_least(grow(3));
  ASSERT_FALSE(old_note.empty());
  const uint64_t head = grow(300);
  ASSERT_GT(head, 256u);
  ASSERT_FALSE(cosigned_at_least(head).empty());

  const std::string dir = daemon_.root_dir() + "/tiles";
  Write(dir, "log.vkey", log_key_ + "\n");
  Write(dir, "witnesses.vkey", witness_keys);
  Write(dir, "quorum", "2\n");
  Write(dir, "old.note", old_note);
  Write(dir, "token", admin_ + "\n");
  const ProcessResult tiles = RunProcess({SELLO_INTEROP_PATH, "tiles", url, dir});
  ASSERT_EQ(tiles.exit_code, 0) << tiles;
  EXPECT_THAT(tiles.out, HasSubstr("cosigned by 2 witnesses"));
  EXPECT_THAT(tiles.out, HasSubstr("entries proven included"));

  // Go fails when a link does not hold: entries without a token that may read them, a
  // quorum the checkpoint does not carry.
  Write(dir, "token", "\n");
  const ProcessResult anonymous = RunProcess({SELLO_INTEROP_PATH, "tiles", url, dir});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.err, HasSubstr("HTTP 401"));
  Write(dir, "token", admin_ + "\n");
  Write(dir, "quorum", "3\n");
  const ProcessResult short_quorum = RunProcess({SELLO_INTEROP_PATH, "tiles", url, dir});
  EXPECT_EQ(short_quorum.exit_code, 1);
  EXPECT_THAT(short_quorum.err, HasSubstr("the quorum is 3"));
}

}  // namespace
}  // namespace sello::e2e
