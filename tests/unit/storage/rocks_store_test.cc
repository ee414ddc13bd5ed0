// RocksStore against a real RocksDB in a fresh temporary directory: no mocks. Faults
// are real ones too: a second opener, a path that is a file, a file-size limit that
// makes the WAL write fail.
#include "storage/rocks_store.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "storage/keys.h"
#include "storage/read_deadline.h"
#include "storage/store.h"
#include "storage/tree_store.h"
#include "tests/unit/common/temp_dir.h"

extern char** environ;

namespace sello::storage {
namespace {

using std::string_literals::operator""s;

// When the test binary is started with this variable set it is not a test run but the
// "other process" of OpenHeldByAnotherProcessIsRefused: it opens the store at that path,
// says "ready" on kHolderReportFd and holds the store until its stdin closes. It runs as a global
// test environment, i.e. inside main, after every static initializer (RocksDB's too).
constexpr char kHoldEnv[] = "SELLO_STORAGE_TEST_HOLD_DIR";
constexpr int kHolderReportFd = 3;  // stdout carries gtest's own chatter

class StoreHolder : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* dir = std::getenv(kHoldEnv);
    if (dir == nullptr) return;
    absl::StatusOr<std::unique_ptr<Store>> store = OpenRocksStore({.path = dir});
    const std::string answer =
        store.ok() ? "ready\n" : absl::StrCat(store.status().ToString(), "\n");
    if (write(kHolderReportFd, answer.data(), answer.size()) < 0) _exit(3);
    char byte;
    while (read(STDIN_FILENO, &byte, 1) > 0) {
    }
    store = absl::UnknownError("closed");  // closes the store before exiting
    _exit(0);
  }
};

[[maybe_unused]] ::testing::Environment* const kStoreHolder =
    ::testing::AddGlobalTestEnvironment(new StoreHolder);

using sello::test_support::TempDir;

class RocksStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenRocksStore({.path = DataDir()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void Close() { store_.reset(); }

  std::string DataDir() const { return dir_.path() + "/data"; }

  void Put(Table table, std::string key, std::string value) {
    WriteSet writes;
    writes.Put(table, std::move(key), std::move(value));
    ASSERT_TRUE(store_->Write(writes).ok());
  }

  std::optional<std::string> Get(Table table, absl::string_view key) {
    absl::StatusOr<std::optional<std::string>> value = store_->Get(table, key);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : std::nullopt;
  }

  // The keys a scan visits, stopping after `limit` of them.
  std::vector<std::string> ScanKeys(Table table, absl::string_view prefix,
                                    absl::string_view after = "", size_t limit = 1000) {
    std::vector<std::string> keys;
    absl::Status status =
        store_->Scan(table, prefix, after, [&](absl::string_view key, absl::string_view) {
          keys.emplace_back(key);
          return keys.size() < limit;
        });
    EXPECT_TRUE(status.ok()) << status;
    return keys;
  }

  std::vector<std::string> ScanReverseKeys(Table table, absl::string_view prefix,
                                           size_t limit = 1000) {
    std::vector<std::string> keys;
    absl::Status status =
        store_->ScanReverse(table, prefix, [&](absl::string_view key, absl::string_view) {
          keys.emplace_back(key);
          return keys.size() < limit;
        });
    EXPECT_TRUE(status.ok()) << status;
    return keys;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

using Keys = std::vector<std::string>;

TEST_F(RocksStoreTest, GetsWhatWasPutInEachTable) {
  Put(Table::kOrganisations, "org-1", "association");
  Put(Table::kSites, "site-1", "plant");
  Put(Table::kEvents, EncodeU64(1), "event one");
  EXPECT_EQ(Get(Table::kOrganisations, "org-1"), "association");
  EXPECT_EQ(Get(Table::kSites, "site-1"), "plant");
  EXPECT_EQ(Get(Table::kEvents, EncodeU64(1)), "event one");
  EXPECT_EQ(Get(Table::kOrganisations, "org-2"), std::nullopt);
}

// MultiGet answers in the order asked, repeats included, across the memtable and SSTs.
TEST_F(RocksStoreTest, MultiGetAnswersEveryKeyInOrder) {
  Put(Table::kSeals, "b", "bee");
  Put(Table::kSeals, "e", "");
  // Reopening replays the log into a table file: "b" and "e" are read from there.
  Close();
  Open();
  Put(Table::kSeals, "a", "ay");
  Put(Table::kSites, "c", "another table");
  // Keys sharing their first 8 bytes, and keys that are prefixes of others (MultiGet
  // orders keys by their first 8 bytes first).
  for (const std::string& key : {"abcdefgh"s, "abcdefghZ"s, "abcdefghA"s, "ab\0"s, "ab\0\1"s}) {
    Put(Table::kSeals, key, "v" + key);
  }
  const Keys shared = {"abcdefghZ", "ab\0\1"s, "abcdefgh", "ab", "abcdefghA", "ab\0"s, "abcdefgh"};
  for (const Keys& keys :
       {Keys{"a", "b", "c", "a", "e", "zz"}, Keys{"b"}, Keys{"c"}, Keys{}, shared}) {
    absl::StatusOr<std::vector<std::optional<std::string>>> values =
        store_->MultiGet(Table::kSeals, keys);
    ASSERT_TRUE(values.ok()) << values.status();
    ASSERT_EQ(values->size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ((*values)[i], Get(Table::kSeals, keys[i])) << "key " << keys[i];
    }
  }
  EXPECT_EQ(store_->MultiGet(static_cast<Table>(kTableCount), {"a", "b"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Proofs read tree nodes through a TreeNodeCache: nodes, once read, come from memory (a
// stored node never changes), up to the cache's bound.
TEST_F(RocksStoreTest, TreeNodeCacheKeepsNodesOnceRead) {
  using domain::merkle::NodeId;
  const auto hash = [](char c) { return std::string(domain::merkle::kHashSize, c); };
  const std::vector<NodeId> ids = {{0, 5}, {1, 2}, {2, 1}, {3, 0}};
  for (size_t i = 0; i < ids.size(); ++i) {
    Put(Table::kTreeNodes, TreeNodeKey(ids[i]), hash('a' + i));
  }
  TreeNodeCache cache(/*max_nodes=*/3);
  const auto read = [&](const std::vector<NodeId>& wanted) {
    TreeReader reader(*store_, &cache);
    absl::StatusOr<std::vector<std::string>> hashes = reader.ReadHashes(wanted);
    EXPECT_TRUE(hashes.ok()) << hashes.status();
    return hashes.ok() ? *hashes : std::vector<std::string>();
  };
  EXPECT_EQ(read(ids), (std::vector<std::string>{hash('a'), hash('b'), hash('c'), hash('d')}));
  EXPECT_EQ(cache.size(), 3u);  // the bound
  // Changed behind the cache's back: what was kept is still answered, the rest is read.
  for (size_t i = 0; i < ids.size(); ++i) {
    Put(Table::kTreeNodes, TreeNodeKey(ids[i]), hash('w' + i));
  }
  const std::vector<std::string> again = read(ids);
  ASSERT_EQ(again.size(), 4u);
  int kept = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    kept += again[i] == hash('a' + i);
    EXPECT_TRUE(again[i] == hash('a' + i) || again[i] == hash('w' + i)) << i;
  }
  EXPECT_EQ(kept, 3);
  EXPECT_EQ(cache.size(), 3u);
  // A node the store lacks is still DATA_LOSS, cache or not.
  TreeReader reader(*store_, &cache);
  EXPECT_EQ(reader.ReadHashes({{4, 0}}).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(RocksStoreTest, KeepsBinaryKeysAndValuesAndEmptyValues) {
  const std::string key = "\x00\xff\x00"s;
  const std::string value = "\xff\x00\x01"s;
  Put(Table::kMeta, key, value);
  Put(Table::kOrganisationsByKind, ChildKey("\x02", "org-1"), "");
  EXPECT_EQ(Get(Table::kMeta, key), value);
  EXPECT_EQ(Get(Table::kOrganisationsByKind, ChildKey("\x02", "org-1")), "");
}

TEST_F(RocksStoreTest, OverwritesAndDeletes) {
  Put(Table::kMeta, "schema", "1");
  Put(Table::kMeta, "schema", "2");
  EXPECT_EQ(Get(Table::kMeta, "schema"), "2");
  WriteSet writes;
  writes.Delete(Table::kMeta, "schema");
  writes.Delete(Table::kMeta, "never-there");
  ASSERT_TRUE(store_->Write(writes).ok());
  EXPECT_EQ(Get(Table::kMeta, "schema"), std::nullopt);
}

// One set may write a key more than once: the last write wins, whatever the keys around
// it (the store writes a set in key order; long keys share their first 22 bytes here).
TEST_F(RocksStoreTest, TheLastWriteOfAKeyInOneSetWins) {
  const std::string shared(22, 'k');
  WriteSet writes;
  writes.Put(Table::kMeta, shared + "b", "first");
  writes.Put(Table::kMeta, shared, "short");
  writes.Put(Table::kMeta, shared + "a", "a");
  writes.Delete(Table::kMeta, shared + "b");
  writes.Put(Table::kSites, shared + "b", "other table");
  writes.Put(Table::kMeta, "k", "one");
  writes.Put(Table::kMeta, shared + "b", "last");
  writes.Put(Table::kMeta, shared + "c", "c");
  writes.Delete(Table::kMeta, shared + "c");
  writes.Put(Table::kMeta, "k", "two");
  ASSERT_TRUE(store_->Write(writes).ok());
  EXPECT_EQ(Get(Table::kMeta, shared + "b"), "last");
  EXPECT_EQ(Get(Table::kMeta, shared), "short");
  EXPECT_EQ(Get(Table::kMeta, shared + "a"), "a");
  EXPECT_EQ(Get(Table::kMeta, shared + "c"), std::nullopt);
  EXPECT_EQ(Get(Table::kMeta, "k"), "two");
  EXPECT_EQ(Get(Table::kSites, shared + "b"), "other table");
  EXPECT_EQ(ScanKeys(Table::kMeta, ""), (Keys{"k", shared, shared + "a", shared + "b"}));
}

TEST_F(RocksStoreTest, TablesAreIsolated) {
  for (int i = 0; i < kTableCount; ++i) {
    Put(static_cast<Table>(i), "same-key", absl::StrCat("value of ", i));
  }
  for (int i = 0; i < kTableCount; ++i) {
    EXPECT_EQ(Get(static_cast<Table>(i), "same-key"), absl::StrCat("value of ", i));
  }
  WriteSet writes;
  writes.Delete(Table::kTokens, "same-key");
  ASSERT_TRUE(store_->Write(writes).ok());
  EXPECT_EQ(Get(Table::kTokens, "same-key"), std::nullopt);
  EXPECT_EQ(Get(Table::kTokensByHash, "same-key"), absl::StrCat("value of ", 7));
  Put(Table::kSites, "only-in-sites", "x");
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, ""), Keys{"same-key"});
  EXPECT_EQ(ScanReverseKeys(Table::kTokens, ""), Keys{});
}

TEST_F(RocksStoreTest, EveryTableIsItsOwnColumnFamilyOnDisk) {
  Close();
  std::vector<std::string> families;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), DataDir(), &families);
  ASSERT_TRUE(listed.ok()) << listed.ToString();
  std::sort(families.begin(), families.end());
  // One family per table, named as TableName says, with distinct names (names are on
  // disk: a rename would lose data), plus RocksDB's "default".
  Keys expected = {"default"};
  for (int i = 0; i < kTableCount; ++i) {
    expected.emplace_back(TableName(static_cast<Table>(i)));
    EXPECT_NE(expected.back(), "unknown") << "table " << i << " has no name";
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(std::adjacent_find(expected.begin(), expected.end()), expected.end());
  EXPECT_EQ(families, expected);
  // The first tables' names, as released.
  for (const char* name : {"events", "meta", "organisations", "sites", "standard_versions",
                           "tokens", "tree_nodes", "events_by_subject", "seals", "inspections"}) {
    EXPECT_NE(std::find(families.begin(), families.end(), name), families.end()) << name;
  }
}

TEST_F(RocksStoreTest, WritesSeveralTablesTogether) {
  Put(Table::kSitesByFirm, ChildKey("firm-1", "site-old"), "");
  WriteSet writes;
  writes.Put(Table::kSites, "site-1", "plant");
  writes.Put(Table::kSitesByFirm, ChildKey("firm-1", "site-1"), "");
  writes.Delete(Table::kSitesByFirm, ChildKey("firm-1", "site-old"));
  writes.Put(Table::kEvents, EncodeU64(7), "site created");
  writes.Put(Table::kMeta, "last_event", EncodeU64(7));
  ASSERT_TRUE(store_->Write(writes).ok());
  EXPECT_EQ(Get(Table::kSites, "site-1"), "plant");
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, ChildPrefix("firm-1")),
            Keys{ChildKey("firm-1", "site-1")});
  EXPECT_EQ(Get(Table::kEvents, EncodeU64(7)), "site created");
  EXPECT_EQ(Get(Table::kMeta, "last_event"), EncodeU64(7));
}

TEST_F(RocksStoreTest, RefusedWriteAppliesNothing) {
  WriteSet writes;
  writes.Put(Table::kSites, "site-1", "plant");
  writes.Put(Table::kEvents, EncodeU64(1), "site created");
  writes.Put(static_cast<Table>(200), "key", "value");
  absl::Status status = store_->Write(writes);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(Get(Table::kSites, "site-1"), std::nullopt);
  EXPECT_EQ(Get(Table::kEvents, EncodeU64(1)), std::nullopt);
  // A refused write is the caller's mistake, not a storage failure: writes go on.
  Put(Table::kSites, "site-2", "plant");
  EXPECT_EQ(Get(Table::kSites, "site-2"), "plant");
}

TEST_F(RocksStoreTest, UnknownTableIsRefusedOnRead) {
  EXPECT_EQ(store_->Get(static_cast<Table>(kTableCount), "k").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto visit = [](absl::string_view, absl::string_view) { return true; };
  EXPECT_EQ(store_->Scan(static_cast<Table>(kTableCount), "", "", visit).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ScanReverse(static_cast<Table>(kTableCount), "", visit).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RocksStoreTest, EmptyWriteSucceeds) { EXPECT_TRUE(store_->Write(WriteSet()).ok()); }

class ScanTest : public RocksStoreTest {
 protected:
  void SetUp() override {
    RocksStoreTest::SetUp();
    WriteSet writes;
    for (const char* parent : {"firm-1", "firm-10", "firm-2"}) {
      for (const char* child : {"site-a", "site-b", "site-c", "site-d"}) {
        writes.Put(Table::kSitesByFirm, ChildKey(parent, child), absl::StrCat(parent, "/", child));
      }
    }
    ASSERT_TRUE(store_->Write(writes).ok());
  }
};

TEST_F(ScanTest, VisitsOnlyThePrefixInKeyOrder) {
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, ChildPrefix("firm-1")),
            (Keys{ChildKey("firm-1", "site-a"), ChildKey("firm-1", "site-b"),
                  ChildKey("firm-1", "site-c"), ChildKey("firm-1", "site-d")}));
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, ChildPrefix("firm-3")), Keys{});
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, "firm-1").size(), 8u);  // firm-1 and firm-10
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, "").size(), 12u);
}

