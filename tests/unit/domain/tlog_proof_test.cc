// C2SP tlog-proof files: the specification's example, round trips, malformed input.
#include "daemon/tlog/tlog_proof.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;

// tlog-proof's example, its extra data cut to a whole base64 value and its elided
// signature lines replaced by short well-formed ones.
const std::string kSpecProof = absl::StrCat(
    "c2sp.org/tlog-proof@v1\n"
    "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6\n"
    "index 73894\n"
    "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
    "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
    "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
    "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
    "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
    "\n"
    "example.com/fancylog\n"
    "109482\n"
    "sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
    "\n"
    "\xE2\x80\x94 example.com/fancylog AAAAAAE=\n"
    "\xE2\x80\x94 witness1.example AAAAAAE=\n");

TEST(TlogProofTest, ParsesTheSpecsExample) {
  absl::StatusOr<TlogProof> proof = ParseTlogProof(kSpecProof);
  ASSERT_TRUE(proof.ok()) << proof.status();
  ASSERT_TRUE(proof->extra.has_value());
  EXPECT_EQ(*proof->extra, "age-v1.2.1-darwin-arm64.tar.gz");
  EXPECT_EQ(proof->index, 73894u);
  ASSERT_EQ(proof->hashes.size(), 5u);
  EXPECT_EQ(absl::Base64Escape(proof->hashes[0]), "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=");
  EXPECT_TRUE(absl::StartsWith(proof->checkpoint, "example.com/fancylog\n109482\n"));
  EXPECT_EQ(FormatTlogProof(*proof), kSpecProof);
}

TEST(TlogProofTest, RoundTripsWithoutExtraOrPath) {
  const TlogProof proof{std::nullopt, 0, {}, "o\n1\nAAAA\n\n\xE2\x80\x94 o AAAAAAE=\n"};
  const std::string text = FormatTlogProof(proof);
  EXPECT_EQ(text, absl::StrCat("c2sp.org/tlog-proof@v1\nindex 0\n\n", proof.checkpoint));
  absl::StatusOr<TlogProof> parsed = ParseTlogProof(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->extra.has_value());
  EXPECT_EQ(parsed->index, 0u);
  EXPECT_TRUE(parsed->hashes.empty());
  EXPECT_EQ(parsed->checkpoint, proof.checkpoint);
}

TEST(TlogProofTest, MalformedProofsNameTheLine) {
  const std::string hash = absl::StrCat(absl::Base64Escape(std::string(32, 'h')), "\n");
  const std::string tail = "\no\n1\nAAAA\n\n\xE2\x80\x94 o AAAAAAE=\n";
  std::string too_long = "c2sp.org/tlog-proof@v1\nindex 1\n";
  for (int i = 0; i < 65; ++i) too_long += hash;
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "line 1: missing"},
      {"c2sp.org/tlog-proof@v2\nindex 1\n" + tail, "line 1: want \"c2sp.org/tlog-proof@v1\""},
      {"c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n" + tail, "line 2: extra data"},
      {"c2sp.org/tlog-proof@v1\nindex 01\n" + tail, "line 2: want \"index <decimal>\""},
      {"c2sp.org/tlog-proof@v1\nextra AA==\n" + hash + tail, "line 3: want \"index"},
      {"c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n" + tail, "line 3: not the canonical base64"},
      {too_long + tail, "line 67: more than 64"},
      {"c2sp.org/tlog-proof@v1\nindex 1\n" + hash, "line 4: missing"},
      {"c2sp.org/tlog-proof@v1\nindex 1\n\n", "line 3: no checkpoint"},
      {"c2sp.org/tlog-proof@v1\nindex 1\n\no\n1", "does not end with a newline"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TlogProof> proof = ParseTlogProof(c.text);
    EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(proof.status().message()), HasSubstr(c.message)) << c.text;
  }
}

}  // namespace
}  // namespace sello::domain
