#include "daemon/domain/seal_code.h"

#include <array>
#include <cassert>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daemon/domain/crypto.h"

namespace sello::domain {
namespace {

// ISO/IEC 7064:2003, pure system MOD 37-2 (modulus M = 37, radix r = 2). Characters have the
// values 0-9 -> 0..9, A-Z -> 10..35 and the supplementary check character '*' -> 36. A string
// a_n … a_2 a_1 (a_1 the check character) is valid when
//     sum_{i=1..n} a_i * 2^(i-1) ≡ 1 (mod 37),
// computed left to right by Horner's rule: P = 0; P = (2P + a) mod 37 for each character;
// valid when the final P is 1. The check character for data with running value P is therefore
// (1 - 2P) mod 37.
//
// Why it detects what it must (37 is prime, so every non-zero value has an inverse and a
// product of non-zero values is non-zero):
//   - one character a replaced by b != a at position i changes the sum by (b - a) * 2^(i-1):
//     0 < |b - a| < 37 and 2^(i-1) is a unit, so the sum is no longer 1;
//   - a swap of neighbours a != b at positions i+1, i changes it by
//     (a - b) * (2^i - 2^(i-1)) = (a - b) * 2^(i-1), again non-zero.
// Both hold at every position, the check character's included, and for any length. (Jump
// swaps abc -> cba change it by (a - c) * 3 * 2^(i-1), also non-zero.) A random string passes
// with probability 1/37.
//
// We read look-alikes as one character before the check (O -> 0, I and L -> 1, as Crockford's
// base 32 does), so "mistyping" 0 as O is not an error at all, and two characters are distinct
// for the proof exactly when their folded values differ.
constexpr uint32_t kModulus = 37;
constexpr absl::string_view kMod37Characters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";
static_assert(kMod37Characters.size() == kModulus);
static_assert(kSealSerialAlphabet.size() == 32);

constexpr int8_t kSeparator = -1;
constexpr int8_t kNotACodeCharacter = -2;

// Byte -> folded MOD 37-2 value, kSeparator or kNotACodeCharacter.
constexpr std::array<int8_t, 256> MakeValueTable() {
  std::array<int8_t, 256> table{};
  for (auto& value : table) value = kNotACodeCharacter;
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<int8_t>(c - '0');
  for (int c = 'A'; c <= 'Z'; ++c) {
    table[c] = static_cast<int8_t>(10 + c - 'A');
    table[c - 'A' + 'a'] = table[c];
  }
  table['O'] = table['o'] = 0;
  table['I'] = table['i'] = table['L'] = table['l'] = 1;
  table[' '] = table['\t'] = table['-'] = kSeparator;
  return table;
}
constexpr std::array<int8_t, 256> kValue = MakeValueTable();

int8_t ValueOf(char c) { return kValue[static_cast<unsigned char>(c)]; }
bool IsCodeCharacter(char c) { return ValueOf(c) >= 0; }
bool IsSeparator(char c) { return ValueOf(c) == kSeparator; }

uint32_t Step(uint32_t running, int8_t value) {
  return (2 * running + static_cast<uint32_t>(value)) % kModulus;
}
uint32_t CheckValue(uint32_t running) {
  return (kModulus + 1 - (2 * running) % kModulus) % kModulus;
}

// Check characters the generator may print: the serial alphabet. Drawing again when the check
// would be I, L, O, U or '*' costs 5 in 37 draws, about 0.21 bits.
constexpr std::array<bool, kModulus> MakePrintableCheckTable() {
  std::array<bool, kModulus> table{};
  for (char c : kSealSerialAlphabet) {
    table[c <= '9' ? c - '0' : 10 + c - 'A'] = true;
  }
  return table;
}
constexpr std::array<bool, kModulus> kPrintableCheck = MakePrintableCheckTable();

absl::Status WrongLength() { return absl::InvalidArgumentError("code: wrong length"); }
absl::Status Mistyped() {
  return absl::InvalidArgumentError("code: check character does not match: mistyped?");
}

// Appends the prefix as displayed (upper case, each run of separators as one '-', none at
// either end) and returns the running check value over its characters. `text` holds only code
// characters and separators.
uint32_t AppendPrefix(absl::string_view text, std::string* out) {
  uint32_t running = 0;
  bool pending_separator = false;
  const size_t start = out->size();
  for (char c : text) {
    if (IsSeparator(c)) {
      pending_separator = out->size() > start;
      continue;
    }
    if (pending_separator) out->push_back('-');
    pending_separator = false;
    out->push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    running = Step(running, ValueOf(c));
  }
  return running;
}

}  // namespace

std::vector<std::string> NewSealCodes(absl::string_view standard_id, size_t count) {
  for ([[maybe_unused]] char c : standard_id) assert(IsCodeCharacter(c) || c == '-');
  std::string prefix;
  const uint32_t prefix_running = AppendPrefix(standard_id, &prefix);
  prefix.push_back('-');
  std::vector<std::string> codes;
  codes.reserve(count);
  // One draw from the CSPRNG for all the codes still missing: a draw costs far more than
  // the bytes it returns. A draw whose check character is not printable is dropped.
  while (codes.size() < count) {
    const size_t missing = count - codes.size();
    const std::string random = RandomBytes(missing * kSealRandomLength);
    for (size_t start = 0; start < random.size(); start += kSealRandomLength) {
      std::string code = prefix;
      code.reserve(prefix.size() + kSealFormattedSerialLength);
      uint32_t running = prefix_running;
      for (size_t i = 0; i < kSealRandomLength; ++i) {
        if (i > 0 && i % kSealGroupLength == 0) code.push_back('-');
        // 256 is a multiple of 32, so the low five bits of a uniform byte are uniform.
        const char c = kSealSerialAlphabet[static_cast<unsigned char>(random[start + i]) & 31];
        code.push_back(c);
        running = Step(running, ValueOf(c));
      }
      const uint32_t check = CheckValue(running);
      if (!kPrintableCheck[check]) continue;
      code.push_back('-');
      code.push_back(kMod37Characters[check]);
      codes.push_back(std::move(code));
    }
  }
  return codes;
}

std::string NewSealCode(absl::string_view standard_id) {
  return std::move(NewSealCodes(standard_id, 1).front());
}

absl::StatusOr<std::string> NormaliseSealCode(absl::string_view typed) {
  if (typed.size() > kMaxTypedSealCodeLength) return WrongLength();
  size_t code_characters = 0;
  for (char c : typed) {
    if (IsCodeCharacter(c)) {
      ++code_characters;
    } else if (!IsSeparator(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "code: '", absl::CHexEscape(absl::string_view(&c, 1)), "' is not a code character"));
    }
  }
  if (code_characters <= kSealSerialLength ||
      code_characters > kSealSerialLength + kMaxSealPrefixLength) {
    return WrongLength();
  }
  // The serial is the last 13 code characters; everything before it is the prefix.
  size_t serial_start = typed.size();
  for (size_t found = 0; found < kSealSerialLength;) {
    if (IsCodeCharacter(typed[--serial_start])) ++found;
  }