TEST_F(ScanTest, PassesValues) {
  std::vector<std::string> values;
  ASSERT_TRUE(store_
                  ->Scan(Table::kSitesByFirm, ChildPrefix("firm-2"), "",
                         [&](absl::string_view, absl::string_view value) {
                           values.emplace_back(value);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(values, (Keys{"firm-2/site-a", "firm-2/site-b", "firm-2/site-c", "firm-2/site-d"}));
}

TEST_F(ScanTest, StartsStrictlyAfter) {
  const std::string prefix = ChildPrefix("firm-1");
  // After an existing key: that key is left out.
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, prefix, ChildKey("firm-1", "site-b")),
            (Keys{ChildKey("firm-1", "site-c"), ChildKey("firm-1", "site-d")}));
  // After a key that is not there: everything greater.
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, prefix, ChildKey("firm-1", "site-bb")),
            (Keys{ChildKey("firm-1", "site-c"), ChildKey("firm-1", "site-d")}));
  // After the prefix itself, or before it: everything.
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, prefix, prefix).size(), 4u);
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, prefix, "a").size(), 4u);
  // After the last key, or past the prefix: nothing.
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, prefix, ChildKey("firm-1", "site-d")), Keys{});
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, prefix, "firm-2"), Keys{});
  // With an empty prefix, `after` alone bounds the scan.
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, "", ChildKey("firm-2", "site-b")),
            (Keys{ChildKey("firm-2", "site-c"), ChildKey("firm-2", "site-d")}));
}

