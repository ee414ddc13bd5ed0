// Witness cosignatures in the C2SP tlog-cosignature format, version cosignature/v1 with
// Ed25519 (signature type 0x04): a witness's statement that, as of its timestamp, the
// checkpoint is the largest consistent tree it has seen of that log. Signing, verifying,
// and merging cosignature lines into a checkpoint note. Pure: the time is passed in.
//
// A cosignature is a signed-note signature line over the checkpoint's note text:
//
//   — <cosigner name> base64(key id (4) || timestamp (8, big-endian) || Ed25519 sig (64))
//
// key id = SHA-256(<name> || "\n" || 0x04 || 32-byte public key)[:4], and the signed
// message is "cosignature/v1\ntime <timestamp>\n" followed by the whole note text. The
// verifier key is "<name>+<key id hex>+<base64(0x04 || public key)>".
#ifndef SELLO_DAEMON_TLOG_COSIGNATURE_H_
#define SELLO_DAEMON_TLOG_COSIGNATURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/signed_note.h"

namespace sello::domain {

// The timestamp and Ed25519 signature after the key id.
inline constexpr size_t kCosignatureSize = 8 + kEd25519SignatureSize;

// tlog-cosignature "Ed25519 signed message": the header line, the timestamp line, then
// the checkpoint's note text (with its final newline, without signature lines).
std::string CosignedMessage(absl::string_view checkpoint_text, uint64_t timestamp);

// A witness's Ed25519 cosigning key with its name. Move-only; Cosign is const and safe
// to call from several threads at once.
class CosignatureSigner {
 public:
  // A new random key. INVALID_ARGUMENT when `name` is not a valid key name.
  static absl::StatusOr<CosignatureSigner> Generate(absl::string_view name);
  // The key whose RFC 8032 private key (32-byte seed) is `raw_private_key`.
  static absl::StatusOr<CosignatureSigner> FromPrivateKey(absl::string_view name,
                                                          absl::string_view raw_private_key);

  const std::string& name() const { return key_.name(); }
  uint32_t key_id() const { return key_id_; }
  const std::string& raw_public_key() const { return key_.raw_public_key(); }
  // The 32-byte seed, for storing the key (keep it secret).
  std::string raw_private_key() const { return key_.raw_private_key(); }
  // "<name>+<8 hex digits>+<base64(0x04 || public key)>": what policies pin.
  std::string VerifierKey() const;

  // The cosignature line ("— <name> <base64>\n") of `checkpoint_text` as of `time`
  // (whole seconds since the epoch; the fraction is dropped). INVALID_ARGUMENT when the
  // text is not a tlog-checkpoint or `time` is before 1970 or infinite: a cosigner only
  // ever vouches for checkpoints.
  absl::StatusOr<std::string> Cosign(absl::string_view checkpoint_text, absl::Time time) const;

 private:
  CosignatureSigner(NoteSigner key, uint32_t key_id) : key_(std::move(key)), key_id_(key_id) {}
  static absl::StatusOr<CosignatureSigner> FromKey(absl::StatusOr<NoteSigner> key);

  // The Ed25519 key (its signed-note name is the cosigner's name; its 0x01 key id unused).
  NoteSigner key_;
  uint32_t key_id_;
};

// The public half, from a pinned verifier key. Copyable; Verify is safe concurrently.
class CosignatureVerifier {
 public:
  // Parses a type-0x04 verifier key and checks its key id. INVALID_ARGUMENT otherwise
  // (naming ML-DSA-44, type 0x06, as not supported).
  static absl::StatusOr<CosignatureVerifier> FromVerifierKey(absl::string_view verifier_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const std::string& raw_public_key() const { return public_key_; }
  std::string VerifierKey() const;
  // "<name>+<key id>": how messages name this key.
  std::string Label() const;

  // Whether a signature line is this key's (same name and key id): only those are
  // checked; any other line is another key's.
  bool Matches(const NoteSignature& signature) const {
    return signature.name == name_ && signature.key_id == key_id_;
  }

  // Checks `signature` (the bytes after the key id of one of this key's lines) over
  // `checkpoint_text`; returns the cosignature's time. FAILED_PRECONDITION "cosignature
  // by <label> does not verify" when it is not the right size, its timestamp exceeds
  // 2^63 - 1, or the Ed25519 signature fails.
  absl::StatusOr<absl::Time> Verify(absl::string_view checkpoint_text,
                                    absl::string_view signature) const;

 private:
  CosignatureVerifier(std::string name, std::shared_ptr<EVP_PKEY> key, std::string public_key,
                      uint32_t key_id)
      : name_(std::move(name)),
        key_(std::move(key)),
        public_key_(std::move(public_key)),
        key_id_(key_id) {}

  std::string name_;
  std::shared_ptr<EVP_PKEY> key_;
  std::string public_key_;
  uint32_t key_id_;
};

// Adds signature lines (e.g. a witness's add-checkpoint answer: one or more lines, each
// ending in a newline) to the signed `note`. A line with the same name and key id as one
// already there replaces it (a witness's newer cosignature of the same checkpoint); the
// others are appended in order. The lines are not verified here (their keys may be
// unknown to the caller): verify the result with the keys you trust. INVALID_ARGUMENT
// when `note` or a line is malformed, RESOURCE_EXHAUSTED when the note would carry more
// than kMaxNoteSignatures lines.
absl::StatusOr<std::string> MergeSignatureLines(absl::string_view note, absl::string_view lines);

// Splits a block of signature lines (each "— ...\n") into parsed signatures, checking
// each. INVALID_ARGUMENT naming the line; an empty block is INVALID_ARGUMENT too.
absl::StatusOr<std::vector<NoteSignature>> ParseSignatureLines(absl::string_view lines);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_TLOG_COSIGNATURE_H_
