#include "daemon/domain/checkpoint.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "daemon/domain/crypto.h"

namespace sello::domain {
namespace {

// signed-note: a signature line starts with U+2014 (em dash, UTF-8 E2 80 94) and a space.
constexpr absl::string_view kSignaturePrefix = "\xE2\x80\x94 ";

// The key id as it opens a signature (big-endian).
std::string KeyIdBytes(uint32_t key_id) {
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((key_id >> (24 - 8 * i)) & 0xFF);
  return bytes;
}
// signed-note signature type for Ed25519.
constexpr char kAlgEd25519 = 0x01;
constexpr absl::string_view kTimePrefix = "time ";

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// Quotes `text` for an error message: C-escaped and cut short, so that hostile input
// cannot make a message huge or unprintable.
std::string Quote(absl::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMax)), "\"...");
}

// INTERNAL carrying OpenSSL's oldest queued error; clears the queue.
absl::Status OpenSslError(absl::string_view what) {
  char buffer[256] = "unknown error";
  const unsigned long code = ERR_get_error();
  if (code != 0) ERR_error_string_n(code, buffer, sizeof(buffer));
  ERR_clear_error();
  return absl::InternalError(absl::StrCat(what, ": ", buffer));
}

// Decodes the UTF-8 sequence at `text[*pos]`, advancing `*pos`. Returns the code point,
// or -1 for anything RFC 3629 forbids (bad bytes, overlong forms, surrogates, > U+10FFFF).
int32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(*pos);
  int length;
  int32_t code_point;
  int32_t minimum;
  if (lead < 0x80) {
    ++*pos;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return -1;
  }
  if (text.size() - *pos < static_cast<size_t>(length)) return -1;
  for (int i = 1; i < length; ++i) {
    const unsigned char next = byte(*pos + i);
    if ((next & 0xC0) != 0x80) return -1;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return -1;
  }
  *pos += length;
  return code_point;
}

// signed-note: notes are valid UTF-8 without ASCII control characters other than
// newline. Names the offending line of `text`, which `what` names.
absl::Status CheckNoteCharacters(absl::string_view text, absl::string_view what) {
  int line = 1;
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    const int32_t code_point = DecodeUtf8(text, &pos);
    if (code_point < 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s line %d: invalid UTF-8 at byte %d", what, line, start));
    }
    if (code_point == '\n') {
      ++line;
    } else if (code_point < 0x20) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s line %d: control character 0x%02x at byte %d", what, line, code_point, start));
    }
  }
  return absl::OkStatus();
}

// Unicode White_Space (what Go's unicode.IsSpace accepts), which key names must avoid.
bool IsUnicodeSpace(int32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// signed-note: key names are non-empty, without Unicode spaces or '+'. Control
// characters are refused too: a note could not carry them.
bool IsValidKeyName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t pos = 0; pos < name.size();) {
    const int32_t code_point = DecodeUtf8(name, &pos);
    if (code_point < 0x20 || code_point == '+' || IsUnicodeSpace(code_point)) return false;
  }
  return true;
}

absl::Status CheckKeyName(absl::string_view name) {
  if (IsValidKeyName(name)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("key name ", Quote(name),
                   ": must be non-empty UTF-8 without spaces, '+' or control characters"));
}

