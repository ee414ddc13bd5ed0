#include "common/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace sello::storage {
namespace {

TEST(IsWithinTest, ComparesWholeComponents) {
  EXPECT_TRUE(IsWithin("/var/lib/sello", "/var/lib/sello"));
  EXPECT_TRUE(IsWithin("/var/lib/sello/backups", "/var/lib/sello"));
  EXPECT_TRUE(IsWithin("/var/lib/sello/backups", "/var/lib/sello/"));
  EXPECT_TRUE(IsWithin("/var/lib/sello/./a/../b", "/var/lib/sello"));
  EXPECT_FALSE(IsWithin("/var/lib/sello-backups", "/var/lib/sello"));
  EXPECT_FALSE(IsWithin("/var/lib/sellobackups/x", "/var/lib/sello"));
  EXPECT_FALSE(IsWithin("/var/lib/sello/../sello-backups", "/var/lib/sello"));
  EXPECT_FALSE(IsWithin("/var/lib", "/var/lib/sello"));
}

TEST(IsWithinTest, FollowsSymbolicLinks) {
  char pattern[] = "/tmp/sello-files-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::filesystem::path root = pattern;
  std::filesystem::create_directories(root / "data" / "db");
  std::filesystem::create_directory_symlink(root / "data" / "db", root / "alias");
  EXPECT_TRUE(IsWithin(root / "alias" / "backup", root / "data"));
  EXPECT_FALSE(IsWithin(root / "alias" / "backup", root / "elsewhere"));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace sello::storage