TEST_F(ScanTest, StopsWhenTheVisitorSaysSo) {
  EXPECT_EQ(ScanKeys(Table::kSitesByFirm, ChildPrefix("firm-10"), "", 1),
            Keys{ChildKey("firm-10", "site-a")});
  EXPECT_EQ(ScanReverseKeys(Table::kSitesByFirm, ChildPrefix("firm-10"), 2),
            (Keys{ChildKey("firm-10", "site-d"), ChildKey("firm-10", "site-c")}));
}

TEST_F(ScanTest, PagesThroughAListingWithAfter) {
  Keys all;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    Keys keys = ScanKeys(Table::kSitesByFirm, "", after, 5);
    if (keys.empty()) break;
    all.insert(all.end(), keys.begin(), keys.end());
    after = keys.back();
  }
  EXPECT_EQ(all, ScanKeys(Table::kSitesByFirm, ""));
  EXPECT_EQ(all.size(), 12u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
}

TEST_F(ScanTest, ReverseVisitsThePrefixBackwards) {
  EXPECT_EQ(ScanReverseKeys(Table::kSitesByFirm, ChildPrefix("firm-1")),
            (Keys{ChildKey("firm-1", "site-d"), ChildKey("firm-1", "site-c"),
                  ChildKey("firm-1", "site-b"), ChildKey("firm-1", "site-a")}));
  EXPECT_EQ(ScanReverseKeys(Table::kSitesByFirm, ChildPrefix("firm-0")), Keys{});
  EXPECT_EQ(ScanReverseKeys(Table::kSitesByFirm, ChildPrefix("firm-3")), Keys{});
  Keys everything = ScanKeys(Table::kSitesByFirm, "");
  std::reverse(everything.begin(), everything.end());
  EXPECT_EQ(ScanReverseKeys(Table::kSitesByFirm, ""), everything);
}

