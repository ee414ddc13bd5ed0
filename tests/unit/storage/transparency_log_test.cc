#include "daemon/tlog/transparency_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/time_convert.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "common/files.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "storage/tree_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::storage {
namespace {

namespace merkle = domain::merkle;

constexpr absl::string_view kOrigin = "sello.test/log";
// Where the log keeps its checkpoint in Table::kMeta (what a stale backup restores).
constexpr absl::string_view kCheckpointMetaKey = "checkpoint";

// The signer thread reads the clock while the test may set it: guarded.
class FakeClock final : public Clock {
 public:
  absl::Time Now() override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1'800'000'000);
};

const domain::Principal kAdmin{"tok-admin", "association", v1::ADMIN};

// Commits one change that creates the firms `ids` (one event each).
absl::Status CreateFirms(Ledger& ledger, const std::vector<std::string>& ids) {
  return ledger.Apply(kAdmin, [&](Transaction& tx) {
    for (const std::string& id : ids) {
      v1::Organisation organisation;
      organisation.set_id(id);
      organisation.set_kind(v1::Organisation::FIRM);
      organisation.set_name(absl::StrCat("Firm ", id));
      PutOrganisation(tx.writes(), organisation);
      tx.Record("organisation.created", "organisation/" + id, organisation, id);
    }
    return absl::OkStatus();
  });
}

absl::Status CreateFirm(Ledger& ledger, const std::string& id) { return CreateFirms(ledger, {id}); }

// The leaf data of every stored event, in sequence order.
std::vector<std::string> LeafData(const Store& store) {
  std::vector<std::string> leaves;
  EXPECT_TRUE(store
                  .Scan(Table::kEvents, "", "",
                        [&](absl::string_view, absl::string_view value) {
                          leaves.emplace_back(value);
                          return true;
                        })
                  .ok());
  return leaves;
}

// RFC 6962 §2.1 MTH written out literally, independent of the code under test.
std::string ReferenceRoot(const std::vector<std::string>& leaves, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return domain::Sha256("");
  if (n == 1) return domain::Sha256(absl::StrCat(std::string(1, '\0'), leaves[begin]));
  size_t k = 1;
  while (k * 2 < n) k *= 2;  // the largest power of two smaller than n
  return domain::Sha256(absl::StrCat(std::string(1, '\1'), ReferenceRoot(leaves, begin, begin + k),
                                     ReferenceRoot(leaves, begin + k, end)));
}

std::string ReferenceRoot(const std::vector<std::string>& leaves, size_t size) {
  return ReferenceRoot(leaves, 0, size);
}

class TransparencyLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::Generate(kOrigin);
    ASSERT_TRUE(signer.ok()) << signer.status();
    seed_ = signer->raw_private_key();
    ASSERT_NO_FATAL_FAILURE(OpenStoreAndLedger());
    ASSERT_NO_FATAL_FAILURE(OpenLogOk());
  }
  void TearDown() override { CloseAll(); }

  std::string CheckpointFile() const { return dir_.path() + "/checkpoint.note"; }

  void OpenStoreAndLedger() {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenRocksStore({.path = dir_.path() + "/db"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(store_.get(), &clock_);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
  }

  // Opens the log over the current store and ledger, signing with `seed` (ours when
  // empty).
  absl::StatusOr<std::unique_ptr<TransparencyLog>> OpenLog(const std::string& seed = "",
                                                           bool accept_rollback = false) {
    absl::StatusOr<domain::NoteSigner> signer =
        domain::NoteSigner::FromPrivateKey(kOrigin, seed.empty() ? seed_ : seed);
    if (!signer.ok()) return signer.status();
    TransparencyLogOptions options;
    options.checkpoint_file = CheckpointFile();
    options.accept_rollback = accept_rollback;
    options.on_signing_error = [this](const absl::Status& status) {
      absl::MutexLock lock(&errors_mu_);
      signing_errors_.push_back(status);
    };
    return TransparencyLog::Open(store_.get(), ledger_.get(), *std::move(signer), &clock_,
                                 std::move(options));
  }

  void OpenLogOk() {
    absl::StatusOr<std::unique_ptr<TransparencyLog>> log = OpenLog();
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  // The log goes first: its destructor signs through the ledger and the store.
  void CloseAll() {
    log_.reset();
    ledger_.reset();
    store_.reset();
  }

  void ReopenAll() {
    CloseAll();
    ASSERT_NO_FATAL_FAILURE(OpenStoreAndLedger());
    ASSERT_NO_FATAL_FAILURE(OpenLogOk());
  }

  // Verifies `checkpoint`'s note with the pinned verifier key and checks that its fields
  // are what the note says.
  domain::Checkpoint Verify(const v1::Checkpoint& checkpoint) {
    absl::StatusOr<domain::NoteVerifier> verifier =
        domain::NoteVerifier::FromVerifierKey(log_->VerifierKey());
    EXPECT_TRUE(verifier.ok()) << verifier.status();
    if (!verifier.ok()) return {};
    absl::StatusOr<domain::Checkpoint> opened =
        domain::OpenCheckpoint(*verifier, checkpoint.note(), kOrigin);
    EXPECT_TRUE(opened.ok()) << opened.status() << "\n" << checkpoint.note();
    if (!opened.ok()) return {};
    EXPECT_EQ(opened->origin, checkpoint.origin());
    EXPECT_EQ(opened->size, checkpoint.size());
    EXPECT_EQ(opened->root_hash, checkpoint.root_hash());
    EXPECT_EQ(opened->time, domain::FromProto(checkpoint.time()));
    return *opened;
  }

  std::string FileContent() const {
    absl::StatusOr<std::optional<std::string>> file = ReadFileIfExists(CheckpointFile());
    EXPECT_TRUE(file.ok()) << file.status();
    if (!file.ok() || !file->has_value()) return "";
    return **file;
  }

  void Write(const WriteSet& writes) {
    const absl::Status status = store_->Write(writes);
    ASSERT_TRUE(status.ok()) << status;
  }

  // Deletes events (old_size, size] and every tree node their appends wrote, as if the
  // store were a backup taken at old_size.
  void TruncateTo(uint64_t old_size, uint64_t size) {
    WriteSet writes;
    for (uint64_t seq = old_size + 1; seq <= size; ++seq) {
      writes.Delete(Table::kEvents, EncodeU64(seq));
    }
    for (int level = 0; level < 64; ++level) {
      for (uint64_t index = old_size >> level; ((index + 1) << level) <= size; ++index) {
        // Nodes complete at `size` but not at `old_size`.
        if (((index + 1) << level) > old_size) {
          writes.Delete(Table::kTreeNodes, TreeNodeKey({level, index}));
        }
      }
      if ((uint64_t{1} << level) > size) break;
    }
    ASSERT_NO_FATAL_FAILURE(Write(writes));
  }

  std::vector<absl::Status> SigningErrors() {
    absl::MutexLock lock(&errors_mu_);
    return signing_errors_;
  }

  sello::test_support::TempDir dir_;
  FakeClock clock_;
  std::string seed_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<TransparencyLog> log_;
  absl::Mutex errors_mu_;
  std::vector<absl::Status> signing_errors_ ABSL_GUARDED_BY(errors_mu_);
};

TEST_F(TransparencyLogTest, OpenOnAnEmptyStoreSignsTheEmptyTree) {
  const v1::Checkpoint latest = log_->Latest();
  EXPECT_EQ(latest.origin(), kOrigin);
  EXPECT_EQ(log_->origin(), kOrigin);
  EXPECT_EQ(latest.size(), 0u);
  EXPECT_EQ(latest.root_hash(), domain::Sha256(""));  // RFC 9162 §2.1.1
  const domain::Checkpoint opened = Verify(latest);
  EXPECT_EQ(opened.size, 0u);
  EXPECT_EQ(opened.root_hash, domain::Sha256(""));
  EXPECT_EQ(opened.time, absl::FromUnixSeconds(1'800'000'000));
  EXPECT_TRUE(log_->signing_status().ok()) << log_->signing_status();
  EXPECT_EQ(FileContent(), latest.note());
  absl::StatusOr<std::optional<v1::Checkpoint>> stored =
      LoadRecord<v1::Checkpoint>(*store_, Table::kMeta, kCheckpointMetaKey);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->note(), latest.note());
  EXPECT_TRUE(SigningErrors().empty());
}

TEST_F(TransparencyLogTest, SignNowCoversEveryCommittedEvent) {
  ASSERT_TRUE(CreateFirm(*ledger_, "a").ok());
  ASSERT_TRUE(CreateFirms(*ledger_, {"b", "c", "d"}).ok());  // several events, one write
  ASSERT_TRUE(CreateFirm(*ledger_, "e").ok());
  ASSERT_TRUE(log_->SignNow().ok());

  const v1::Checkpoint latest = log_->Latest();
  const std::vector<std::string> leaves = LeafData(*store_);
  ASSERT_EQ(leaves.size(), 5u);
  EXPECT_EQ(latest.size(), ledger_->last_seq());
  EXPECT_EQ(latest.size(), 5u);
  EXPECT_EQ(latest.root_hash(), ReferenceRoot(leaves, leaves.size()));
  EXPECT_EQ(Verify(latest).size, 5u);
  EXPECT_EQ(FileContent(), latest.note());
  for (uint64_t size = 0; size <= leaves.size(); ++size) {
    absl::StatusOr<std::string> root = log_->RootHash(size);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(*root, ReferenceRoot(leaves, size)) << size;
  }

  // Nothing new: the same checkpoint, not a second one of the same size.
  clock_.Set(absl::FromUnixSeconds(1'800'000'100));
  ASSERT_TRUE(log_->SignNow().ok());
  EXPECT_EQ(log_->Latest().note(), latest.note());
}

TEST_F(TransparencyLogTest, ProofsVerifyAgainstEverySignedCheckpoint) {
  std::vector<v1::Checkpoint> signed_checkpoints = {log_->Latest()};
  int firm = 0;
  // Grow unevenly so that sizes hit powers of two and the ragged edges between them.
  for (int batch : {1, 1, 1, 2, 3, 1, 4, 6, 1, 13}) {
    std::vector<std::string> ids;
    ids.reserve(batch);
    for (int i = 0; i < batch; ++i) ids.push_back(absl::StrCat("firm-", firm++));
    ASSERT_TRUE(CreateFirms(*ledger_, ids).ok());
    ASSERT_TRUE(log_->SignNow().ok());
    signed_checkpoints.push_back(log_->Latest());
  }
  const std::vector<std::string> leaves = LeafData(*store_);
  ASSERT_EQ(leaves.size(), static_cast<size_t>(firm));

  for (const v1::Checkpoint& checkpoint : signed_checkpoints) {
    const domain::Checkpoint opened = Verify(checkpoint);
    EXPECT_EQ(opened.root_hash, ReferenceRoot(leaves, opened.size));
    for (uint64_t index = 0; index < opened.size; ++index) {
      absl::StatusOr<std::vector<std::string>> proof = log_->InclusionProof(index, opened.size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      const std::string leaf_hash = merkle::LeafHash(leaves[index]);
      EXPECT_TRUE(
          merkle::VerifyInclusion(leaf_hash, index, opened.size, *proof, opened.root_hash).ok())
          << "leaf " << index << " of " << opened.size;
      // The proof is for this leaf only.
      const std::string other = merkle::LeafHash(leaves[(index + 1) % leaves.size()]);
      if (opened.size > 1) {
        EXPECT_FALSE(
            merkle::VerifyInclusion(other, index, opened.size, *proof, opened.root_hash).ok());
      }
    }
  }
  for (const v1::Checkpoint& old_checkpoint : signed_checkpoints) {
    if (old_checkpoint.size() == 0) continue;  // nothing to prove about the empty tree
    for (const v1::Checkpoint& new_checkpoint : signed_checkpoints) {
      if (new_checkpoint.size() < old_checkpoint.size()) continue;
      absl::StatusOr<std::vector<std::string>> proof =
          log_->ConsistencyProof(old_checkpoint.size(), new_checkpoint.size());
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(merkle::VerifyConsistency(old_checkpoint.size(), new_checkpoint.size(),
                                            old_checkpoint.root_hash(), new_checkpoint.root_hash(),
                                            *proof)
                      .ok())
          << old_checkpoint.size() << " -> " << new_checkpoint.size();
    }
  }
}

TEST_F(TransparencyLogTest, ProofsBeyondTheCommittedTreeAreRefused) {
  ASSERT_TRUE(CreateFirms(*ledger_, {"a", "b"}).ok());
  absl::StatusOr<std::vector<std::string>> inclusion = log_->InclusionProof(0, 3);
  EXPECT_EQ(inclusion.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(inclusion.status().message(), "tree_size: ")) << inclusion.status();
  absl::StatusOr<std::vector<std::string>> consistency = log_->ConsistencyProof(1, 3);
  EXPECT_EQ(consistency.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(consistency.status().message(), "new_size: "))
      << consistency.status();
  absl::StatusOr<std::string> root = log_->RootHash(3);
  EXPECT_EQ(root.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->InclusionProof(2, 2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->ConsistencyProof(0, 2).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TransparencyLogTest, CheckpointTimesAreWholeSecondsAndNeverGoBackwards) {
  const absl::Time start = absl::FromUnixSeconds(1'800'000'000);
  ASSERT_TRUE(CreateFirm(*ledger_, "a").ok());
  clock_.Set(start + absl::Seconds(10) + absl::Milliseconds(900));
  ASSERT_TRUE(log_->SignNow().ok());
  const absl::Time first = Verify(log_->Latest()).time;
  EXPECT_EQ(first, start + absl::Seconds(10));
  EXPECT_EQ(log_->Latest().time().nanos(), 0);

  clock_.Set(start - absl::Hours(1));  // the wall clock is set back
  ASSERT_TRUE(CreateFirm(*ledger_, "b").ok());
  ASSERT_TRUE(log_->SignNow().ok());
  EXPECT_EQ(log_->Latest().size(), 2u);
  EXPECT_EQ(Verify(log_->Latest()).time, first);

  // ... and the daemon restarts with it.
  ASSERT_NO_FATAL_FAILURE(ReopenAll());
  ASSERT_TRUE(CreateFirm(*ledger_, "c").ok());
  ASSERT_TRUE(log_->SignNow().ok());
  EXPECT_EQ(log_->Latest().size(), 3u);
  EXPECT_EQ(Verify(log_->Latest()).time, first);

  clock_.Set(start + absl::Seconds(20) + absl::Nanoseconds(1));
  ASSERT_TRUE(CreateFirm(*ledger_, "d").ok());
  ASSERT_TRUE(log_->SignNow().ok());
  EXPECT_EQ(Verify(log_->Latest()).time, start + absl::Seconds(20));
  EXPECT_EQ(log_->Latest().time().nanos(), 0);
}

TEST_F(TransparencyLogTest, BackgroundSignerCoversACommitWithinOneSecond) {
  log_->Start();
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(CreateFirm(*ledger_, absl::StrCat("firm-", round)).ok());
    const uint64_t committed = ledger_->last_seq();
    const absl::Time acknowledged = absl::Now();
    // A poll with a generous bound, not a sleep that waits for the signer.
    const absl::Time deadline = acknowledged + absl::Seconds(5);
    while (log_->Latest().size() < committed && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    const absl::Duration elapsed = absl::Now() - acknowledged;
    ASSERT_EQ(log_->Latest().size(), committed) << "round " << round;
    EXPECT_LT(elapsed, absl::Seconds(1)) << "round " << round;
    EXPECT_EQ(Verify(log_->Latest()).root_hash, ReferenceRoot(LeafData(*store_), committed));
  }
  log_->Stop();
  EXPECT_TRUE(SigningErrors().empty());
}

TEST_F(TransparencyLogTest, StopSignsTheLastCommits) {
  ASSERT_TRUE(CreateFirms(*ledger_, {"a", "b"}).ok());
  log_->Stop();  // without a running signer
  EXPECT_EQ(log_->Latest().size(), 2u);
  EXPECT_EQ(Verify(log_->Latest()).root_hash, ReferenceRoot(LeafData(*store_), 2));
  EXPECT_EQ(FileContent(), log_->Latest().note());

  ASSERT_NO_FATAL_FAILURE(ReopenAll());
  log_->Start();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(CreateFirm(*ledger_, absl::StrCat("f", i)).ok());
  log_->Stop();  // with one: whatever it had not signed yet
  EXPECT_EQ(log_->Latest().size(), 22u);
  EXPECT_EQ(Verify(log_->Latest()).root_hash, ReferenceRoot(LeafData(*store_), 22));
  EXPECT_TRUE(SigningErrors().empty());
}

TEST_F(TransparencyLogTest, ReopenKeepsTheCheckpointAndContinues) {
  ASSERT_TRUE(CreateFirms(*ledger_, {"a", "b", "c"}).ok());
  ASSERT_TRUE(log_->SignNow().ok());
  const v1::Checkpoint before = log_->Latest();

  ASSERT_NO_FATAL_FAILURE(ReopenAll());
  EXPECT_TRUE(log_->signing_status().ok()) << log_->signing_status();
  EXPECT_EQ(log_->Latest().note(), before.note());  // nothing new: not signed again

  // Events committed while no log was open are signed when it opens.
  log_.reset();
  ASSERT_TRUE(CreateFirms(*ledger_, {"d", "e"}).ok());
  ASSERT_NO_FATAL_FAILURE(OpenLogOk());
  EXPECT_TRUE(log_->signing_status().ok()) << log_->signing_status();
  const v1::Checkpoint after = log_->Latest();
  EXPECT_EQ(after.size(), 5u);
  EXPECT_EQ(FileContent(), after.note());
  absl::StatusOr<std::vector<std::string>> proof = log_->ConsistencyProof(3, 5);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_TRUE(
      merkle::VerifyConsistency(3, 5, Verify(before).root_hash, Verify(after).root_hash, *proof)
          .ok());

  // The file alone is enough to continue (the store's copy agrees).
  ASSERT_TRUE(std::filesystem::remove(CheckpointFile()));
  ASSERT_NO_FATAL_FAILURE(ReopenAll());
  EXPECT_EQ(log_->Latest().note(), after.note());
  ASSERT_TRUE(CreateFirm(*ledger_, "f").ok());
  ASSERT_TRUE(log_->SignNow().ok());
  EXPECT_EQ(log_->Latest().size(), 6u);
  EXPECT_EQ(FileContent(), log_->Latest().note());
}

// "Never two histories": a log whose stored tree does not extend what it signed.
class NeverTwoHistoriesTest : public TransparencyLogTest {
 protected:
  void SetUp() override {
    TransparencyLogTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(CreateFirms(*ledger_, {"a", "b", "c"}).ok());
    ASSERT_TRUE(log_->SignNow().ok());
    at_three_ = log_->Latest();
    ASSERT_TRUE(CreateFirms(*ledger_, {"d", "e"}).ok());
    ASSERT_TRUE(log_->SignNow().ok());
    signed_ = log_->Latest();
    ASSERT_EQ(signed_.size(), 5u);
    log_.reset();
  }

  // Opens the log again over the edited store and checks that it refuses to open,
  // naming `reason`, having signed nothing; then that an operator's explicit acceptance
  // is recorded as an event before the log signs the tree it now has.
  // `refusal` receives the refusal's message. A corrupted leaf (`leaf_corrupted`) is not
  // signed even once accepted: that Open fails with DATA_LOSS.
  void ExpectRefusal(absl::string_view reason, std::string* refusal = nullptr,
                     bool leaf_corrupted = false) {
    absl::StatusOr<std::unique_ptr<TransparencyLog>> refused = OpenLog();
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
    EXPECT_TRUE(absl::StrContains(refused.status().message(), reason)) << refused.status();
    EXPECT_EQ(FileContent(), signed_.note());
    if (refusal != nullptr) *refusal = std::string(refused.status().message());
    if (leaf_corrupted) {
      absl::StatusOr<std::unique_ptr<TransparencyLog>> still =
          OpenLog("", /*accept_rollback=*/true);
      ASSERT_FALSE(still.ok());
      EXPECT_EQ(still.status().code(), absl::StatusCode::kDataLoss) << still.status();
      EXPECT_TRUE(absl::StrContains(still.status().message(), "does not hash to its leaf"))
          << still.status();
      EXPECT_EQ(FileContent(), signed_.note());
      return;
    }

    const uint64_t before = ledger_->last_seq();
    absl::StatusOr<std::unique_ptr<TransparencyLog>> accepted =
        OpenLog("", /*accept_rollback=*/true);
    ASSERT_TRUE(accepted.ok()) << accepted.status();
    ASSERT_EQ(ledger_->last_seq(), before + 1);
    absl::StatusOr<std::optional<std::string>> leaf = LoadEventData(*store_, before + 1);
    ASSERT_TRUE(leaf.ok() && leaf->has_value());
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(**leaf));
    EXPECT_EQ(event.kind(), "log.history_rollback_accepted");
    EXPECT_EQ(event.subjects(0), absl::StrCat("checkpoint/", signed_.size()));
    EXPECT_EQ(event.record_sha256(), domain::Sha256(SerializeRecord(signed_)));
    EXPECT_EQ((*accepted)->Latest().size(), before + 1);
    EXPECT_NE(FileContent(), signed_.note());
    log_ = *std::move(accepted);
  }

  // Puts the checkpoint signed in SetUp back in the store and the file (undoing an
  // accepted rollback's signature), for another round.
  void RestoreSigned() {
    WriteSet restore;
    restore.Put(Table::kMeta, std::string(kCheckpointMetaKey), SerializeRecord(signed_));
    ASSERT_NO_FATAL_FAILURE(Write(restore));
    ASSERT_TRUE(WriteFileAtomically(CheckpointFile(), signed_.note(), 0644).ok());
  }

  v1::Checkpoint at_three_;
  v1::Checkpoint signed_;
};

TEST_F(NeverTwoHistoriesTest, TamperedTreeNodeIsRefused) {
  // The tree of 5 is (2,0) over leaves 0..3 and the leaf (0,4): both are read for its root.
  for (const merkle::NodeId id : {merkle::NodeId{2, 0}, merkle::NodeId{0, 4}}) {
    SCOPED_TRACE(absl::StrCat("node (", id.level, ", ", id.index, ")"));
    ASSERT_NO_FATAL_FAILURE(CloseAll());
    ASSERT_NO_FATAL_FAILURE(OpenStoreAndLedger());
    absl::StatusOr<std::optional<std::string>> original =
        store_->Get(Table::kTreeNodes, TreeNodeKey(id));
    ASSERT_TRUE(original.ok() && original->has_value());
    WriteSet tamper;
    tamper.Put(Table::kTreeNodes, TreeNodeKey(id), domain::Sha256("forged"));
    ASSERT_NO_FATAL_FAILURE(Write(tamper));

    std::string refusal;
    // A forged leaf is never signed, accepted or not; a forged interior node can be
    // accepted by the operator (and is recorded).
    ASSERT_NO_FATAL_FAILURE(ExpectRefusal("history was changed", &refusal, id.level == 0));
    EXPECT_TRUE(absl::StrContains(refusal, domain::HexEncode(signed_.root_hash()))) << refusal;

    // Restore the node, the checkpoint signed before, and drop any event the accepted
    // rollback added, for the next round.
    log_.reset();
    WriteSet restore;
    restore.Put(Table::kTreeNodes, TreeNodeKey(id), **original);
    ASSERT_NO_FATAL_FAILURE(Write(restore));
    ASSERT_NO_FATAL_FAILURE(RestoreSigned());
    ASSERT_NO_FATAL_FAILURE(TruncateTo(5, ledger_->last_seq()));
  }
}

TEST_F(NeverTwoHistoriesTest, RewrittenLastEventsAreRefused) {
  // Drop events 4 and 5 (and their nodes), then append others: same size, or larger.
  for (int appended : {2, 3}) {
    SCOPED_TRACE(absl::StrCat(appended, " other events"));
    ASSERT_NO_FATAL_FAILURE(CloseAll());
    ASSERT_NO_FATAL_FAILURE(OpenStoreAndLedger());
    ASSERT_NO_FATAL_FAILURE(TruncateTo(3, ledger_->last_seq()));
    ledger_.reset();
    absl::StatusOr<std::unique_ptr<Ledger>> fresh = Ledger::Open(store_.get(), &clock_);
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    ledger_ = *std::move(fresh);
    ASSERT_EQ(ledger_->last_seq(), 3u);
    for (int i = 0; i < appended; ++i) {
      ASSERT_TRUE(CreateFirm(*ledger_, absl::StrCat("other-", i)).ok());
    }
    const std::vector<std::string> leaves = LeafData(*store_);
    ASSERT_NE(ReferenceRoot(leaves, 5), signed_.root_hash());

    std::string refusal;
    ASSERT_NO_FATAL_FAILURE(ExpectRefusal("history was changed", &refusal));
    EXPECT_TRUE(absl::StrContains(refusal, "size 5")) << refusal;
    log_.reset();
    ASSERT_NO_FATAL_FAILURE(RestoreSigned());
  }
}

TEST_F(NeverTwoHistoriesTest, LostEventsAreRefusedWhenTheFileIsNewer) {
  ASSERT_NO_FATAL_FAILURE(TruncateTo(3, 5));
  WriteSet forget;
  forget.Delete(Table::kMeta, std::string(kCheckpointMetaKey));
  ASSERT_NO_FATAL_FAILURE(Write(forget));
  ASSERT_NO_FATAL_FAILURE(CloseAll());
  ASSERT_NO_FATAL_FAILURE(OpenStoreAndLedger());
  ASSERT_EQ(ledger_->last_seq(), 3u);

  ASSERT_NO_FATAL_FAILURE(ExpectRefusal("lost events"));
}

TEST_F(NeverTwoHistoriesTest, StaleBackupIsRefused) {
  // The store as a backup taken at size 3 has it: its own checkpoint of size 3 too.
  ASSERT_NO_FATAL_FAILURE(TruncateTo(3, 5));
  WriteSet restore;
  restore.Put(Table::kMeta, std::string(kCheckpointMetaKey), SerializeRecord(at_three_));
  ASSERT_NO_FATAL_FAILURE(Write(restore));
  ASSERT_NO_FATAL_FAILURE(CloseAll());
  ASSERT_NO_FATAL_FAILURE(OpenStoreAndLedger());

  ASSERT_NO_FATAL_FAILURE(ExpectRefusal("lost events"));
}

TEST_F(NeverTwoHistoriesTest, RefusedOpenSignsNothing) {
  // A forked store (events 4 and 5 rewritten) beside a damaged checkpoint file.
  ASSERT_NO_FATAL_FAILURE(TruncateTo(3, 5));
  ledger_.reset();
  absl::StatusOr<std::unique_ptr<Ledger>> fresh = Ledger::Open(store_.get(), &clock_);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  ledger_ = *std::move(fresh);
  ASSERT_TRUE(CreateFirms(*ledger_, {"other-0", "other-1"}).ok());
  const std::string damaged = "not a checkpoint\n";
  ASSERT_TRUE(WriteFileAtomically(CheckpointFile(), damaged, 0644).ok());

  absl::StatusOr<std::unique_ptr<TransparencyLog>> log = OpenLog();
  ASSERT_EQ(log.status().code(), absl::StatusCode::kDataLoss) << log.status();
  log = absl::UnknownError("destroyed");  // whatever Open built is gone now

  // Refusing to open must leave the evidence as it was and sign nothing.
  EXPECT_EQ(FileContent(), damaged) << "the refused log signed and overwrote the file";
  absl::StatusOr<std::optional<v1::Checkpoint>> stored =
      LoadRecord<v1::Checkpoint>(*store_, Table::kMeta, kCheckpointMetaKey);
  ASSERT_TRUE(stored.ok() && stored->has_value()) << stored.status();
  EXPECT_EQ((*stored)->note(), signed_.note()) << "the refused log signed the forked tree";

  // So a second start must not sign the fork either.
  log = OpenLog();
  if (log.ok()) {
    EXPECT_FALSE((*log)->signing_status().ok())
        << "the forked tree of size " << (*log)->Latest().size() << " was signed with root "
        << domain::HexEncode((*log)->Latest().root_hash()) << " after "
        << domain::HexEncode(signed_.root_hash()) << " was signed for size " << signed_.size();
  }
}

TEST_F(TransparencyLogTest, CheckpointFileSignedByAnotherKeyIsDataLoss) {
  ASSERT_TRUE(CreateFirm(*ledger_, "a").ok());
  log_.reset();

  // (1) This log's file, opened with another key of the same name.
  absl::StatusOr<domain::NoteSigner> other = domain::NoteSigner::Generate(kOrigin);
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<std::unique_ptr<TransparencyLog>> log = OpenLog(other->raw_private_key());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss) << log.status();
  EXPECT_TRUE(absl::StrContains(log.status().message(), CheckpointFile())) << log.status();

  // (2) A file signed by another key, beside our store.
  domain::Checkpoint foreign;
  foreign.origin = std::string(kOrigin);
  foreign.size = 1;
  foreign.root_hash = ReferenceRoot(LeafData(*store_), 1);
  foreign.time = absl::FromUnixSeconds(1'800'000'000);
  absl::StatusOr<std::string> note = domain::SignCheckpoint(*other, foreign);
  ASSERT_TRUE(note.ok()) << note.status();
  ASSERT_TRUE(WriteFileAtomically(CheckpointFile(), *note, 0644).ok());
  log = OpenLog();
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss) << log.status();
  EXPECT_TRUE(absl::StrContains(log.status().message(), CheckpointFile())) << log.status();
}

}  // namespace
}  // namespace sello::storage

namespace sello::storage {
namespace {

TEST_F(TransparencyLogTest, ACorruptedNewLeafIsNeverSigned) {
  ASSERT_TRUE(CreateFirms(*ledger_, {"a", "b"}).ok());
  ASSERT_TRUE(log_->SignNow().ok());
  const v1::Checkpoint before = log_->Latest();
  ASSERT_TRUE(CreateFirm(*ledger_, "c").ok());
  // The event's stored bytes change after its leaf was hashed into the tree.
  WriteSet corrupt;
  corrupt.Put(Table::kEvents, EncodeU64(ledger_->last_seq()), "not the event that was hashed");
  ASSERT_NO_FATAL_FAILURE(Write(corrupt));
  const absl::Status refused = log_->SignNow();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "does not hash to its leaf")) << refused;
  EXPECT_EQ(log_->Latest().note(), before.note());
  EXPECT_EQ(FileContent(), before.note());
  EXPECT_EQ(log_->signing_status().code(), absl::StatusCode::kDataLoss);
}

// The record behind an intact event is re-hashed too: a record changed under its event
// (here a firm renamed behind the ledger's back) is never covered by a new checkpoint.
TEST_F(TransparencyLogTest, ARecordThatNoLongerMatchesItsEventIsNeverSigned) {
  ASSERT_TRUE(CreateFirms(*ledger_, {"a", "b"}).ok());
  ASSERT_TRUE(log_->SignNow().ok());
  const v1::Checkpoint before = log_->Latest();
  ASSERT_TRUE(CreateFirm(*ledger_, "c").ok());
  v1::Organisation changed;
  changed.set_id("c");
  changed.set_kind(v1::Organisation::FIRM);
  changed.set_name("Not the firm the event recorded");
  WriteSet corrupt;
  PutOrganisation(corrupt, changed);
  ASSERT_NO_FATAL_FAILURE(Write(corrupt));
  const absl::Status refused = log_->SignNow();
  EXPECT_EQ(refused.code(), absl::StatusCode::kDataLoss) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(),
                                "the stored record of organisation/c does not hash to the "
                                "record_sha256 of event 3"))
      << refused;
  EXPECT_EQ(log_->Latest().note(), before.note());
  EXPECT_EQ(log_->signing_status().code(), absl::StatusCode::kDataLoss);
}

// Records replaced by later events are not held to their old digests: a firm created
// and renamed between two checkpoints signs fine.
TEST_F(TransparencyLogTest, RecordsChangedByLaterEventsSignFine) {
  ASSERT_TRUE(CreateFirm(*ledger_, "a").ok());
  ASSERT_TRUE(log_->SignNow().ok());
  ASSERT_TRUE(CreateFirm(*ledger_, "b").ok());
  ASSERT_TRUE(ledger_
                  ->Apply(kAdmin,
                          [&](Transaction& tx) {
                            v1::Organisation renamed;
                            renamed.set_id("b");
                            renamed.set_kind(v1::Organisation::FIRM);
                            renamed.set_name("Firm b, renamed");
                            PutOrganisation(tx.writes(), renamed);
                            tx.Record("organisation.renamed", "organisation/b", renamed, "b");
                            return absl::OkStatus();
                          })
                  .ok());
  const absl::Status signed_now = log_->SignNow();
  EXPECT_TRUE(signed_now.ok()) << signed_now;
  EXPECT_EQ(log_->Latest().size(), 3u);
}

}  // namespace
}  // namespace sello::storage

namespace sello::storage {
namespace {

// What the operator's alert watches: zero while everything is signed (however long the
// registry is idle), the age of the oldest event a signature does not cover otherwise,
// growing while the signer refuses.
TEST_F(TransparencyLogTest, UnsignedEventAgeIsZeroOnceSignedAndGrowsWhileSigningIsRefused) {
  ASSERT_TRUE(CreateFirms(*ledger_, {"a", "b"}).ok());
  ASSERT_TRUE(log_->SignNow().ok());
  const absl::Time start = clock_.Now();
  clock_.Set(start + absl::Hours(6));  // idle: nothing to sign
  EXPECT_EQ(*log_->UnsignedEventAge(), absl::ZeroDuration());

  ASSERT_TRUE(CreateFirm(*ledger_, "c").ok());  // event 3, at start + 6 h
  ASSERT_TRUE(CreateFirm(*ledger_, "d").ok());  // event 4
  clock_.Set(start + absl::Hours(6) + absl::Seconds(5));
  EXPECT_EQ(*log_->UnsignedEventAge(), absl::Seconds(5));
  // The signer refuses (event 4's stored bytes no longer hash to its leaf): the oldest
  // unsigned event, 3, keeps ageing.
  WriteSet corrupt;
  corrupt.Put(Table::kEvents, EncodeU64(ledger_->last_seq()), "not the event that was hashed");
  ASSERT_NO_FATAL_FAILURE(Write(corrupt));
  EXPECT_FALSE(log_->SignNow().ok());
  clock_.Set(start + absl::Hours(6) + absl::Seconds(65));
  EXPECT_EQ(*log_->UnsignedEventAge(), absl::Seconds(65));
}

}  // namespace
}  // namespace sello::storage
