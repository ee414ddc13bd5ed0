#include "daemon/tlog/signed_note.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "daemon/domain/crypto.h"

namespace sello::domain {
namespace {

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

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

// Unicode White_Space (what Go's unicode.IsSpace accepts), which key names must avoid.
bool IsUnicodeSpace(int32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// The first four bytes of `bytes` as a big-endian number.
uint32_t ReadBigEndian32(absl::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// The key id as it opens a signature (big-endian).
std::string KeyIdBytes(uint32_t key_id) {
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((key_id >> (24 - 8 * i)) & 0xFF);
  return bytes;
}

std::string KeyIdHex(uint32_t key_id) { return absl::StrFormat("%08x", key_id); }

// signed-note: key id = SHA-256(name || "\n" || 0x01 || public key)[:4], big-endian.
uint32_t ComputeKeyId(absl::string_view name, absl::string_view public_key) {
  return NoteKeyId(name, kNoteAlgEd25519, public_key);
}

std::string FormatEd25519VerifierKey(absl::string_view name, uint32_t key_id,
                                     absl::string_view public_key) {
  return FormatVerifierKey(
      VerifierKeyParts{std::string(name), key_id, kNoteAlgEd25519, std::string(public_key)});
}

absl::Status CheckNoteText(absl::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("note text: must be non-empty and end with a newline");
  }
  return CheckNoteCharacters(text, "note text");
}

}  // namespace

std::string QuoteForMessage(absl::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMax)), "\"...");
}

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
      absl::StrCat("key name ", QuoteForMessage(name),
                   ": must be non-empty UTF-8 without spaces, '+' or control characters"));
}

bool DecodeCanonicalBase64(absl::string_view text, std::string* out) {
  return absl::Base64Unescape(text, out) && absl::Base64Escape(*out) == text;
}

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

uint32_t NoteKeyId(absl::string_view name, uint8_t signature_type, absl::string_view public_key) {
  const char type = static_cast<char>(signature_type);
  return ReadBigEndian32(Sha256(absl::StrCat(name, "\n", absl::string_view(&type, 1), public_key)));
}

absl::StatusOr<VerifierKeyParts> ParseVerifierKey(absl::string_view verifier_key) {
  const auto malformed = [](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key: ", why));
  };
  // Names never contain '+'; base64 may, so only the first two '+' separate fields.
  const std::vector<absl::string_view> parts =
      absl::StrSplit(verifier_key, absl::MaxSplits('+', 2));
  if (parts.size() != 3) return malformed("want <name>+<key id>+<base64 key>");
  VerifierKeyParts parsed;
  const absl::string_view id_hex = parts[1];
  if (!IsValidKeyName(parts[0])) {
    return malformed(absl::StrCat("key name ", QuoteForMessage(parts[0]),
                                  " is empty or has spaces, '+' or control bytes"));
  }
  parsed.name = std::string(parts[0]);
  if (id_hex.size() != 8 ||
      !std::all_of(id_hex.begin(), id_hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
    return malformed(absl::StrCat("key id ", QuoteForMessage(id_hex), " is not 8 hex digits"));
  }
  parsed.key_id = ReadBigEndian32(absl::HexStringToBytes(id_hex));
  std::string key;
  if (!DecodeCanonicalBase64(parts[2], &key) || key.empty()) {
    return malformed("key is not canonical base64");
  }
  parsed.signature_type = static_cast<uint8_t>(key[0]);
  parsed.public_key = key.substr(1);
  return parsed;
}

absl::Status CheckVerifierKeyId(const VerifierKeyParts& parts) {
  const uint32_t want_id = NoteKeyId(parts.name, parts.signature_type, parts.public_key);
  if (parts.key_id == want_id) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "verifier key: key id %08x does not match name and key (%08x)", parts.key_id, want_id));
}

std::string FormatVerifierKey(const VerifierKeyParts& parts) {
  const char type = static_cast<char>(parts.signature_type);
  return absl::StrCat(
      parts.name, "+", absl::StrFormat("%08x", parts.key_id), "+",
      absl::Base64Escape(absl::StrCat(absl::string_view(&type, 1), parts.public_key)));
}

std::string FormatSignatureLine(const NoteSignature& signature) {
  return absl::StrCat(
      kNoteSignaturePrefix, signature.name, " ",
      absl::Base64Escape(absl::StrCat(KeyIdBytes(signature.key_id), signature.signature)), "\n");
}

absl::StatusOr<NoteSignature> ParseSignatureLine(absl::string_view line) {
  absl::ConsumeSuffix(&line, "\n");
  if (!absl::ConsumePrefix(&line, kNoteSignaturePrefix)) {
    return absl::InvalidArgumentError("does not start with an em dash (U+2014) and a space");
  }
  const size_t space = line.find(' ');
  if (space == absl::string_view::npos) {
    return absl::InvalidArgumentError("no signature after the key name");
  }
  const absl::string_view name = line.substr(0, space);
  const absl::string_view encoded = line.substr(space + 1);
  if (!IsValidKeyName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid key name ", QuoteForMessage(name)));
  }
  std::string decoded;
  if (encoded.empty() || !DecodeCanonicalBase64(encoded, &decoded)) {
    return absl::InvalidArgumentError("signature is not canonical base64");
  }
  if (decoded.size() < 5) {
    return absl::InvalidArgumentError("signature shorter than a key id and one byte");
  }
  return NoteSignature{std::string(name), ReadBigEndian32(decoded), decoded.substr(4)};
}

