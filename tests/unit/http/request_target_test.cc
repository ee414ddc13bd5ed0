#include "daemon/http/request_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sello::http {
namespace {

using ::testing::HasSubstr;

TEST(RequestTargetTest, DecodesThePathAndTheQuery) {
  absl::StatusOr<RequestTarget> target =
      ParseRequestTarget("/seal/CSCS%2D7KQ2?lang=es&q=a+b%20c&flag&&x=%E2%9C%93");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->path, "/seal/CSCS-7KQ2");
  ASSERT_EQ(target->query.size(), 4u);
  EXPECT_EQ(*target->Query("lang"), "es");
  EXPECT_EQ(*target->Query("q"), "a b c");  // '+' is a space in a query (HTML forms)
  EXPECT_EQ(*target->Query("flag"), "");
  EXPECT_EQ(*target->Query("x"), "\u2713");
  EXPECT_EQ(target->Query("missing"), nullptr);
  // '+' in a path is a plus.
  EXPECT_EQ(ParseRequestTarget("/a+b")->path, "/a+b");
}

TEST(RequestTargetTest, RefusesWhatNoBrowserMeant) {
  struct Case {
    const char* target;
    const char* problem;
  };
  for (const Case& c : {
           Case{"", "must start with '/'"},
           Case{"seal/x", "must start with '/'"},
           Case{"/a#b", "fragment"},
           Case{"/%", "not followed by two hex digits"},
           Case{"/%4", "not followed by two hex digits"},
           Case{"/%zz", "not followed by two hex digits"},
           Case{"/a?b=%G0", "query parameter 'b'"},
           Case{"/a%00b", "control character"},
           Case{"/a%0Ab", "control character"},
           Case{"/%E9t%E9", "not UTF-8"},
           Case{"/%C0%AF", "not UTF-8"},        // overlong '/'
           Case{"/%ED%A0%80", "not UTF-8"},     // a surrogate
           Case{"/%F4%90%80%80", "not UTF-8"},  // beyond U+10FFFF
           Case{"/x?%FF=1", "not UTF-8"},
       }) {
    absl::StatusOr<RequestTarget> target = ParseRequestTarget(c.target);
    ASSERT_FALSE(target.ok()) << c.target;
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument) << c.target;
    EXPECT_THAT(std::string(target.status().message()), HasSubstr(c.problem)) << c.target;
  }
  std::string many = "/a?";
  for (int i = 0; i < 65; ++i) many += "p=1&";
  EXPECT_FALSE(ParseRequestTarget(many).ok());
}

TEST(RequestTargetTest, Utf8) {
  size_t bad = 0;
  EXPECT_TRUE(IsUtf8("plain ascii"));
  EXPECT_TRUE(IsUtf8("Salmones Quell\xc3\xb3n \xe2\x9c\x93 \xf0\x9f\x90\x9f"));
  EXPECT_FALSE(IsUtf8("ab\xc3", &bad));
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(IsUtf8("\x80"));
  EXPECT_FALSE(IsUtf8("\xe2\x28\xa1"));
}

}  // namespace
}  // namespace sello::http
