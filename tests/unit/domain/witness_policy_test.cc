// C2SP tlog-policy: parsing (every malformed case names its line) and the quorum
// evaluator, on the specification's own example policy with real keys.
#include "daemon/domain/witness_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"

namespace sello::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kOrigin = "sello.example/log";

struct Keys {
  NoteSigner log = *NoteSigner::Generate(kOrigin);
  std::map<std::string, CosignatureSigner> witnesses;

  const CosignatureSigner& Witness(const std::string& name) {
    auto it = witnesses.find(name);
    if (it == witnesses.end()) {
      it = witnesses.emplace(name, *CosignatureSigner::Generate(absl::StrCat(name, ".example")))
               .first;
    }
    return it->second;
  }
};

// The example of tlog-policy's "Example policy", with the elided keys filled in.
std::string SpecExample(Keys& keys) {
  std::string text = absl::StrCat("log ", keys.log.VerifierKey(), "\n\n");
  for (const char* name : {"X1", "X2", "X3"}) {
    absl::StrAppend(&text, "witness ", name, " ", keys.Witness(name).VerifierKey(), "\n");
  }
  absl::StrAppend(&text, "group X-witnesses 2 X1 X2 X3\n\n");
  for (const char* name : {"Y1", "Y2", "Y3"}) {
    absl::StrAppend(&text, "witness ", name, " ", keys.Witness(name).VerifierKey(), "\n");
  }
  absl::StrAppend(&text,
                  "group Y-witnesses any Y1 Y2 Y3\n\n"
                  "group X-and-Y all X-witnesses Y-witnesses\n"
                  "quorum X-and-Y\n");
  return text;
}

// A checkpoint signed by the log and cosigned by `cosigners`.
std::string Cosigned(Keys& keys, const std::vector<std::string>& cosigners) {
  const Checkpoint checkpoint{std::string(kOrigin), 7, std::string(32, 'r'),
                              absl::FromUnixSeconds(1795666301)};
  std::string note = *SignCheckpoint(keys.log, checkpoint);
  const std::string text = CheckpointBody(checkpoint);
  for (const std::string& name : cosigners) {
    note += *keys.Witness(name).Cosign(text, absl::FromUnixSeconds(1795666302));
  }
  return note;
}

WitnessPolicy MustParse(absl::string_view text) {
  absl::StatusOr<WitnessPolicy> policy = WitnessPolicy::Parse(text);
  EXPECT_TRUE(policy.ok()) << policy.status() << "\n" << text;
  return *std::move(policy);
}

TEST(WitnessPolicyTest, ParsesTheSpecsExample) {
  Keys keys;
  const WitnessPolicy policy = MustParse(SpecExample(keys));
  ASSERT_EQ(policy.logs().size(), 1u);
  EXPECT_EQ(policy.logs()[0].verifier.VerifierKey(), keys.log.VerifierKey());
  EXPECT_NE(policy.FindLog(kOrigin), nullptr);
  EXPECT_EQ(policy.FindLog("other"), nullptr);
  EXPECT_EQ(policy.witnesses().size(), 6u);
  ASSERT_EQ(policy.groups().size(), 3u);
  EXPECT_EQ(policy.groups()[0].threshold, 2);
  EXPECT_EQ(policy.groups()[1].threshold, 1);
  EXPECT_EQ(policy.groups()[2].threshold, 2);
  EXPECT_EQ(policy.quorum(), "X-and-Y");
  EXPECT_EQ(policy.DescribeQuorum(), "group X-and-Y: 2 of X-witnesses, Y-witnesses");
}

// The quorum needs two X and one Y: a table over who cosigned.
TEST(WitnessPolicyTest, QuorumOfTheSpecsExample) {
  Keys keys;
  const WitnessPolicy policy = MustParse(SpecExample(keys));
  struct Case {
    std::vector<std::string> cosigners;
    bool met;
  };
  const Case cases[] = {
      {{}, false},
      {{"X1", "X2"}, false},
      {{"Y1", "Y2", "Y3"}, false},
      {{"X1", "Y3"}, false},
      {{"X1", "X3", "Y2"}, true},
      {{"X1", "X2", "X3", "Y1", "Y2", "Y3"}, true},
  };
  for (const Case& c : cases) {
    absl::StatusOr<QuorumResult> result = policy.Evaluate(Cosigned(keys, c.cosigners));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->met, c.met) << result->Describe();
    std::vector<std::string> cosigned;
    for (const WitnessCosignature& w : result->cosigned) {
      cosigned.push_back(w.witness);
      EXPECT_EQ(w.time, absl::FromUnixSeconds(1795666302));
    }
    EXPECT_EQ(cosigned, c.cosigners);
    EXPECT_EQ(result->cosigned.size() + result->missing.size(), 6u);
  }
  absl::StatusOr<QuorumResult> partial = policy.Evaluate(Cosigned(keys, {"X1", "Y3"}));
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->Describe(), "quorum NOT met: cosigned by X1, Y3; missing X2, X3, Y1, Y2");
  EXPECT_THAT(partial->missing, ElementsAre("X2", "X3", "Y1", "Y2"));
}

