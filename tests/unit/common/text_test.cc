#include "common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace sello {
namespace {

TEST(CommonTextTest, CharCountCountsCodePointsNotBytes) {
  EXPECT_EQ(CharCount(""), 0u);
  EXPECT_EQ(CharCount("abc"), 3u);
  EXPECT_EQ(CharCount("Ñuñoa"), 5u);             // two-byte letters
  EXPECT_EQ(CharCount("€"), 1u);                 // three bytes
  EXPECT_EQ(CharCount("\xF0\x9F\x8D\xB7"), 1u);  // four bytes (a wine glass)
}

TEST(CommonTextTest, QuoteEscapesAndCutsLongValues) {
  EXPECT_EQ(Quote("site-1"), "\"site-1\"");
  EXPECT_EQ(Quote("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(Quote(std::string(48, 'x')), "\"" + std::string(48, 'x') + "\"");
  EXPECT_EQ(Quote(std::string(49, 'x')), "\"" + std::string(48, 'x') + "...\"");
}

TEST(CommonTextTest, FormatNumberIsTheShortestRoundTrip) {
  EXPECT_EQ(FormatNumber(24), "24");
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(-3.25), "-3.25");
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(1e30), "1e+30");
}

}  // namespace
}  // namespace sello
