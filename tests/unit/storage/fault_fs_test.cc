// The fault-injecting file system's model, checked on its own: what survives a power cut,
// and how it runs out of space. The power-loss and full-disk tests rely on it.
#include "storage/testing/fault_fs.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "rocksdb/file_system.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::storage {
namespace {

using Operation = FaultInjectionFileSystem::Operation;

class FaultInjectionFileSystemTest : public ::testing::Test {
 protected:
  std::string PathOf(const std::string& name) const { return dir_.path() + "/" + name; }

  std::unique_ptr<rocksdb::FSWritableFile> Create(const std::string& name) {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    const rocksdb::IOStatus status =
        fs_->NewWritableFile(PathOf(name), rocksdb::FileOptions(), &file, nullptr);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return file;
  }
  rocksdb::IOStatus Append(rocksdb::FSWritableFile& file, const std::string& data) {
    return file.Append(data, rocksdb::IOOptions(), nullptr);
  }
  rocksdb::IOStatus Sync(rocksdb::FSWritableFile& file) {
    return file.Sync(rocksdb::IOOptions(), nullptr);
  }
  rocksdb::IOStatus SyncDir() {
    std::unique_ptr<rocksdb::FSDirectory> directory;
    EXPECT_TRUE(fs_->NewDirectory(dir_.path(), rocksdb::IOOptions(), &directory, nullptr).ok());
    return directory->Fsync(rocksdb::IOOptions(), nullptr);
  }
  // The file's content on disk, or "<none>".
  std::string Content(const std::string& name) {
    std::string content;
    if (!rocksdb::ReadFileToString(fs_->target(), PathOf(name), &content).ok()) return "<none>";
    return content;
  }
  void LosePower() {
    fs_->CutPower();
    const absl::Status restored = fs_->RestorePower();
    EXPECT_TRUE(restored.ok()) << restored;
  }

