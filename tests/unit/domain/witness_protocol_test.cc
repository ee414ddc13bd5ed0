// C2SP tlog-witness add-checkpoint bodies, and the witness's decision as a table.
#include "daemon/domain/witness_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "daemon/tlog/merkle.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;

// The example request body of tlog-witness, "add-checkpoint".
constexpr absl::string_view kSpecRequest =
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xE2\x80\x94 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\xE2\x80\x94 example.com/behind-the-sofa "
    "opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/"
    "V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

TEST(WitnessProtocolTest, ParsesTheSpecsExampleAndFormatsItBack) {
  absl::StatusOr<AddCheckpointRequest> request = ParseAddCheckpointRequest(kSpecRequest);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->old_size, 20852014u);
  ASSERT_EQ(request->proof.size(), 4u);
  EXPECT_EQ(absl::Base64Escape(request->proof[3]), "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=");
  EXPECT_TRUE(absl::StartsWith(request->checkpoint, "example.com/behind-the-sofa\n20852163\n"));
  EXPECT_TRUE(absl::EndsWith(request->checkpoint, "qbSzm9Q=\n"));
  EXPECT_EQ(FormatAddCheckpointRequest(*request), kSpecRequest);
}

TEST(WitnessProtocolTest, MalformedRequestsNameTheProblem) {
  const std::string hash = absl::StrCat(absl::Base64Escape(std::string(32, 'h')), "\n");
  const std::string note = "o\n1\nAAAA\n\n\xE2\x80\x94 o AAAAAAE=\n";
  struct Case {
    std::string body;
    std::string message;
  };
  std::string too_many = "old 5\n";
  for (int i = 0; i < 64; ++i) too_many += hash;
  const Case cases[] = {
      {"", "request line 1: missing"},
      {"old 5", "request line 1: does not end with a newline"},
      {"new 5\n\n" + note, "request line 1: want \"old <size>\""},
      {"old 05\n\n" + note, "request line 1: want \"old <size>\""},
      {"old -1\n\n" + note, "request line 1"},
      {"old  5\n\n" + note, "request line 1"},
      {"old 18446744073709551616\n\n" + note, "request line 1"},
      {"old 5\nAAAA\n\n" + note, "request line 2: a proof line is not the canonical base64"},
      {"old 5\n" + hash.substr(0, 43) + "\n\n" + note, "request line 2"},
      {"old 5\n" + hash + hash + "x\n\n" + note, "request line 4"},
      {too_many + "\n" + note, "request line 65: more than 63 consistency proof lines"},
      {"old 0\n" + hash + "\n" + note, "a proof from old size 0 must be empty"},
      {"old 5\n", "request line 2: missing"},
      {"old 5\n\n", "no checkpoint after the empty line"},
      {"old 5\n\no\n1", "the checkpoint does not end with a newline"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<AddCheckpointRequest> request = ParseAddCheckpointRequest(c.body);
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(c.message)) << c.body;
  }
  // 63 lines are allowed.
  std::string most = "old 5\n";
  for (int i = 0; i < 63; ++i) most += hash;
  EXPECT_TRUE(ParseAddCheckpointRequest(most + "\n" + note).ok());
}

TEST(WitnessProtocolTest, TreeSizeBody) {
  EXPECT_EQ(FormatTreeSize(20852014), "20852014\n");
  EXPECT_EQ(*ParseTreeSize("0\n"), 0u);
  EXPECT_EQ(*ParseTreeSize("20852014\n"), 20852014u);
  for (absl::string_view bad : {"", "12", "012\n", "12 \n", "x\n", "-1\n"}) {
    EXPECT_EQ(ParseTreeSize(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// A tree of 8 leaves in memory, for real roots and proofs.
class JudgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 8; ++i) leaves_ += merkle::LeafHash(absl::StrCat("leaf ", i));
    tree_ = *merkle::LeafTree::Build(leaves_);
  }
  std::string Root(uint64_t size) {
    merkle::LeafTree prefix = *merkle::LeafTree::Build(leaves_.substr(0, size * 32));
    return *prefix.Root();
  }
  std::vector<std::string> Proof(uint64_t from, uint64_t to) {
    merkle::LeafTree prefix = *merkle::LeafTree::Build(leaves_.substr(0, to * 32));
    return *merkle::ConsistencyProof(from, to, prefix);
  }
  AddCheckpointVerdict Judge(std::optional<WitnessedTree> held, uint64_t old_size,
                             std::vector<std::string> proof, uint64_t size, std::string root) {
    return JudgeAddCheckpoint(held, AddCheckpointRequest{old_size, std::move(proof), ""}, size,
                              root);
  }

  std::string leaves_;
  merkle::LeafTree tree_;
};

TEST_F(JudgeTest, EveryOutcomeInTheSpecsOrder) {
  using O = AddCheckpointOutcome;
  const WitnessedTree held3{3, Root(3)};
  const std::string fork_root = merkle::NodeHash(Root(3), Root(3));
  struct Case {
    std::string name;
    AddCheckpointVerdict verdict;
    O outcome;
    bool evidence;
  };
  const Case cases[] = {
      {"first ever, old 0", Judge(std::nullopt, 0, {}, 5, Root(5)), O::kCosign, false},
      {"first ever, old 3", Judge(std::nullopt, 3, Proof(3, 5), 5, Root(5)), O::kSizeConflict,
       false},
      {"held empty tree", Judge(WitnessedTree{0, merkle::EmptyRootHash()}, 0, {}, 4, Root(4)),
       O::kCosign, false},
      {"extends", Judge(held3, 3, Proof(3, 8), 8, Root(8)), O::kCosign, false},
      {"same tree again", Judge(held3, 3, {}, 3, Root(3)), O::kCosign, false},
      {"old beyond size", Judge(held3, 5, {}, 4, Root(4)), O::kBadRequest, false},
      {"stale old size", Judge(held3, 2, Proof(2, 8), 8, Root(8)), O::kSizeConflict, false},
      {"old 0 though it holds 3", Judge(held3, 0, {}, 8, Root(8)), O::kSizeConflict, false},
      {"proof from the wrong size", Judge(held3, 3, Proof(2, 8), 8, Root(8)), O::kInconsistent,
       true},
      {"forked larger tree", Judge(held3, 3, Proof(3, 8), 8, fork_root), O::kInconsistent, true},
      {"empty proof to a larger tree", Judge(held3, 3, {}, 8, Root(8)), O::kInconsistent, true},
      {"same size, other root", Judge(held3, 3, {}, 3, fork_root), O::kRootConflict, true},
      {"same size with a proof", Judge(held3, 3, Proof(2, 3), 3, Root(3)), O::kInconsistent, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.verdict.outcome, c.outcome) << c.name << ": " << c.verdict.reason;
    EXPECT_EQ(c.verdict.evidence, c.evidence) << c.name;
    EXPECT_FALSE(c.verdict.reason.empty()) << c.name;
  }
  EXPECT_THAT(Judge(held3, 2, {}, 8, Root(8)).reason,
              HasSubstr("old size 2 is not the size last cosigned, 3"));
}

}  // namespace
}  // namespace sello::domain
