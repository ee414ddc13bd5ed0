// The issuance trees VerifySeal's proofs read: built once, the same as a fresh build,
// bounded, and damage reported as such. And the proof parts the seals of an issuance
// share: kept per tree size and per issuance event, and each a proof that checks.
#include "daemon/service/issuance_trees.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/tlog/merkle.h"
#include "daemon/tlog/transparency_log.h"
#include "storage/ledger.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::service {
namespace {

class IssuanceTreesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::Store>> opened =
        storage::OpenRocksStore({.path = dir_.path() + "/db"});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  // Stores `count` leaves for `issuance_id`.
  void Leaves(const std::string& issuance_id, int count, std::string extra = "") {
    std::string leaves;
    for (int i = 0; i < count; ++i) {
      leaves += domain::merkle::LeafHash(issuance_id + std::to_string(i));
    }
    storage::WriteSet writes;
    writes.Put(storage::Table::kIssuances, storage::IssuanceLeavesKey(issuance_id), leaves + extra);
    ASSERT_TRUE(store_->Write(writes).ok());
  }

  test_support::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(IssuanceTreesTest, ATreeIsBuiltOnceAndAnswersAsAFreshOne) {
  Leaves("iss-1", 5);
  IssuanceTreeCache cache;
  absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> first = cache.Get(*store_, "iss-1");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> again = cache.Get(*store_, "iss-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get());
  EXPECT_EQ((*first)->size(), 5u);
  absl::StatusOr<std::optional<std::string>> leaves =
      store_->Get(storage::Table::kIssuances, storage::IssuanceLeavesKey("iss-1"));
  ASSERT_TRUE(leaves.ok());
  absl::StatusOr<domain::merkle::LeafTree> fresh =
      domain::merkle::LeafTree::Build(leaves->value_or(""));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*(*again)->Root(), *fresh->Root());
  // An issuance without leaves has an empty tree.
  absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> none = cache.Get(*store_, "iss-0");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)->size(), 0u);
}