// Keys around 0xff bytes, where "the prefix with its last byte incremented" needs care.
class HighByteScanTest : public RocksStoreTest {
 protected:
  void SetUp() override {
    RocksStoreTest::SetUp();
    WriteSet writes;
    for (const std::string& key : kKeys) writes.Put(Table::kEvents, key, "v");
    ASSERT_TRUE(store_->Write(writes).ok());
  }

  const Keys kKeys = {"\x00"s,
                      "\x01"s,
                      "\x01\xfe\xff"s,
                      "\x01\xff"s,
                      "\x01\xff\x00"s,
                      "\x01\xff\xff"s,
                      "\x01\xff\xff\x07"s,
                      "\x02"s,
                      "\x02\x00"s,
                      "\xfe\xff"s,
                      "\xff"s,
                      "\xff\x00"s,
                      "\xff\xff"s,
                      "\xff\xff\xff\xff"s};

  // The keys with `prefix`, in key order.
  Keys WithPrefix(absl::string_view prefix) const {
    Keys keys;
    for (const std::string& key : kKeys) {
      if (absl::StartsWith(key, prefix)) keys.push_back(key);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  static Keys Reversed(Keys keys) {
    std::reverse(keys.begin(), keys.end());
    return keys;
  }
};

TEST_F(HighByteScanTest, ScansPrefixesEndingInFF) {
  for (const std::string& prefix :
       {"\x01\xff"s, "\x01\xff\xff"s, "\xff"s, "\xff\xff"s, "\xff\xff\xff"s, "\x01"s, "\x01\xfe"s,
        "\xfe"s, "\x02"s, "\x00"s, "\x03"s, ""s}) {
    SCOPED_TRACE(testing::PrintToString(prefix));
    EXPECT_EQ(ScanKeys(Table::kEvents, prefix), WithPrefix(prefix));
    EXPECT_EQ(ScanReverseKeys(Table::kEvents, prefix), Reversed(WithPrefix(prefix)));
  }
  EXPECT_EQ(ScanReverseKeys(Table::kEvents, "").size(), kKeys.size());
  EXPECT_EQ(ScanKeys(Table::kEvents, "\x01\xff"s, "\x01\xff\x00"s),
            (Keys{"\x01\xff\xff"s, "\x01\xff\xff\x07"s}));
}

TEST_F(RocksStoreTest, ReverseScanFindsTheNewestEvent) {
  WriteSet writes;
  for (uint64_t seq : {1, 2, 255, 256, 70000}) writes.Put(Table::kEvents, EncodeU64(seq), "e");
  ASSERT_TRUE(store_->Write(writes).ok());
  EXPECT_EQ(ScanReverseKeys(Table::kEvents, "", 1), Keys{EncodeU64(70000)});
  EXPECT_EQ(ScanKeys(Table::kEvents, "", EncodeU64(2), 2), (Keys{EncodeU64(255), EncodeU64(256)}));
}

TEST_F(RocksStoreTest, ReopenKeepsEverything) {
  WriteSet writes;
  for (int i = 0; i < kTableCount; ++i) {
    writes.Put(static_cast<Table>(i), "key", absl::StrCat("table ", i));
  }
  ASSERT_TRUE(store_->Write(writes).ok());
  Close();
  Open();
  for (int i = 0; i < kTableCount; ++i) {
    EXPECT_EQ(Get(static_cast<Table>(i), "key"), absl::StrCat("table ", i));
  }
  Put(Table::kMeta, "after-reopen", "yes");
  Close();
  Open();
  EXPECT_EQ(Get(Table::kMeta, "after-reopen"), "yes");
}

TEST_F(RocksStoreTest, SecondOpenOfTheSameDirIsRefused) {
  absl::StatusOr<std::unique_ptr<Store>> second = OpenRocksStore({.path = DataDir()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_EQ(second.status().message(),
            absl::StrCat("data dir ", DataDir(), " is in use by another process"));
  // The first store is unharmed.
  Put(Table::kMeta, "still", "works");
  EXPECT_EQ(Get(Table::kMeta, "still"), "works");
}

TEST(RocksStoreOpenTest, OpenHeldByAnotherProcessIsRefused) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  int to_child[2];
  int from_child[2];
  ASSERT_EQ(pipe2(to_child, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(from_child, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], kHolderReportFd);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back(absl::StrCat(kHoldEnv, "=", data_dir));
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string self = "/proc/self/exe";
  char* argv[] = {self.data(), nullptr};
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, self.c_str(), &actions, nullptr, argv, envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);

  std::string said;
  char buffer[256];
  ssize_t n;
  while (!absl::StrContains(said, "\n") && (n = read(from_child[0], buffer, sizeof buffer)) > 0) {
    said.append(buffer, n);
  }
  EXPECT_EQ(said, "ready\n");

  absl::StatusOr<std::unique_ptr<Store>> second = OpenRocksStore({.path = data_dir});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_EQ(second.status().message(),
            absl::StrCat("data dir ", data_dir, " is in use by another process"));
  second = absl::UnknownError("closed");

  close(to_child[1]);  // the holder closes its store and exits
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) << wait_status;
  close(from_child[0]);

  absl::StatusOr<std::unique_ptr<Store>> after = OpenRocksStore({.path = data_dir});
  EXPECT_TRUE(after.ok()) << after.status();
}

TEST(RocksStoreOpenTest, PathThatIsAFileIsUnavailable) {
  TempDir dir;
  const std::string file = dir.path() + "/not-a-dir";
  std::ofstream(file) << "hello";
  absl::StatusOr<std::unique_ptr<Store>> store = OpenRocksStore({.path = file});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  EXPECT_TRUE(absl::StrContains(store.status().message(), file)) << store.status();
}

TEST(RocksStoreOpenTest, CreatesMissingParentDirectories) {
  TempDir dir;
  const std::string nested = dir.path() + "/a/b/data";
  absl::StatusOr<std::unique_ptr<Store>> store = OpenRocksStore({.path = nested});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(std::filesystem::is_directory(nested));
}

TEST(RocksStoreOpenTest, EmptyPathIsRefused) {
  EXPECT_EQ(OpenRocksStore({.path = ""}).status().code(), absl::StatusCode::kInvalidArgument);
}

// A process file-size limit makes the kernel refuse the WAL append (EFBIG): a real I/O
// failure in the middle of a write, without a mock.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    saved_handler_ = signal(SIGXFSZ, SIG_IGN);  // else the kernel kills us instead
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &limited) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, saved_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  sighandler_t saved_handler_;
  bool ok_ = false;
};

