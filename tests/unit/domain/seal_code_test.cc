#include "daemon/domain/seal_code.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace sello::domain {
namespace {

constexpr absl::string_view kMistyped = "code: check character does not match: mistyped?";
constexpr absl::string_view kWrongLength = "code: wrong length";
constexpr absl::string_view kAlphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// The test's own reading of a look-alike, independent of the implementation's table.
char Fold(char c) {
  c = absl::ascii_toupper(static_cast<unsigned char>(c));
  if (c == 'O') return '0';
  if (c == 'I' || c == 'L') return '1';
  return c;
}

bool IsCodeCharacter(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

// Prefixes with and without hyphens, and with letters that have look-alikes (I, L, O).
const std::vector<std::string>& SamplePrefixes() {
  static const auto* prefixes =
      new std::vector<std::string>{"CSCS", "ISO-22000", "TOMATO-PROC", "GLOBAL-G-A-P"};
  return *prefixes;
}

std::vector<std::string> SampleCodes(int count) {
  std::vector<std::string> codes;
  codes.reserve(count);
  for (int i = 0; i < count; ++i) {
    codes.push_back(NewSealCode(SamplePrefixes()[i % SamplePrefixes().size()]));
  }
  return codes;
}

// Expects `typed` to be accepted as the same code as `code` (same key), or says why not.
void ExpectSameCode(const std::string& typed, const std::string& code) {
  const absl::StatusOr<std::string> normalised = NormaliseSealCode(typed);
  ASSERT_TRUE(normalised.ok()) << typed << " (from " << code << "): " << normalised.status();
  ASSERT_EQ(SealCodeKey(*normalised), SealCodeKey(code)) << typed << " (from " << code << ")";
}

void ExpectMistyped(const std::string& typed, const std::string& code) {
  const absl::StatusOr<std::string> normalised = NormaliseSealCode(typed);
  ASSERT_FALSE(normalised.ok()) << typed << " (from " << code << ") accepted as " << *normalised;
  ASSERT_EQ(normalised.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(normalised.status().message(), kMistyped) << typed;
}

// ISO/IEC 7064:2003 MOD 37-2 by hand. Values: 0-9 -> 0..9, A-Z -> 10..35, '*' -> 36. Running
// value P starts at 0; each character a gives P <- (2P + a) mod 37; the check character is
// (1 - 2P) mod 37.
TEST(SealCodeTest, CheckCharactersMatchTheStandardComputedByHand) {
  // The standard's own example, G123489654321 -> Y:
  //   G=16: 2*0+16 = 16        1: 2*16+1 = 33       2: 2*33+2 = 68 -> 31
  //   3: 2*31+3 = 65 -> 28     4: 2*28+4 = 60 -> 23 8: 2*23+8 = 54 -> 17
  //   9: 2*17+9 = 43 -> 6      6: 2*6+6 = 18        5: 2*18+5 = 41 -> 4
  //   4: 2*4+4 = 12            3: 2*12+3 = 27       2: 2*27+2 = 56 -> 19
  //   1: 2*19+1 = 39 -> 2      check = (1 - 2*2) mod 37 = 34 = Y
  EXPECT_EQ(CheckCharacter("G123489654321"), 'Y');
  EXPECT_TRUE(HasValidCheckCharacter("G123489654321Y"));
  EXPECT_FALSE(HasValidCheckCharacter("G123489654321Z"));
  // A999915000001 -> M:
  //   A=10: 10   9: 29   9: 67 -> 30   9: 69 -> 32   9: 73 -> 36   1: 73 -> 36
  //   5: 77 -> 3   0: 6   0: 12   0: 24   0: 48 -> 11   0: 22   1: 45 -> 8
  //   check = (1 - 16) mod 37 = 22 = M
  EXPECT_EQ(CheckCharacter("A999915000001"), 'M');
  // CSCS -> '*' (the supplementary character, which codes never end with):
  //   C=12: 12   S=28: 2*12+28 = 52 -> 15   C: 2*15+12 = 42 -> 5   S: 2*5+28 = 38 -> 1
  //   check = (1 - 2) mod 37 = 36 = *
  EXPECT_EQ(CheckCharacter("CSCS"), '*');
  // A whole code, CSCS-7KQ2-M9XD-3WPA -> B (hyphens are not characters of the code):
  //   ... S -> 1 (above)   7: 2*1+7 = 9   K=20: 2*9+20 = 38 -> 1   Q=26: 2*1+26 = 28
  //   2: 2*28+2 = 58 -> 21   M=22: 2*21+22 = 64 -> 27   9: 2*27+9 = 63 -> 26
  //   X=33: 2*26+33 = 85 -> 11   D=13: 2*11+13 = 35   3: 2*35+3 = 73 -> 36
  //   W=32: 2*36+32 = 104 -> 30   P=25: 2*30+25 = 85 -> 11   A=10: 2*11+10 = 32
  //   check = (1 - 64) mod 37 = 11 = B
  EXPECT_EQ(CheckCharacter("CSCS-7KQ2-M9XD-3WPA"), 'B');
  EXPECT_TRUE(HasValidCheckCharacter("CSCS-7KQ2-M9XD-3WPA-B"));
  // Look-alikes are folded before the check: ISO reads as 1S0.
  //   1: 1   S=28: 2*1+28 = 30   0: 2*30+0 = 60 -> 23   check = (1 - 46) mod 37 = 29 = T
  EXPECT_EQ(CheckCharacter("1S0"), 'T');
  EXPECT_EQ(CheckCharacter("ISO"), 'T');
  EXPECT_EQ(CheckCharacter("lso"), 'T');
}

TEST(SealCodeTest, CheckCharacterRefusesWhatIsNotACodeCharacter) {
  EXPECT_EQ(CheckCharacter("CSCS_7KQ2"), '\0');
  EXPECT_EQ(CheckCharacter("CSCS*"), '\0');
  EXPECT_FALSE(HasValidCheckCharacter(""));
  EXPECT_FALSE(HasValidCheckCharacter("1"));  // a lone character is no code
  EXPECT_FALSE(HasValidCheckCharacter("CSCS*"));
  EXPECT_FALSE(HasValidCheckCharacter("CSCS-7KQ2-M9XD-3WPA-B!"));
}

// A batch is as many codes as asked, each as NewSealCode makes them, none repeated.
TEST(SealCodeTest, BatchesOfNewCodesAreWholeValidAndDistinct) {
  EXPECT_TRUE(NewSealCodes("CSCS", 0).empty());
  const std::vector<std::string> codes = NewSealCodes("ISO--22000-", 10'000);
  ASSERT_EQ(codes.size(), 10'000u);
  std::set<std::string> distinct;
  for (const std::string& code : codes) {
    ASSERT_TRUE(absl::StartsWith(code, "ISO-22000-")) << code;
    ASSERT_EQ(code.size(), std::string("ISO-22000-").size() + kSealFormattedSerialLength) << code;
    absl::StatusOr<std::string> normalised = NormaliseSealCode(code);
    ASSERT_TRUE(normalised.ok()) << code << ": " << normalised.status();
    ASSERT_EQ(*normalised, code);
    distinct.insert(code);
  }
  EXPECT_EQ(distinct.size(), codes.size());
}

TEST(SealCodeTest, NewCodesHaveTheDocumentedShape) {
  static_assert(kSealFormattedSerialLength == 16);  // 7KQ2-M9XD-3WPA-B
  static_assert(kMaxSealCodeLength == 33);
  static_assert(kSealRandomLength * 5 == 60);  // before dropping unprintable check characters
  for (const std::string& prefix : {std::string("CSCS"), std::string("ISO-22000"),
                                    std::string("AB"), std::string("ABCDEFGHIJKLMNOP")}) {
    for (int i = 0; i < 200; ++i) {
      const std::string code = NewSealCode(prefix);
      ASSERT_TRUE(absl::StartsWith(code, prefix + "-")) << code;
      ASSERT_EQ(code.size(), prefix.size() + 1 + kSealFormattedSerialLength) << code;
      ASSERT_LE(code.size(), kMaxSealCodeLength) << code;
      const std::string serial = code.substr(prefix.size() + 1);
      for (size_t j = 0; j < serial.size(); ++j) {
        if (j == 4 || j == 9 || j == 14) {
          ASSERT_EQ(serial[j], '-') << code;
        } else {
          ASSERT_TRUE(absl::StrContains(kSealSerialAlphabet, serial[j])) << code;
        }
      }
      ASSERT_TRUE(HasValidCheckCharacter(code)) << code;
      ASSERT_EQ(CheckCharacter(code.substr(0, code.size() - 2)), code.back()) << code;
    }
  }
}

TEST(SealCodeTest, CanonicalFormsRoundTrip) {
  for (const std::string& code : SampleCodes(1000)) {
    const absl::StatusOr<std::string> normalised = NormaliseSealCode(code);
    ASSERT_TRUE(normalised.ok()) << code << ": " << normalised.status();
    ASSERT_EQ(*normalised, code);
    ASSERT_EQ(NormaliseSealCode(absl::AsciiStrToLower(code)).value_or(""), code);
    ASSERT_EQ(NormaliseSealCode(absl::StrReplaceAll(code, {{"-", " "}})).value_or(""), code);
    // Without any hyphen the prefix's own hyphens cannot come back, but the code is the same.
    ExpectSameCode(absl::StrReplaceAll(code, {{"-", ""}}), code);
    ASSERT_EQ(SealCodeKey(code),
              absl::StrReplaceAll(code, {{"-", ""}, {"O", "0"}, {"I", "1"}, {"L", "1"}}));
  }
}

// Every single-character substitution, at every position, by every other letter or digit, of
// 1,000 generated codes: rejected as mistyped, unless the two characters are look-alikes that
// are read as one (then it is the same code).
TEST(SealCodeTest, EverySubstitutionIsDetected) {
  int rejected = 0;
  int look_alikes = 0;
  for (const std::string& code : SampleCodes(1000)) {
    for (size_t i = 0; i < code.size(); ++i) {
      if (!IsCodeCharacter(code[i])) continue;
      for (char replacement : kAlphanumerics) {
        if (replacement == code[i]) continue;
        std::string typed = code;
        typed[i] = replacement;
        if (Fold(replacement) == Fold(code[i])) {
          ExpectSameCode(typed, code);
          ++look_alikes;
        } else {
          ExpectMistyped(typed, code);
          ++rejected;
        }
      }
    }
  }
  // (4+9+10+9 prefix characters over 4 prefixes, 13 serial characters) x 35, 1,000 codes.
  EXPECT_GT(rejected, 1000 * 13 * 33);
  EXPECT_GT(look_alikes, 0);
}

// Every swap of two neighbouring, different characters of 1,000 generated codes. Neighbours
// in the printed code: two code characters are rejected; moving a hyphen is only layout.
// Neighbours in the code's characters (a hyphen between them) are rejected as well.
TEST(SealCodeTest, EveryAdjacentSwapIsDetected) {
  int rejected = 0;
  for (const std::string& code : SampleCodes(1000)) {
    for (size_t i = 0; i + 1 < code.size(); ++i) {
      if (code[i] == code[i + 1]) continue;
      std::string typed = code;
      std::swap(typed[i], typed[i + 1]);
      if (IsCodeCharacter(code[i]) && IsCodeCharacter(code[i + 1]) &&
          Fold(code[i]) != Fold(code[i + 1])) {
        ExpectMistyped(typed, code);
        ++rejected;
      } else {
        ExpectSameCode(typed, code);
      }
    }
    // The code's characters in order, whatever stands between them.
    std::vector<size_t> positions;
    for (size_t i = 0; i < code.size(); ++i) {
      if (IsCodeCharacter(code[i])) positions.push_back(i);
    }
    for (size_t k = 0; k + 1 < positions.size(); ++k) {
      const size_t a = positions[k];
      const size_t b = positions[k + 1];
      if (Fold(code[a]) == Fold(code[b])) continue;
      std::string typed = code;
      std::swap(typed[a], typed[b]);
      ExpectMistyped(typed, code);
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000 * 2 * 10);
}

TEST(SealCodeTest, AcceptsWhatPeopleType) {
  struct Case {
    std::string typed;
    std::string canonical;
  };
  const std::vector<Case> cases = {
      {"CSCS-7KQ2-M9XD-3WPA-B", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"cscs-7kq2-m9xd-3wpa-b", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"CSCS 7KQ2 M9XD 3WPA B", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"CSCS7KQ2M9XD3WPAB", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"CSCS-7KQ2M9XD3WPAB", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"CSCS7KQ2-M9XD-3WPA-B", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"  cscs -- 7kq2 - m9xd\t3wpa-b  ", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"-CSCS-7KQ2-M9XD-3WPA-B-", "CSCS-7KQ2-M9XD-3WPA-B"},
      {"CSCS-7K-Q2M9-XD3W-PAB", "CSCS-7KQ2-M9XD-3WPA-B"},
      // O read as 0, I and L as 1 (CSCS-710Q-M9XD-3WPA-G is a valid code).
      {"CSCS-710Q-M9XD-3WPA-G", "CSCS-710Q-M9XD-3WPA-G"},
      {"cscs 7IoQ m9xd 3wpa g", "CSCS-710Q-M9XD-3WPA-G"},
      {"CSCS-7LOQ-M9XD-3WPA-G", "CSCS-710Q-M9XD-3WPA-G"},
      // A space inside the prefix is a hyphen (TOMATO-PROC-7KQ2-M9XD-3WPA-8).
      {"tomato proc 7kq2 m9xd 3wpa 8", "TOMATO-PROC-7KQ2-M9XD-3WPA-8"},
      {"TOMATO--PROC-7KQ2-M9XD-3WPA-8", "TOMATO-PROC-7KQ2-M9XD-3WPA-8"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<std::string> normalised = NormaliseSealCode(c.typed);
    ASSERT_TRUE(normalised.ok()) << c.typed << ": " << normalised.status();
    EXPECT_EQ(*normalised, c.canonical) << c.typed;
    EXPECT_EQ(SealCodeKey(c.typed), SealCodeKey(c.canonical)) << c.typed;
    EXPECT_TRUE(HasValidCheckCharacter(c.typed)) << c.typed;
  }
}

TEST(SealCodeTest, RejectsMalformedCodesWithTheRightMessage) {
  struct Case {
    std::string typed;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", std::string(kWrongLength)},
      {"   ", std::string(kWrongLength)},
      {"CSCS", std::string(kWrongLength)},
      {"7KQ2-M9XD-3WPA-B", std::string(kWrongLength)},                    // no prefix
      {"ABCDEFGHJKMNPQRST-7KQ2-M9XD-3WPA-B", std::string(kWrongLength)},  // 17 in the prefix
      {"ABCDEFGH-JKMNPQRS-7KQ2-M9XD-3WPA-B", std::string(kWrongLength)},  // 17 with its '-'
      {"CSCS-7KQ2-M9XD-3WPA-B" + std::string(50, ' '), std::string(kWrongLength)},
      {"CSCS-7KQ2-M9XD-3WPA-B!", "code: '!' is not a code character"},
      {"CSCS_7KQ2-M9XD-3WPA-B", "code: '_' is not a code character"},
      {"CSCS-7KQ2-M9XD-3WPA-*", "code: '*' is not a code character"},
      {"CSCS-7KQ2-M9XD-3WPA-B\n", "code: '\\n' is not a code character"},
      {std::string("CSCS-7KQ2-M9XD\0-3WPA-B", 22), "code: '\\x00' is not a code character"},
      {"CSCS-7KQ2-M9XD-3WPA-\xC3\xA9", "code: '\\xc3' is not a code character"},
      {"CSCS-7KQ2-M9XD-3WPA-C", std::string(kMistyped)},
      {"CSCS-7KQ2-M9XD-3WPA", std::string(kMistyped)},  // no check character
      {"CSCT-7KQ2-M9XD-3WPA-B", std::string(kMistyped)},
      // Passes MOD 37-2, but a serial never holds a U.
      {"CSCS-7KQ2-M9XD-3WPU-8", std::string(kMistyped)},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<std::string> normalised = NormaliseSealCode(c.typed);
    ASSERT_FALSE(normalised.ok()) << absl::CEscape(c.typed) << " accepted as " << *normalised;
    EXPECT_EQ(normalised.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(normalised.status().message(), c.message) << absl::CEscape(c.typed);
  }
  EXPECT_TRUE(HasValidCheckCharacter("CSCS-7KQ2-M9XD-3WPU-8"));
}

TEST(SealCodeTest, PrefixesMayContainHyphens) {
  for (const std::string& prefix :
       {std::string("ISO-22000"), std::string("A-B-C"), std::string("TOMATO-PROC")}) {
    for (int i = 0; i < 100; ++i) {
      const std::string code = NewSealCode(prefix);
      ASSERT_TRUE(absl::StartsWith(code, prefix + "-")) << code;
      ASSERT_EQ(NormaliseSealCode(code).value_or(""), code);
      // Hyphens are layout: moved or missing inside the prefix, it is still the same code.
      const std::string joined = absl::StrReplaceAll(prefix, {{"-", ""}});
      const std::string serial = code.substr(prefix.size() + 1);
      ExpectSameCode(joined + serial, code);
      ExpectSameCode(joined.substr(0, 2) + "-" + joined.substr(2) + "-" + serial, code);
    }
  }
  // Ids with a run of hyphens or a trailing one are printed so that they read back unchanged.
  const std::string doubled = NewSealCode("A--B");
  EXPECT_TRUE(absl::StartsWith(doubled, "A-B-")) << doubled;
  EXPECT_EQ(NormaliseSealCode(doubled).value_or(""), doubled);
  const std::string trailing = NewSealCode("AB-");
  EXPECT_TRUE(absl::StartsWith(trailing, "AB-")) << trailing;
  EXPECT_EQ(trailing.size(), 2 + 1 + kSealFormattedSerialLength) << trailing;
  EXPECT_EQ(NormaliseSealCode(trailing).value_or(""), trailing);
}

TEST(SealCodeTest, HundredThousandCodesAreDistinctAndUniform) {
  constexpr int kCodes = 100'000;
  std::unordered_set<std::string> keys;
  // counts[position][character]: the 12 random characters, then the check character.
  std::vector<std::map<char, int>> counts(kSealSerialLength);
  for (int i = 0; i < kCodes; ++i) {
    const std::string code = NewSealCode("CSCS");
    ASSERT_TRUE(keys.insert(SealCodeKey(code)).second) << "duplicate " << code;
    const std::string serial = absl::StrReplaceAll(code.substr(5), {{"-", ""}});
    ASSERT_EQ(serial.size(), kSealSerialLength) << code;
    for (size_t p = 0; p < serial.size(); ++p) ++counts[p][serial[p]];
  }
  // Each of the 32 characters is expected kCodes/32 = 3125 times at each position: binomial
  // with sigma = sqrt(100000 * 1/32 * 31/32) ≈ 55. Allow 6 sigma per cell, and bound the
  // chi-square sum over all 13 * 31 degrees of freedom (mean 403, sd 28) at mean + 6 sd.
  const double expected = kCodes / 32.0;
  const double sigma = std::sqrt(kCodes * (1.0 / 32) * (31.0 / 32));
  double chi_square = 0;
  for (size_t p = 0; p < counts.size(); ++p) {
    EXPECT_EQ(counts[p].size(), 32u) << "position " << p;
    for (const auto& [c, n] : counts[p]) {
      EXPECT_TRUE(absl::StrContains(kSealSerialAlphabet, c)) << c;
      EXPECT_NEAR(n, expected, 6 * sigma) << "position " << p << " character " << c;
      chi_square += (n - expected) * (n - expected) / expected;
    }
  }
  const double degrees = counts.size() * 31.0;
  EXPECT_LT(chi_square, degrees + 6 * std::sqrt(2 * degrees));
}

}  // namespace
}  // namespace sello::domain