// The first four bytes of `bytes` as a big-endian number.
uint32_t ReadBigEndian32(absl::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// signed-note: key id = SHA-256(name || "\n" || 0x01 || public key)[:4], big-endian.
uint32_t ComputeKeyId(absl::string_view name, absl::string_view public_key) {
  const std::string digest =
      Sha256(absl::StrCat(name, "\n", absl::string_view(&kAlgEd25519, 1), public_key));
  return ReadBigEndian32(digest);
}

std::string KeyIdHex(uint32_t key_id) { return absl::StrFormat("%08x", key_id); }

std::string FormatVerifierKey(absl::string_view name, uint32_t key_id,
                              absl::string_view public_key) {
  return absl::StrCat(
      name, "+", KeyIdHex(key_id), "+",
      absl::Base64Escape(absl::StrCat(absl::string_view(&kAlgEd25519, 1), public_key)));
}

// Standard base64 with padding, accepted only in its one canonical spelling, so that
// no two texts carry the same bytes.
bool DecodeCanonicalBase64(absl::string_view text, std::string* out) {
  return absl::Base64Unescape(text, out) && absl::Base64Escape(*out) == text;
}

// Decimal without sign or leading zeros (except "0") and at most `max`.
bool ParseDecimal(absl::string_view text, uint64_t max, uint64_t* out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

absl::Status CheckNoteText(absl::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("note text: must be non-empty and end with a newline");
  }
  return CheckNoteCharacters(text, "note text");
}

absl::StatusOr<std::string> SignWithKey(EVP_PKEY* key, absl::string_view message) {
  MdCtxPtr context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (context == nullptr) return OpenSslError("EVP_MD_CTX_new");
  // Ed25519 hashes internally (RFC 8032 PureEdDSA): no digest is named.
  if (EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key) != 1) {
    return OpenSslError("EVP_DigestSignInit");
  }
  std::string signature(kEd25519SignatureSize, '\0');
  size_t length = signature.size();
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kEd25519SignatureSize) {
    return OpenSslError("EVP_DigestSign");
  }
  return signature;
}

bool VerifyWithKey(EVP_PKEY* key, absl::string_view message, absl::string_view signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  MdCtxPtr context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const bool ok =
      context != nullptr &&
      EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  // A failed verification queues an error; it is an answer here, not a fault.
  ERR_clear_error();
  return ok;
}

}  // namespace

void EvpPkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

absl::Status ValidateCheckpoint(const Checkpoint& checkpoint) {
  if (checkpoint.origin.empty()) {
    return absl::InvalidArgumentError("checkpoint.origin: empty");
  }
  if (absl::StrContains(checkpoint.origin, '\n')) {
    return absl::InvalidArgumentError("checkpoint.origin: contains a newline");
  }
  if (absl::Status status = CheckNoteCharacters(checkpoint.origin, "checkpoint.origin");
      !status.ok()) {
    return status;
  }
  if (checkpoint.root_hash.size() != kRootHashSize) {
    return absl::InvalidArgumentError(absl::StrFormat("checkpoint.root_hash: %d bytes, want %d",
                                                      checkpoint.root_hash.size(), kRootHashSize));
  }
  if (checkpoint.time == absl::InfiniteFuture() || checkpoint.time == absl::InfinitePast()) {
    return absl::InvalidArgumentError("checkpoint.time: infinite");
  }
  if (checkpoint.time < absl::UnixEpoch()) {
    return absl::InvalidArgumentError("checkpoint.time: before 1970-01-01T00:00:00Z");
  }
  if (absl::FromUnixSeconds(absl::ToUnixSeconds(checkpoint.time)) != checkpoint.time) {
    return absl::InvalidArgumentError("checkpoint.time: not a whole number of seconds");
  }
  return absl::OkStatus();
}