absl::StatusOr<SignedNote> ParseSignedNote(absl::string_view note) {
  // C2SP signed-note, "Format": the text ends at the last blank line.
  if (absl::Status status = CheckNoteCharacters(note, "note"); !status.ok()) return status;
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "note: no blank line between the text and the signature lines");
  }
  SignedNote parsed;
  parsed.text = std::string(note.substr(0, split + 1));
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
  int number = 0;
  while (!signatures.empty()) {
    ++number;
    const size_t end = signatures.find('\n');
    absl::StatusOr<NoteSignature> signature = ParseSignatureLine(signatures.substr(0, end));
    signatures.remove_prefix(end + 1);
    if (!signature.ok()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("note: signature line %d: %s", number, signature.status().message()));
    }
    parsed.signatures.push_back(*std::move(signature));
  }
  return parsed;
}

std::string FormatSignedNote(const SignedNote& note) {
  std::string out = absl::StrCat(note.text, "\n");
  for (const NoteSignature& signature : note.signatures) {
    absl::StrAppend(&out, FormatSignatureLine(signature));
  }
  return out;
}

absl::Status OpenSslError(absl::string_view what) {
  char buffer[256] = "unknown error";
  const unsigned long code = ERR_get_error();
  if (code != 0) ERR_error_string_n(code, buffer, sizeof(buffer));
  ERR_clear_error();
  return absl::InternalError(absl::StrCat(what, ": ", buffer));
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> Ed25519PublicKey(absl::string_view raw_public_key) {
  if (raw_public_key.size() != kEd25519KeySize) {
    return absl::InvalidArgumentError(absl::StrFormat("Ed25519 public key is %d bytes, want %d",
                                                      raw_public_key.size(), kEd25519KeySize));
  }
  std::shared_ptr<EVP_PKEY> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(raw_public_key.data()),
                                  raw_public_key.size()),
      &EVP_PKEY_free);
  if (key == nullptr) return OpenSslError("EVP_PKEY_new_raw_public_key");
  return key;
}

absl::StatusOr<std::string> Ed25519Sign(EVP_PKEY* key, absl::string_view message) {
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

bool Ed25519Verify(EVP_PKEY* key, absl::string_view message, absl::string_view signature) {
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

void EvpPkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

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
  return FormatEd25519VerifierKey(name_, key_id_, public_key_);
}

absl::StatusOr<std::string> NoteSigner::SignBytes(absl::string_view message) const {
  return Ed25519Sign(key_.get(), message);
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view body) const {
  if (absl::Status status = CheckNoteText(body); !status.ok()) return status;
  absl::StatusOr<std::string> signature = SignBytes(body);
  if (!signature.ok()) return signature.status();
  return absl::StrCat(body, "\n", FormatSignatureLine(NoteSignature{name_, key_id_, *signature}));
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
  for (absl::string_view existing : absl::StrSplit(note.substr(blank + 2), '\n')) {
    absl::StatusOr<NoteSignature> signature = ParseSignatureLine(existing);
    if (signature.ok() && signature->name == name_ && signature->key_id == key_id_) {
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
  absl::StatusOr<VerifierKeyParts> parts = ParseVerifierKey(verifier_key);
  if (!parts.ok()) return parts.status();
  if (parts->signature_type != kNoteAlgEd25519) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "verifier key: signature type 0x%02x is not 0x01 (Ed25519)", parts->signature_type));
  }
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = Ed25519PublicKey(parts->public_key);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key: ", key.status().message()));
  }
  if (absl::Status status = CheckVerifierKeyId(*parts); !status.ok()) return status;
  return NoteVerifier(std::move(parts->name), *std::move(key), std::move(parts->public_key),
                      parts->key_id);
}

std::string NoteVerifier::VerifierKey() const {
  return FormatEd25519VerifierKey(name_, key_id_, public_key_);
}

bool NoteVerifier::VerifyBytes(absl::string_view message, absl::string_view signature) const {
  return Ed25519Verify(key_.get(), message, signature);
}

absl::StatusOr<std::string> NoteVerifier::Verify(absl::string_view note) const {
  // C2SP signed-note, "Format" and "Signatures".
  absl::StatusOr<SignedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok()) return parsed.status();
  const std::string key_label = absl::StrCat(name_, "+", KeyIdHex(key_id_));
  bool found = false;
  for (const NoteSignature& signature : parsed->signatures) {
    // Another name or another key id is another key: ignore it.
    if (signature.name != name_ || signature.key_id != key_id_) continue;
    found = true;
    if (!VerifyBytes(parsed->text, signature.signature)) {
      return absl::FailedPreconditionError(
          absl::StrCat("signature by ", key_label, " does not verify"));
    }
  }
  if (!found) {
    return absl::FailedPreconditionError(absl::StrCat("no signature by ", key_label));
  }
  return std::move(parsed->text);
}

}  // namespace sello::domain