  std::string code;
  code.reserve(serial_start + 1 + kSealFormattedSerialLength);
  uint32_t running = AppendPrefix(typed.substr(0, serial_start), &code);
  if (code.size() > kMaxSealPrefixLength) return WrongLength();
  code.push_back('-');
  size_t written = 0;
  for (char c : typed.substr(serial_start)) {
    const int8_t value = ValueOf(c);
    if (value < 0) continue;
    if (written > 0 && written % kSealGroupLength == 0) code.push_back('-');
    const char folded = kMod37Characters[value];
    // Serials never hold a U: it is a mistyped V (or worse), whatever the check says.
    if (folded == 'U') return Mistyped();
    code.push_back(folded);
    running = Step(running, value);
    ++written;
  }
  if (running != 1) return Mistyped();
  return code;
}

std::string SealCodeKey(absl::string_view code) {
  std::string key;
  key.reserve(code.size());
  for (char c : code) {
    const int8_t value = ValueOf(c);
    if (value >= 0) key.push_back(kMod37Characters[value]);
  }
  return key;
}

bool HasValidCheckCharacter(absl::string_view code) {
  uint32_t running = 0;
  size_t count = 0;
  for (char c : code) {
    const int8_t value = ValueOf(c);
    if (value == kSeparator) continue;
    if (value < 0) return false;
    running = Step(running, value);
    ++count;
  }
  return count >= 2 && running == 1;
}

char CheckCharacter(absl::string_view payload) {
  uint32_t running = 0;
  for (char c : payload) {
    const int8_t value = ValueOf(c);
    if (value == kSeparator) continue;
    if (value < 0) return '\0';
    running = Step(running, value);
  }
  return kMod37Characters[CheckValue(running)];
}

}  // namespace sello::domain