std::string CheckpointBody(const Checkpoint& checkpoint) {
  return absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                      absl::Base64Escape(checkpoint.root_hash), "\n", kTimePrefix,
                      absl::ToUnixSeconds(checkpoint.time), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body) {
  if (absl::Status status = CheckNoteCharacters(body, "checkpoint"); !status.ok()) {
    return status;
  }
  static constexpr const char* kLineNames[] = {"origin", "size", "root hash", "time"};
  if (body.empty()) return absl::InvalidArgumentError("checkpoint line 1 (origin): missing");
  if (body.back() != '\n') {
    const size_t line = static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) + 1;
    return absl::InvalidArgumentError(
        absl::StrFormat("checkpoint line %d%s: does not end with a newline", line,
                        line <= 4 ? absl::StrCat(" (", kLineNames[line - 1], ")") : std::string()));
  }
  const std::vector<absl::string_view> lines =
      absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  // Lines are checked in order, so the first problem is the one reported.
  const auto missing = [](size_t index) {
    return absl::InvalidArgumentError(
        absl::StrFormat("checkpoint line %d (%s): missing", index + 1, kLineNames[index]));
  };

  Checkpoint checkpoint;
  if (lines[0].empty()) return absl::InvalidArgumentError("checkpoint line 1 (origin): empty");
  checkpoint.origin = std::string(lines[0]);

  if (lines.size() < 2) return missing(1);
  if (!ParseDecimal(lines[1], std::numeric_limits<uint64_t>::max(), &checkpoint.size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint line 2 (size): ", Quote(lines[1]),
                     " is not a decimal number without sign or leading zeros below 2^64"));
  }

  if (lines.size() < 3) return missing(2);
  if (!DecodeCanonicalBase64(lines[2], &checkpoint.root_hash)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint line 3 (root hash): ", Quote(lines[2]), " is not canonical base64"));
  }
  if (checkpoint.root_hash.size() != kRootHashSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("checkpoint line 3 (root hash): %d bytes, want %d",
                        checkpoint.root_hash.size(), kRootHashSize));
  }

  if (lines.size() < 4) return missing(3);
  uint64_t seconds = 0;
  absl::string_view time = lines[3];
  if (!absl::ConsumePrefix(&time, kTimePrefix) ||
      !ParseDecimal(time, std::numeric_limits<int64_t>::max(), &seconds)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint line 4 (time): want \"time <Unix seconds>\" (decimal, no leading zeros)"));
  }
  checkpoint.time = absl::FromUnixSeconds(static_cast<int64_t>(seconds));

  if (lines.size() > 4) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint line 5: unexpected extension line ",
                                                   Quote(lines[4]),
                                                   " (only the time line is defined)"));
  }
  return checkpoint;
}

NoteSigner::NoteSigner(std::string name, std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> key,
                       std::string public_key, uint32_t key_id)
    : name_(std::move(name)),
      key_(std::move(key)),
      public_key_(std::move(public_key)),
      key_id_(key_id) {}

absl::StatusOr<NoteSigner> NoteSigner::Generate(absl::string_view name) {
  if (absl::Status status = CheckKeyName(name); !status.ok()) return status;
  // An Ed25519 private key is 32 uniformly random bytes (RFC 8032 §5.1.5).
  std::string seed = RandomBytes(kEd25519KeySize);
  absl::StatusOr<NoteSigner> signer = FromPrivateKey(name, seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return signer;
}

absl::StatusOr<NoteSigner> NoteSigner::FromPrivateKey(absl::string_view name,
                                                      absl::string_view raw_private_key) {
  if (absl::Status status = CheckKeyName(name); !status.ok()) return status;
  if (raw_private_key.size() != kEd25519KeySize) {
    return absl::InvalidArgumentError(absl::StrFormat("private key: %d bytes, want %d (Ed25519)",
                                                      raw_private_key.size(), kEd25519KeySize));
  }
  std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> key(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_private_key.data()),
      raw_private_key.size()));
  if (key == nullptr) return OpenSslError("EVP_PKEY_new_raw_private_key");
  std::string public_key(kEd25519KeySize, '\0');
  size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(public_key.data()),
                                  &length) != 1 ||
      length != kEd25519KeySize) {
    return OpenSslError("EVP_PKEY_get_raw_public_key");
  }
  const uint32_t key_id = ComputeKeyId(name, public_key);
  return NoteSigner(std::string(name), std::move(key), std::move(public_key), key_id);
}

std::string NoteSigner::raw_private_key() const {
  std::string raw(kEd25519KeySize, '\0');
  size_t length = raw.size();
  if (EVP_PKEY_get_raw_private_key(key_.get(), reinterpret_cast<unsigned char*>(raw.data()),
                                   &length) != 1 ||
      length != kEd25519KeySize) {
    // Our own invariant: key_ always holds an Ed25519 private key.
    std::fputs("fatal: EVP_PKEY_get_raw_private_key failed on an Ed25519 key\n", stderr);
    std::abort();
  }
  return raw;
}

