// The issuance trees VerifySeal's proofs read: built once, the same as a fresh build,
// bounded, and damage reported as such.
#include "daemon/service/issuance_trees.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "daemon/tlog/merkle.h"
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

}  // namespace
}  // namespace sello::service
