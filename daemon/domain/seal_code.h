// The printable code on every sealed box: how it is generated, how what a person typed is
// read back, and the check character that catches a mistyped code before any lookup.
//
// Format: <standard id> "-" XXXX "-" XXXX "-" XXXX "-" C, e.g. "CSCS-7KQ2-M9XD-3WPA-B".
//   - The standard id is the prefix (it may contain '-' itself: "TOMATO-PROC-…").
//   - XXXX: 12 random characters from Crockford's base-32 alphabet (0-9 A-Z without I, L, O,
//     U), drawn from OpenSSL's CSPRNG: codes are not sequential and cannot be enumerated.
//   - C: the ISO/IEC 7064:2003 MOD 37-2 check character over all the code characters before
//     it, prefix included. Codes whose check character would be I, L, O, U or the
//     supplementary '*' are never issued (the generator draws again), so everything after the
//     prefix is in Crockford's alphabet and can be read aloud without ambiguity. That leaves
//     log2(32^12 * 32/37) ≈ 59.8 bits of randomness per standard.
//
// Parsing is fixed-length from the END (the last 13 code characters are the serial), so a '-'
// inside the standard id is never ambiguous. Input is read leniently: any case; spaces and
// hyphens anywhere are layout, not content; look-alikes are folded as Crockford base 32 does
// (O -> 0, I and L -> 1), in the prefix too. It is accepted strictly: the check character must
// match. Separators and look-alikes do not change what a code *is*, so two typings of one code
// may differ in the prefix's hyphens or letters (ISO vs 1S0): key seals by SealCodeKey, not by
// the display form.
#ifndef SELLO_DAEMON_DOMAIN_SEAL_CODE_H_
#define SELLO_DAEMON_DOMAIN_SEAL_CODE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

// Crockford's base-32 alphabet: the characters of a code's serial.
inline constexpr absl::string_view kSealSerialAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
// Random characters in a serial (5 bits each), then one check character.
inline constexpr size_t kSealRandomLength = 12;
inline constexpr size_t kSealSerialLength = kSealRandomLength + 1;
// The serial is printed in groups of this many characters; the check character stands alone.
inline constexpr size_t kSealGroupLength = 4;
// "7KQ2-M9XD-3WPA-B"
inline constexpr size_t kSealFormattedSerialLength =
    kSealSerialLength + kSealRandomLength / kSealGroupLength;
// Standard ids are at most 16 characters (standard_rules.cc).
inline constexpr size_t kMaxSealPrefixLength = 16;
inline constexpr size_t kMaxSealCodeLength = kMaxSealPrefixLength + 1 + kSealFormattedSerialLength;
// Longer input is refused before it is read: room for generous spacing, not for abuse.
inline constexpr size_t kMaxTypedSealCodeLength = 64;

// A new random code for a seal of `standard_id` (a valid standard id: 2-16 characters of
// [A-Z0-9-] starting with a letter). Runs of '-' in the id are printed as one and a trailing
// '-' is dropped, so that NormaliseSealCode(NewSealCode(id)) == NewSealCode(id). Uniqueness is
// the caller's job (check the store, draw again): with ~59.8 random bits a repeat is rare.
std::string NewSealCode(absl::string_view standard_id);
// `count` new codes as NewSealCode makes them, from one draw of the CSPRNG (for issuing
// many seals at once). They may repeat each other as rarely as any two codes do.
std::vector<std::string> NewSealCodes(absl::string_view standard_id, size_t count);

// Reads a code as a person typed it and returns its canonical display form: upper case, the
// prefix's separators as single '-', the serial grouped as above with look-alikes folded.
// INVALID_ARGUMENT with one of:
//   "code: 'X' is not a code character"  (anything but letters, digits, spaces, tabs, '-')
//   "code: wrong length"                  (not a 1-16 character prefix plus 13 characters)
//   "code: check character does not match: mistyped?"
// A few passes over at most 64 bytes, and one allocation: the result's.
absl::StatusOr<std::string> NormaliseSealCode(absl::string_view typed);

// The identity of a code, for storage and lookup: its code characters, upper case, look-alikes
// folded (O -> 0, I and L -> 1), separators dropped ("CSCS7KQ2M9XD3WPAB"). Every typing that
// NormaliseSealCode accepts as the same code has the same key. Characters that are neither
// code characters nor separators are dropped too; pass only codes NormaliseSealCode accepted.
std::string SealCodeKey(absl::string_view code);

// True when `code`'s characters (separators ignored, look-alikes folded, any case) end with the
// right check character. False for anything that is not a letter, digit, space or '-' (so
// also for a '*' check character, which is never issued). Says nothing about the length:
// NormaliseSealCode checks both.
bool HasValidCheckCharacter(absl::string_view code);

// The check character for `payload` (prefix and random characters; separators ignored,
// look-alikes folded, any case): ISO/IEC 7064:2003 MOD 37-2, one of 0-9, A-Z or '*'. For a
// payload without I, L or O this is exactly the standard's check character. '\0' if the
// payload has a character that is neither a code character nor a separator.
char CheckCharacter(absl::string_view payload);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_SEAL_CODE_H_