TEST_F(RocksStoreTest, FailedWriteMakesTheStoreReadOnly) {
  Put(Table::kMeta, "before", "kept");
  {
    FileSizeLimit limit(1 << 20);
    ASSERT_TRUE(limit.ok());
    WriteSet big;
    big.Put(Table::kEvents, EncodeU64(1), std::string(4 << 20, 'x'));
    big.Put(Table::kMeta, "last_event", EncodeU64(1));
    absl::Status failed = store_->Write(big);
    EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  }
  // The limit is gone, but what reached the disk is unknown: no more writes.
  WriteSet small;
  small.Put(Table::kMeta, "after", "refused");
  absl::Status refused = store_->Write(small);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_TRUE(absl::StartsWith(refused.message(), "store is read-only after a failed write: "))
      << refused;
  EXPECT_EQ(store_->Write(WriteSet()).code(), absl::StatusCode::kUnavailable);
  // Reads still work.
  EXPECT_EQ(Get(Table::kMeta, "before"), "kept");
  EXPECT_EQ(Get(Table::kMeta, "after"), std::nullopt);

  // Reopening recovers to the last acknowledged write; the failed one is not half there.
  Close();
  Open();
  EXPECT_EQ(Get(Table::kMeta, "before"), "kept");
  EXPECT_EQ(Get(Table::kMeta, "last_event"), std::nullopt);
  EXPECT_EQ(Get(Table::kEvents, EncodeU64(1)), std::nullopt);
  Put(Table::kMeta, "after", "accepted");
  EXPECT_EQ(Get(Table::kMeta, "after"), "accepted");
}

