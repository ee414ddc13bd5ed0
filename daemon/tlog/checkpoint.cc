#include "daemon/tlog/checkpoint.h"

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

constexpr absl::string_view kTimePrefix = "time ";

std::string Quote(absl::string_view text) { return QuoteForMessage(text); }

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