std::string NoteSigner::VerifierKey() const {
  return FormatVerifierKey(name_, key_id_, public_key_);
}

absl::StatusOr<std::string> NoteSigner::SignBytes(absl::string_view message) const {
  return SignWithKey(key_.get(), message);
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view body) const {
  if (absl::Status status = CheckNoteText(body); !status.ok()) return status;
  absl::StatusOr<std::string> signature = SignBytes(body);
  if (!signature.ok()) return signature.status();
  return absl::StrCat(body, "\n", kSignaturePrefix, name_, " ",
                      absl::Base64Escape(absl::StrCat(KeyIdBytes(key_id_), *signature)), "\n");
}

absl::StatusOr<std::string> NoteSigner::CoSign(absl::string_view note) const {
  // The body ends at the first blank line; signature lines follow (signed-note).
  const size_t blank = note.find("\n\n");
  if (blank == absl::string_view::npos || !absl::EndsWith(note, "\n")) {
    return absl::InvalidArgumentError("note: not a signed note (no blank line after the body)");
  }
  const absl::string_view body = note.substr(0, blank + 1);
  absl::StatusOr<std::string> signed_by_this = Sign(body);
  if (!signed_by_this.ok()) return signed_by_this.status();
  const absl::string_view line = absl::string_view(*signed_by_this).substr(blank + 2);
  const std::string own_name = absl::StrCat(kSignaturePrefix, name_, " ");
  for (absl::string_view existing : absl::StrSplit(note.substr(blank + 2), '\n')) {
    std::string signature;
    if (absl::ConsumePrefix(&existing, own_name) && absl::Base64Unescape(existing, &signature) &&
        signature.size() >= 4 && signature.substr(0, 4) == KeyIdBytes(key_id_)) {
      return absl::InvalidArgumentError(absl::StrCat("note: already signed by ", name_, "+",
                                                     absl::Hex(key_id_, absl::kZeroPad8)));
    }
  }
  return absl::StrCat(note, line);
}

NoteVerifier::NoteVerifier(std::string name, std::shared_ptr<EVP_PKEY> key, std::string public_key,
                           uint32_t key_id)
    : name_(std::move(name)),
      key_(std::move(key)),
      public_key_(std::move(public_key)),
      key_id_(key_id) {}

absl::StatusOr<NoteVerifier> NoteVerifier::FromVerifierKey(absl::string_view verifier_key) {
  const auto malformed = [](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key: ", why));
  };
  // Names never contain '+'; base64 may, so only the first two '+' separate fields.
  const std::vector<absl::string_view> parts =
      absl::StrSplit(verifier_key, absl::MaxSplits('+', 2));
  if (parts.size() != 3) return malformed("want <name>+<key id>+<base64 key>");
  const absl::string_view name = parts[0];
  const absl::string_view id_hex = parts[1];
  if (!IsValidKeyName(name)) {
    return malformed(
        absl::StrCat("key name ", Quote(name), " is empty or has spaces, '+' or control bytes"));
  }
  if (id_hex.size() != 8 ||
      !std::all_of(id_hex.begin(), id_hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
    return malformed(absl::StrCat("key id ", Quote(id_hex), " is not 8 hex digits"));
  }
  const uint32_t key_id = ReadBigEndian32(absl::HexStringToBytes(id_hex));
  std::string key;
  if (!DecodeCanonicalBase64(parts[2], &key) || key.empty()) {
    return malformed("key is not canonical base64");
  }
  if (key[0] != kAlgEd25519) {
    return malformed(absl::StrFormat("signature type 0x%02x is not 0x01 (Ed25519)",
                                     static_cast<unsigned char>(key[0])));
  }
  std::string public_key = key.substr(1);
  if (public_key.size() != kEd25519KeySize) {
    return malformed(absl::StrFormat("Ed25519 public key is %d bytes, want %d", public_key.size(),
                                     kEd25519KeySize));
  }
  const uint32_t want_id = ComputeKeyId(name, public_key);
  if (key_id != want_id) {
    return malformed(absl::StrCat("key id ", KeyIdHex(key_id), " does not match name and key (",
                                  KeyIdHex(want_id), ")"));
  }
  std::shared_ptr<EVP_PKEY> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key.data()),
                                  public_key.size()),
      EvpPkeyDeleter());
  if (pkey == nullptr) return OpenSslError("EVP_PKEY_new_raw_public_key");
  return NoteVerifier(std::string(name), std::move(pkey), std::move(public_key), key_id);
}

