// The overlay view: pending puts and deletes merged into gets and scans of the durable
// store, in order, both ways, with prefixes, `after` and early stops.
#include "storage/overlay_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::storage {
namespace {

class OverlayStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *OpenRocksStore({.path = dir_.path() + "/db"});
    WriteSet durable;
    for (const char* key : {"a/1", "a/3", "a/5", "b/1"}) {
      durable.Put(Table::kMeta, key, std::string("durable ") + key);
    }
    durable.Put(Table::kOrganisations, "a/2", "another table");
    ASSERT_TRUE(store_->Write(durable).ok());
    pending_.Put(Table::kMeta, "a/2", "pending a/2");
    pending_.Put(Table::kMeta, "a/3", "pending a/3");  // overwrites
    pending_.Delete(Table::kMeta, "a/5");
    pending_.Put(Table::kMeta, "a/6", "pending a/6");
    pending_.Put(Table::kMeta, "c/1", "pending c/1");
    overlay_.Add(pending_, 0, 7);
  }

  std::vector<std::string> Scan(absl::string_view prefix, absl::string_view after = "",
                                size_t stop_after = 100) {
    std::vector<std::string> seen;
    const OverlayStore view(*store_, overlay_);
    EXPECT_TRUE(view.Scan(Table::kMeta, prefix, after,
                          [&](absl::string_view key, absl::string_view value) {
                            seen.push_back(std::string(key) + "=" + std::string(value));
                            return seen.size() < stop_after;
                          })
                    .ok());
    return seen;
  }

  std::vector<std::string> ScanReverse(absl::string_view prefix, size_t stop_after = 100) {
    std::vector<std::string> seen;
    const OverlayStore view(*store_, overlay_);
    EXPECT_TRUE(view.ScanReverse(Table::kMeta, prefix,
                                 [&](absl::string_view key, absl::string_view) {
                                   seen.emplace_back(key);
                                   return seen.size() < stop_after;
                                 })
                    .ok());
    return seen;
  }

  test_support::TempDir dir_;
  std::unique_ptr<Store> store_;
  WriteSet pending_;  // what group 7 wrote (the overlay indexes it where it is)
  Overlay overlay_;
};

TEST_F(OverlayStoreTest, GetSeesPendingPutsAndDeletes) {
  const OverlayStore view(*store_, overlay_);
  EXPECT_EQ(**view.Get(Table::kMeta, "a/1"), "durable a/1");
  EXPECT_EQ(**view.Get(Table::kMeta, "a/3"), "pending a/3");
  EXPECT_FALSE(view.Get(Table::kMeta, "a/5")->has_value());
  EXPECT_EQ(**view.Get(Table::kMeta, "c/1"), "pending c/1");
  EXPECT_EQ(**view.Get(Table::kOrganisations, "a/2"), "another table");
  EXPECT_FALSE(view.Get(Table::kOrganisations, "a/3")->has_value());
  EXPECT_FALSE(OverlayStore(*store_, overlay_).Write(WriteSet()).ok());
}

TEST_F(OverlayStoreTest, MultiGetSeesWhatGetSees) {
  const OverlayStore view(*store_, overlay_);
  const std::vector<std::string> keys = {"a/1", "a/3", "a/5", "c/1", "a/2", "nowhere", "a/1"};
  absl::StatusOr<std::vector<std::optional<std::string>>> values =
      view.MultiGet(Table::kMeta, keys);
  ASSERT_TRUE(values.ok()) << values.status();
  ASSERT_EQ(values->size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ((*values)[i], *view.Get(Table::kMeta, keys[i])) << keys[i];
  }
}

TEST_F(OverlayStoreTest, ScansMergeInOrder) {
  EXPECT_EQ(Scan("a/"), (std::vector<std::string>{"a/1=durable a/1", "a/2=pending a/2",
                                                  "a/3=pending a/3", "a/6=pending a/6"}));
  EXPECT_EQ(Scan(""),
            (std::vector<std::string>{"a/1=durable a/1", "a/2=pending a/2", "a/3=pending a/3",
                                      "a/6=pending a/6", "b/1=durable b/1", "c/1=pending c/1"}));
  EXPECT_EQ(Scan("a/", "a/2"), (std::vector<std::string>{"a/3=pending a/3", "a/6=pending a/6"}));
  EXPECT_EQ(Scan("a/", "", 2), (std::vector<std::string>{"a/1=durable a/1", "a/2=pending a/2"}));
  EXPECT_EQ(Scan("c/"), (std::vector<std::string>{"c/1=pending c/1"}));
  EXPECT_TRUE(Scan("d/").empty());
}

TEST_F(OverlayStoreTest, ReverseScansMergeInOrder) {
  EXPECT_EQ(ScanReverse("a/"), (std::vector<std::string>{"a/6", "a/3", "a/2", "a/1"}));
  EXPECT_EQ(ScanReverse(""), (std::vector<std::string>{"c/1", "b/1", "a/6", "a/3", "a/2", "a/1"}));
  EXPECT_EQ(ScanReverse("a/", 1), (std::vector<std::string>{"a/6"}));
}

TEST_F(OverlayStoreTest, ANewerGroupWinsAndRetiringAGroupKeepsWhatALaterGroupWrote) {
  WriteSet later;
  later.Put(Table::kMeta, "a/2", "group 8");
  later.Delete(Table::kMeta, "a/6");
  later.Put(Table::kMeta, "a/7", "first");
  overlay_.Add(later, 0, 8);
  // Appended later to the same group: indexed from where it starts, and it wins.
  WriteSet more;
  more.Put(Table::kMeta, "a/7", "second");
  later.Append(std::move(more));
  overlay_.Add(later, 3, 8);
  EXPECT_EQ(Scan("a/"), (std::vector<std::string>{"a/1=durable a/1", "a/2=group 8",
                                                  "a/3=pending a/3", "a/7=second"}));
  overlay_.Retire(7);
  const OverlayStore view(*store_, overlay_);
  EXPECT_EQ(**view.Get(Table::kMeta, "a/2"), "group 8");
  EXPECT_FALSE(view.Get(Table::kMeta, "c/1")->has_value());
  EXPECT_EQ(**view.Get(Table::kMeta, "a/3"), "durable a/3");
  overlay_.Retire(8);
  EXPECT_TRUE(overlay_.empty());
}

}  // namespace
}  // namespace sello::storage