TEST_F(RocksStoreTest, ConcurrentWritersAllLand) {
  constexpr size_t kWriters = 4;
  constexpr size_t kWritesEach = 25;
  std::vector<std::thread> writers;
  writers.reserve(kWriters);
  std::vector<absl::Status> failures(kWriters);
  for (size_t w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w, &failures] {
      for (size_t i = 0; i < kWritesEach; ++i) {
        WriteSet writes;
        const std::string id = absl::StrCat("site-", w, "-", i);
        writes.Put(Table::kSites, id, "plant");
        writes.Put(Table::kSitesByFirm, ChildKey(absl::StrCat("firm-", w), id), "");
        absl::Status status = store_->Write(writes);
        if (!status.ok()) failures[w] = status;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  for (const absl::Status& failure : failures) EXPECT_TRUE(failure.ok()) << failure;
  EXPECT_EQ(ScanKeys(Table::kSites, "").size(), kWriters * kWritesEach);
  for (size_t w = 0; w < kWriters; ++w) {
    EXPECT_EQ(ScanKeys(Table::kSitesByFirm, ChildPrefix(absl::StrCat("firm-", w))).size(),
              kWritesEach);
  }
}

}  // namespace
}  // namespace sello::storage

namespace sello::storage {
namespace {

// Scans stop at the deadline of the call the thread serves (checked every 256 keys);
// without one, or before it, they run to the end. Point lookups never check it.
TEST_F(RocksStoreTest, ScansStopAtTheThreadsReadDeadline) {
  WriteSet writes;
  for (int i = 0; i < 1000; ++i) writes.Put(Table::kEvents, absl::StrFormat("%06d", i), "e");
  ASSERT_TRUE(store_->Write(writes).ok());
  const auto count = [&](bool reverse, absl::Status* status) {
    int visited = 0;
    const auto visit = [&](absl::string_view, absl::string_view) { return ++visited > 0; };
    *status = reverse ? store_->ScanReverse(Table::kEvents, "", visit)
                      : store_->Scan(Table::kEvents, "", "", visit);
    return visited;
  };
  absl::Status status;
  EXPECT_EQ(ReadDeadline(), absl::InfiniteFuture());
  EXPECT_EQ(count(false, &status), 1000);
  EXPECT_TRUE(status.ok()) << status;
  {
    const ScopedReadDeadline later(absl::Now() + absl::Hours(1));
    EXPECT_EQ(count(true, &status), 1000);
    EXPECT_TRUE(status.ok()) << status;
    {
      const ScopedReadDeadline passed(absl::Now() - absl::Seconds(1));
      for (const bool reverse : {false, true}) {
        EXPECT_EQ(count(reverse, &status), 256);
        EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
        EXPECT_TRUE(absl::StrContains(status.message(),
                                      "deadline passed while reading table events (256 keys read)"))
            << status;
      }
      EXPECT_EQ(Get(Table::kEvents, "000999"), "e");
    }
    EXPECT_EQ(count(false, &status), 1000);  // the outer deadline is back
    EXPECT_TRUE(status.ok()) << status;
  }
  EXPECT_EQ(ReadDeadline(), absl::InfiniteFuture());
}

}  // namespace
}  // namespace sello::storage