std::string NoteVerifier::VerifierKey() const {
  return FormatVerifierKey(name_, key_id_, public_key_);
}

bool NoteVerifier::VerifyBytes(absl::string_view message, absl::string_view signature) const {
  return VerifyWithKey(key_.get(), message, signature);
}

absl::StatusOr<std::string> NoteVerifier::Verify(absl::string_view note) const {
  // C2SP signed-note, "Format" and "Signatures".
  if (absl::Status status = CheckNoteCharacters(note, "note"); !status.ok()) return status;
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "note: no blank line between the text and the signature lines");
  }
  const absl::string_view text = note.substr(0, split + 1);
  absl::string_view signatures = note.substr(split + 2);
  if (signatures.empty()) {
    return absl::InvalidArgumentError("note: no signature lines after the blank line");
  }
  if (signatures.back() != '\n') {
    return absl::InvalidArgumentError("note: the last signature line does not end with a newline");
  }
  if (std::count(signatures.begin(), signatures.end(), '\n') > kMaxNoteSignatures) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("note: more than %d signature lines", kMaxNoteSignatures));
  }

  const std::string key_label = absl::StrCat(name_, "+", KeyIdHex(key_id_));
  bool found = false;
  int number = 0;
  while (!signatures.empty()) {
    ++number;
    const size_t end = signatures.find('\n');
    absl::string_view line = signatures.substr(0, end);
    signatures.remove_prefix(end + 1);
    const auto malformed = [number](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrFormat("note: signature line %d: %s", number, why));
    };
    if (!absl::ConsumePrefix(&line, kSignaturePrefix)) {
      return malformed("does not start with an em dash (U+2014) and a space");
    }
    const size_t space = line.find(' ');
    if (space == absl::string_view::npos) return malformed("no signature after the key name");
    const absl::string_view name = line.substr(0, space);
    const absl::string_view encoded = line.substr(space + 1);
    if (!IsValidKeyName(name)) return malformed(absl::StrCat("invalid key name ", Quote(name)));
    std::string decoded;
    if (encoded.empty() || !DecodeCanonicalBase64(encoded, &decoded)) {
      return malformed("signature is not canonical base64");
    }
    if (decoded.size() < 5) return malformed("signature shorter than a key id and one byte");
    const uint32_t key_id = ReadBigEndian32(decoded);

    // Another name or another key id is another key: ignore it.
    if (name != name_ || key_id != key_id_) continue;
    found = true;
    if (!VerifyBytes(text, absl::string_view(decoded).substr(4))) {
      return absl::FailedPreconditionError(
          absl::StrCat("signature by ", key_label, " does not verify"));
    }
  }
  if (!found) {
    return absl::FailedPreconditionError(absl::StrCat("no signature by ", key_label));
  }
  return std::string(text);
}

absl::StatusOr<std::string> SignCheckpoint(const NoteSigner& signer, const Checkpoint& checkpoint) {
  if (absl::Status status = ValidateCheckpoint(checkpoint); !status.ok()) return status;
  if (checkpoint.origin != signer.name()) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint.origin: ", Quote(checkpoint.origin),
                                                   " is not the signer's key name ",
                                                   Quote(signer.name())));
  }
  return signer.Sign(CheckpointBody(checkpoint));
}

absl::StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, absl::string_view note,
                                          absl::string_view expected_origin) {
  absl::StatusOr<std::string> body = verifier.Verify(note);
  if (!body.ok()) return body.status();
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpointBody(*body);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->origin != expected_origin) {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint origin ", Quote(checkpoint->origin), ", want ", Quote(expected_origin)));
  }
  return checkpoint;
}

}  // namespace sello::domain