TEST_F(IssuanceTreesTest, BoundedByLeavesAndTooLargeTreesAreNotKept) {
  Leaves("iss-a", 6);
  Leaves("iss-b", 6);
  Leaves("iss-big", 20);
  IssuanceTreeCache cache(/*max_leaves=*/10);
  auto a = cache.Get(*store_, "iss-a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(cache.Get(*store_, "iss-a")->get(), a->get());
  // iss-b does not fit beside iss-a: the cache starts again, holding iss-b.
  auto b = cache.Get(*store_, "iss-b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(cache.Get(*store_, "iss-b")->get(), b->get());
  EXPECT_NE(cache.Get(*store_, "iss-a")->get(), a->get());
  auto big = cache.Get(*store_, "iss-big");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->size(), 20u);
  EXPECT_NE(cache.Get(*store_, "iss-big")->get(), big->get());
}

TEST_F(IssuanceTreesTest, LeavesThatAreNotWholeHashesAreDataLoss) {
  Leaves("iss-bad", 2, "xyz");
  IssuanceTreeCache cache;
  absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> tree = cache.Get(*store_, "iss-bad");
  EXPECT_EQ(tree.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(tree.status().message().find("iss-bad"), std::string::npos);
}

// A registry's store, ledger and log, with issuances written as IssueSeals writes them.
class IssuanceProofsTest : public IssuanceTreesTest {
 protected:
  void SetUp() override {
    IssuanceTreesTest::SetUp();
    absl::StatusOr<std::unique_ptr<storage::Ledger>> ledger =
        storage::Ledger::Open(store_.get(), &clock_);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
    absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::Generate("sello.test/log");
    ASSERT_TRUE(signer.ok()) << signer.status();
    storage::TransparencyLogOptions options;
    options.checkpoint_file = dir_.path() + "/checkpoint.note";
    absl::StatusOr<std::unique_ptr<storage::TransparencyLog>> log = storage::TransparencyLog::Open(
        store_.get(), ledger_.get(), *std::move(signer), &clock_, std::move(options));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  void TearDown() override {
    log_.reset();  // first: it signs through the ledger and the store
    ledger_.reset();
  }

  // Writes (or rewrites) issuance `id` with `count` seals, one event.
  void Issue(const std::string& id, uint32_t count) {
    ASSERT_TRUE(ledger_
                    ->Apply(kAdmin,
                            [&](storage::Transaction& tx) {
                              v1::SealIssuance issuance;
                              issuance.set_id(id);
                              issuance.set_count(count);
                              tx.writes().Put(storage::Table::kIssuances, id,
                                              issuance.SerializeAsString());
                              tx.Record("seal_issuance.created",
                                        domain::Subject(domain::kSealIssuanceRecord, id), issuance);
                              return absl::OkStatus();
                            })
                    .ok());
  }

  // Signs a checkpoint of everything committed; its size.
  uint64_t Sign() {
    EXPECT_TRUE(log_->SignNow().ok());
    absl::StatusOr<v1::Checkpoint> served = log_->Served();
    EXPECT_TRUE(served.ok()) << served.status();
    checkpoint_ = *served;
    return served->size();
  }

  // `proof` proves its issuance record in the tree of the last Sign().
  void ExpectProves(const v1::SealProof& proof) {
    ASSERT_TRUE(proof.has_issuance_event());
    const v1::GetInclusionProofResponse& proven = proof.issuance_event();
    EXPECT_EQ(proven.tree_size(), checkpoint_.size());
    EXPECT_FALSE(proven.has_checkpoint());  // the caller puts in the one it serves
    const std::vector<std::string> path(proven.hashes().begin(), proven.hashes().end());
    EXPECT_TRUE(domain::merkle::VerifyInclusion(
                    domain::merkle::LeafHash(proven.event().leaf_data()), proven.leaf_index(),
                    proven.tree_size(), path, checkpoint_.root_hash())
                    .ok());
    EXPECT_EQ(proven.event().event().record_sha256(), domain::Sha256(proof.issuance_record()));
  }

  const domain::Principal kAdmin{"tok-admin", "association", v1::ADMIN};
  storage::SystemClock clock_;
  std::unique_ptr<storage::Ledger> ledger_;
  std::unique_ptr<storage::TransparencyLog> log_;
  v1::Checkpoint checkpoint_;
};

TEST_F(IssuanceProofsTest, KeptPerTreeSizeAndEachProves) {
  Issue("iss-1", 3);
  const uint64_t size = Sign();
  IssuanceProofCache cache;
  auto first = cache.Get(*store_, *log_, "iss-1", size);
  ASSERT_TRUE(first.ok()) << first.status();
  ExpectProves(**first);
  EXPECT_EQ(cache.Get(*store_, *log_, "iss-1", size)->get(), first->get());
  // The log grows: a proof in the larger tree, which checks against its root.
  Issue("iss-2", 1);
  Issue("iss-3", 1);
  const uint64_t larger = Sign();
  ASSERT_GT(larger, size);
  auto later = cache.Get(*store_, *log_, "iss-1", larger);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_NE(later->get(), first->get());
  ExpectProves(**later);
}

TEST_F(IssuanceProofsTest, ANewerEventThanTheTreeHasNoProofYetAndARewriteIsSeen) {
  Issue("iss-1", 3);
  const uint64_t size = Sign();
  IssuanceProofCache cache;
  ASSERT_TRUE(cache.Get(*store_, *log_, "iss-1", size).ok());
  // The record changes (a new event) before the next checkpoint: no proof of the new
  // record yet, and the record given is the new one, not the kept one.
  Issue("iss-1", 4);
  auto pending = cache.Get(*store_, *log_, "iss-1", size);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_FALSE((*pending)->has_issuance_event());
  v1::SealIssuance record;
  ASSERT_TRUE(record.ParseFromString((*pending)->issuance_record()));
  EXPECT_EQ(record.count(), 4u);
  auto proven = cache.Get(*store_, *log_, "iss-1", Sign());
  ASSERT_TRUE(proven.ok()) << proven.status();
  ExpectProves(**proven);
}

TEST_F(IssuanceProofsTest, Bounded) {
  Issue("iss-a", 1);
  Issue("iss-b", 1);
  const uint64_t size = Sign();
  IssuanceProofCache cache(/*max_entries=*/1);
  auto a = cache.Get(*store_, *log_, "iss-a", size);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(cache.Get(*store_, *log_, "iss-a", size)->get(), a->get());
  ASSERT_TRUE(cache.Get(*store_, *log_, "iss-b", size).ok());
  EXPECT_NE(cache.Get(*store_, *log_, "iss-a", size)->get(), a->get());
}

}  // namespace
}  // namespace sello::service