  sello::test_support::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_ = std::make_shared<FaultInjectionFileSystem>();
};

TEST_F(FaultInjectionFileSystemTest, PowerCutKeepsWhatWasSyncedAndDropsTheRest) {
  auto file = Create("wal");
  ASSERT_TRUE(Append(*file, "synced ").ok());
  ASSERT_TRUE(Sync(*file).ok());
  ASSERT_TRUE(SyncDir().ok());
  ASSERT_TRUE(Append(*file, "lost").ok());
  EXPECT_EQ(Content("wal"), "synced lost") << "before the cut the data is in the file";
  file->Close(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  LosePower();
  EXPECT_EQ(Content("wal"), "synced ");
}

TEST_F(FaultInjectionFileSystemTest, NewFileVanishesUntilItsDirectoryIsSynced) {
  auto unlisted = Create("unlisted");
  ASSERT_TRUE(Append(*unlisted, "data").ok());
  ASSERT_TRUE(Sync(*unlisted).ok());
  LosePower();
  EXPECT_EQ(Content("unlisted"), "<none>");

  auto listed = Create("listed");
  ASSERT_TRUE(Append(*listed, "data").ok());
  ASSERT_TRUE(Sync(*listed).ok());
  ASSERT_TRUE(SyncDir().ok());
  LosePower();
  EXPECT_EQ(Content("listed"), "data");
}

TEST_F(FaultInjectionFileSystemTest, RenameIsUndoneUntilItsDirectoryIsSynced) {
  auto current = Create("CURRENT");
  ASSERT_TRUE(Append(*current, "old").ok());
  ASSERT_TRUE(Sync(*current).ok());
  ASSERT_TRUE(SyncDir().ok());
  auto temp = Create("CURRENT.tmp");
  ASSERT_TRUE(Append(*temp, "new").ok());
  ASSERT_TRUE(Sync(*temp).ok());
  ASSERT_TRUE(
      fs_->RenameFile(PathOf("CURRENT.tmp"), PathOf("CURRENT"), rocksdb::IOOptions(), nullptr)
          .ok());
  EXPECT_EQ(Content("CURRENT"), "new");
  LosePower();
  EXPECT_EQ(Content("CURRENT"), "old");
  EXPECT_EQ(Content("CURRENT.tmp"), "<none>");

  auto again = Create("CURRENT.tmp");
  ASSERT_TRUE(Append(*again, "new").ok());
  ASSERT_TRUE(Sync(*again).ok());
  ASSERT_TRUE(
      fs_->RenameFile(PathOf("CURRENT.tmp"), PathOf("CURRENT"), rocksdb::IOOptions(), nullptr)
          .ok());
  ASSERT_TRUE(SyncDir().ok());
  LosePower();
  EXPECT_EQ(Content("CURRENT"), "new");
}

TEST_F(FaultInjectionFileSystemTest, NothingReachesTheDiskWhileThePowerIsCut) {
  auto file = Create("wal");
  ASSERT_TRUE(Append(*file, "a").ok());
  fs_->CutPower();
  EXPECT_FALSE(Append(*file, "b").ok());
  EXPECT_FALSE(Sync(*file).ok()) << "a sync after the cut must not claim durability";
  std::unique_ptr<rocksdb::FSWritableFile> refused;
  EXPECT_FALSE(
      fs_->NewWritableFile(PathOf("other"), rocksdb::FileOptions(), &refused, nullptr).ok());
  EXPECT_EQ(Content("wal"), "a") << "reads still work";
  ASSERT_TRUE(fs_->RestorePower().ok());
}

TEST_F(FaultInjectionFileSystemTest, NthWriteFailsAndTheDiskStaysFullUntilFreed) {
  auto file = Create("wal");
  fs_->FailNth(Operation::kWrite, 2);
  EXPECT_TRUE(Append(*file, "one").ok());
  EXPECT_FALSE(fs_->full());
  const rocksdb::IOStatus second = Append(*file, "two");
  EXPECT_TRUE(second.IsNoSpace()) << second.ToString();
  EXPECT_TRUE(fs_->full());
  EXPECT_TRUE(Append(*file, "three").IsNoSpace());
  EXPECT_TRUE(Sync(*file).IsNoSpace());
  EXPECT_TRUE(
      fs_->RenameFile(PathOf("wal"), PathOf("moved"), rocksdb::IOOptions(), nullptr).IsNoSpace());
  uint64_t free = 1;
  ASSERT_TRUE(fs_->GetFreeSpace(dir_.path(), rocksdb::IOOptions(), &free, nullptr).ok());
  EXPECT_EQ(free, 0u);
  EXPECT_EQ(Content("wal"), "one") << "a failed write writes nothing";

  fs_->FreeSpace();
  EXPECT_TRUE(Append(*file, "four").ok());
  EXPECT_TRUE(Sync(*file).ok());
  EXPECT_EQ(Content("wal"), "onefour");
}

TEST_F(FaultInjectionFileSystemTest, NthSyncAndNthRenameFail) {
  auto file = Create("a");
  fs_->FailNth(Operation::kSync, 1);
  EXPECT_TRUE(Append(*file, "x").ok());
  EXPECT_TRUE(Sync(*file).IsNoSpace());
  fs_->FreeSpace();
  EXPECT_TRUE(Sync(*file).ok());
  fs_->FailNth(Operation::kRename, 1);
  EXPECT_TRUE(fs_->RenameFile(PathOf("a"), PathOf("b"), rocksdb::IOOptions(), nullptr).IsNoSpace());
  EXPECT_EQ(Content("a"), "x") << "a failed rename renames nothing";
  EXPECT_EQ(fs_->count(Operation::kRename), 1u);
}

TEST_F(FaultInjectionFileSystemTest, BudgetWritesWhatFitsThenFails) {
  auto file = Create("wal");
  fs_->SetSpaceBudget(5);
  EXPECT_TRUE(Append(*file, "abc").ok());
  EXPECT_TRUE(Append(*file, "defgh").IsNoSpace());
  EXPECT_EQ(Content("wal"), "abcde") << "a torn write, as a real full disk leaves it";
  EXPECT_TRUE(fs_->full());
  fs_->FreeSpace();
  uint64_t free = 0;
  ASSERT_TRUE(fs_->GetFreeSpace(dir_.path(), rocksdb::IOOptions(), &free, nullptr).ok());
  EXPECT_GT(free, uint64_t{1} << 30);
}

}  // namespace
}  // namespace sello::storage
