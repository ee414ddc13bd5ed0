// C2SP tlog-tiles paths: the spec's examples, every malformed spelling refused, a
// round trip, and which tiles a tree of each size holds (the spec's 70,000 example).
#include "daemon/tlog/tile_path.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sello::domain {
namespace {

TEST(TilePathTest, ParsesTheSpecsSpellings) {
  struct Case {
    std::string path;
    TilePath tile;
  };
  const std::vector<Case> cases = {
      {"0/000", {.entries = false, .level = 0, .index = 0, .width = 256}},
      {"0/x001/x234/067", {.entries = false, .level = 0, .index = 1234067, .width = 256}},
      {"1/005.p/17", {.entries = false, .level = 1, .index = 5, .width = 17}},
      {"63/x001/000.p/255", {.entries = false, .level = 63, .index = 1000, .width = 255}},
      {"entries/273.p/112", {.entries = true, .level = 0, .index = 273, .width = 112}},
      {"entries/x018/x446/x744/x073/x709/x551/615",
       {.entries = true, .level = 0, .index = 18446744073709551615u, .width = 256}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TilePath> parsed = ParseTilePath(c.path);
    ASSERT_TRUE(parsed.ok()) << c.path << ": " << parsed.status();
    EXPECT_EQ(*parsed, c.tile) << c.path;
    EXPECT_EQ(FormatTilePath(*parsed), "tile/" + c.path);
  }
}

TEST(TilePathTest, RefusesEveryOtherSpelling) {
  for (const std::string path : {"",
                                 "0",
                                 "0/",
                                 "00/000",
                                 "64/000",
                                 "-1/000",
                                 "a/000",
                                 "0/0",
                                 "0/0000",
                                 "0/x000/001",
                                 "0/001/002",
                                 "0/x01/002",
                                 "0/y001/002",
                                 "0/000.p/0",
                                 "0/000.p/256",
                                 "0/000.p/017",
                                 "0/000.p/",
                                 "0/000.p",
                                 "0/000.q/5",
                                 "0/000/",
                                 "entries/",
                                 "entries/00a",
                                 "entries/x018/x446/x744/x073/x709/x551/616",
                                 "0/000.p/5/6",
                                 "0/x001.p/1/000"}) {
    EXPECT_FALSE(ParseTilePath(path).ok()) << "'" << path << "'";
  }
}

TEST(TilePathTest, ATreeHoldsTheSpecsTilesForItsSize) {
  // tlog-tiles: a tree of 70,000 has 273 full level-0 tiles, a partial one of 112, one
  // full level-1 tile, a partial one of 17, and a partial level-2 tile of 1.
  const uint64_t size = 70000;
  EXPECT_TRUE(TreeHoldsTile({.level = 0, .index = 272}, size));
  EXPECT_FALSE(TreeHoldsTile({.level = 0, .index = 273}, size));
  EXPECT_TRUE(TreeHoldsTile({.level = 0, .index = 273, .width = 112}, size));
  EXPECT_FALSE(TreeHoldsTile({.level = 0, .index = 273, .width = 113}, size));
  EXPECT_TRUE(TreeHoldsTile({.level = 1, .index = 0}, size));
  EXPECT_TRUE(TreeHoldsTile({.level = 1, .index = 1, .width = 17}, size));
  EXPECT_FALSE(TreeHoldsTile({.level = 1, .index = 1, .width = 18}, size));
  EXPECT_TRUE(TreeHoldsTile({.level = 2, .index = 0, .width = 1}, size));
  EXPECT_FALSE(TreeHoldsTile({.level = 2, .index = 0, .width = 2}, size));
  EXPECT_FALSE(TreeHoldsTile({.level = 3, .index = 0, .width = 1}, size));
  EXPECT_TRUE(TreeHoldsTile({.entries = true, .index = 273, .width = 112}, size));
  EXPECT_FALSE(TreeHoldsTile({.entries = true, .index = 274, .width = 1}, size));
  // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
  EXPECT_TRUE(TreeHoldsTile({.level = 0, .index = 0}, 256));
  EXPECT_TRUE(TreeHoldsTile({.level = 1, .index = 0, .width = 1}, 256));
  EXPECT_FALSE(TreeHoldsTile({.level = 0, .index = 0}, 255));
  EXPECT_FALSE(TreeHoldsTile({.level = 0, .index = 0, .width = 1}, 0));
  EXPECT_FALSE(TreeHoldsTile({.level = 63, .index = ~uint64_t{0}, .width = 1}, ~uint64_t{0}));
}

TEST(TilePathTest, EntryBundlesAreLengthPrefixed) {
  absl::StatusOr<std::string> bundle = FormatEntryBundle({"ab", "", std::string(300, 'x')});
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(*bundle, std::string("\x00\x02"
                                 "ab"
                                 "\x00\x00"
                                 "\x01\x2c",
                                 8) +
                         std::string(300, 'x'));
  EXPECT_FALSE(FormatEntryBundle({std::string(65536, 'x')}).ok());
  EXPECT_TRUE(FormatEntryBundle({std::string(65535, 'x')}).ok());
}

}  // namespace
}  // namespace sello::domain