TEST(WitnessPolicyTest, IgnoresUnknownKeysAndRejectsABadCosignatureFromAKnownOne) {
  Keys keys;
  const WitnessPolicy policy =
      MustParse(absl::StrCat("witness A ", keys.Witness("A").VerifierKey(), "\nquorum A\n"));
  // A stranger's cosignature counts for nothing.
  absl::StatusOr<QuorumResult> stranger = policy.Evaluate(Cosigned(keys, {"B"}));
  ASSERT_TRUE(stranger.ok()) << stranger.status();
  EXPECT_FALSE(stranger->met);
  // A's line over another checkpoint (same name, same key id) makes the note invalid.
  std::string note = Cosigned(keys, {"A"});
  const std::string forged = absl::StrReplaceAll(note, {{"\n7\n", "\n8\n"}});
  absl::StatusOr<QuorumResult> bad = policy.Evaluate(forged);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("witness A: cosignature by A.example"));
  EXPECT_EQ(policy.Evaluate("not a note").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(WitnessPolicyTest, QuorumNoneAndASingleWitness) {
  Keys keys;
  const WitnessPolicy none =
      MustParse(absl::StrCat("log ", keys.log.VerifierKey(), "\nquorum none\n"));
  EXPECT_TRUE(none.Evaluate(Cosigned(keys, {}))->met);
  EXPECT_EQ(none.DescribeQuorum(), "none (no cosignature required)");

  const WitnessPolicy single =
      MustParse(absl::StrCat("# a comment\n  \t# an indented one\n\twitness  W\t",
                             keys.Witness("W").VerifierKey(), "  https://w.example/ \n\nquorum W"));
  EXPECT_FALSE(single.Evaluate(Cosigned(keys, {}))->met);
  EXPECT_TRUE(single.Evaluate(Cosigned(keys, {"W"}))->met);
  EXPECT_EQ(single.witnesses()[0].url, "https://w.example/");
}

TEST(WitnessPolicyTest, NestedGroupsCountGroupsAsMembers) {
  Keys keys;
  std::string text;
  for (const char* name : {"A", "B", "C", "D"}) {
    absl::StrAppend(&text, "witness ", name, " ", keys.Witness(name).VerifierKey(), "\n");
  }
  absl::StrAppend(&text, "group AB all A B\ngroup top any AB C\nquorum top\n");
  const WitnessPolicy policy = MustParse(text);
  EXPECT_FALSE(policy.Evaluate(Cosigned(keys, {"A", "D"}))->met);
  EXPECT_TRUE(policy.Evaluate(Cosigned(keys, {"A", "B"}))->met);
  EXPECT_TRUE(policy.Evaluate(Cosigned(keys, {"C"}))->met);
}

// What the seal page embeds: the same policy, less the URLs and the comments.
TEST(WitnessPolicyTest, FormatForVerifiersParsesIntoTheSamePolicy) {
  Keys keys;
  const WitnessPolicy policy = MustParse(absl::StrCat("# the spec's example\n", SpecExample(keys)));
  const std::string text = policy.FormatForVerifiers();
  EXPECT_THAT(text, Not(HasSubstr("#")));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("log ", keys.log.VerifierKey(), "\n")));
  EXPECT_THAT(text, HasSubstr("group X-and-Y 2 X-witnesses Y-witnesses\nquorum X-and-Y\n"));
  const WitnessPolicy again = MustParse(text);
  EXPECT_EQ(again.FormatForVerifiers(), text);
  EXPECT_EQ(again.DescribeQuorum(), policy.DescribeQuorum());
  for (const std::vector<std::string>& cosigners : std::vector<std::vector<std::string>>{
           {}, {"X1", "Y3"}, {"X1", "X3", "Y2"}, {"X2", "X3"}, {"Y1", "X2", "X1"}}) {
    const std::string note = Cosigned(keys, cosigners);
    EXPECT_EQ(again.Evaluate(note)->Describe(), policy.Evaluate(note)->Describe());
  }

  const WitnessPolicy with_url = MustParse(absl::StrCat(
      "witness W ", keys.Witness("W").VerifierKey(), " https://w.example/\nquorum none\n"));
  EXPECT_EQ(with_url.FormatForVerifiers(),
            absl::StrCat("witness W ", keys.Witness("W").VerifierKey(), "\nquorum none\n"));
}

TEST(WitnessPolicyTest, MalformedPoliciesNameTheLine) {
  Keys keys;
  const std::string log = keys.log.VerifierKey();
  const std::string a = keys.Witness("A").VerifierKey();
  const std::string b = keys.Witness("B").VerifierKey();
  const std::string& a_key = keys.Witness("A").raw_public_key();
  const std::string a_as_other_name =
      FormatVerifierKey(VerifierKeyParts{"other", NoteKeyId("other", 0x04, a_key), 0x04, a_key});
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "no quorum line"},
      {"# only a comment\n", "no quorum line"},
      {"quorum none\nquorum none\n", "line 2: a second quorum line"},
      {"quorum W\n", "line 1: quorum \"W\" is not a witness or group defined on an earlier line"},
      {"quorum W\nwitness W " + a + "\n", "line 1: quorum \"W\""},
      {"wittness W " + a + "\nquorum none\n", "line 1: unknown keyword \"wittness\""},
      {"log\nquorum none\n", "line 1: want: log <vkey> [<url>]"},
      {"log " + log + " url extra\nquorum none\n", "line 1: want: log"},
      {"log " + a + "\nquorum none\n", "line 1: log verifier key: signature type 0x04"},
      {"log " + log + "\nlog " + log + "\nquorum none\n", "line 2: log key"},
      {"witness W\nquorum none\n", "line 1: want: witness <name> <vkey> [<url>]"},
      {"witness W " + log + "\nquorum none\n", "0x01 is a log's key"},
      {"witness none " + a + "\nquorum none\n", "line 1: the name \"none\" is predefined"},
      {"witness W " + a + "\nwitness W " + b + "\nquorum none\n",
       "line 2: the name \"W\" is already defined"},
      {"witness W " + a + "\nwitness V " + a_as_other_name + "\nquorum none\n",
       "line 2: witness \"V\" has the same public key as witness \"W\""},
      {"witness W " + a + "\ngroup G 1\nquorum G\n", "line 2: want: group"},
      {"witness W " + a + "\ngroup G 2 W\nquorum G\n", "line 2: group \"G\": threshold \"2\""},
      {"witness W " + a + "\ngroup G 0 W\nquorum G\n", "threshold \"0\""},
      {"witness W " + a + "\ngroup G some W\nquorum G\n", "threshold \"some\""},
      {"witness W " + a + "\ngroup G any W W\nquorum G\n", "member \"W\" listed twice"},
      {"witness W " + a + "\ngroup G any W none\nquorum G\n", "\"none\" cannot be a group member"},
      {"group G any W\nwitness W " + a + "\nquorum G\n", "line 1: group \"G\": member \"W\""},
      {"witness W " + a + "\ngroup W any W\nquorum W\n", "line 2: the name \"W\" is already"},
      {"witness W " + a + "\r\nquorum W\n", "line 1: control character 0x0d (a carriage return"},
      {"quorum none\n\x01\n", "line 2: control character 0x01"},
      {std::string(kMaxPolicyBytes + 1, '#'), "more than the"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<WitnessPolicy> policy = WitnessPolicy::Parse(c.text);
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(policy.status().message()), HasSubstr(c.message)) << c.text;
  }
}

TEST(WitnessPolicyTest, NamesAreOpaqueBytes) {
  Keys keys;
  // "K" and the Kelvin sign are two names.
  const WitnessPolicy policy = MustParse(absl::StrCat(
      "witness K ", keys.Witness("A").VerifierKey(), "\nwitness \xE2\x84\xAA ",
      keys.Witness("B").VerifierKey(), "\ngroup both all K \xE2\x84\xAA\nquorum both\n"));
  EXPECT_EQ(policy.witnesses().size(), 2u);
}

}  // namespace
}  // namespace sello::domain
