// Signed checkpoints of the transparency log as plain text notes that generic tools
// can check: the body follows C2SP tlog-checkpoint, the signature C2SP signed-note
// with Ed25519 (through OpenSSL). Pure: no I/O, no gRPC, no storage.
//
// Checkpoint body (every line ends with "\n"):
//
//   sello.example/registry                          origin (= the log's key name)
//   1234                                            tree size, decimal, no leading zeros
//   CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=    base64 of the 32-byte RFC 6962 root
//   time 1764144000                                 extension line: Unix seconds, UTC
//
// The time travels as the one extension line C2SP tlog-checkpoint allows (opaque to
// tools that do not know it), in whole seconds since 1970-01-01T00:00:00Z: an integer
// is unambiguous, needs no time-zone or calendar parsing, and sorts as it reads.
//
// Signed note = body, a blank line, then one or more signature lines
// "— <key name> <base64(key id (4 bytes, big-endian) || Ed25519 signature (64))>\n"
// (U+2014 em dash, space). The key id is SHA-256(name || "\n" || 0x01 || pubkey)[:4].
// The verifier key a client pins is "<name>+<8 hex digits of key id>+<base64(0x01 ||
// pubkey)>", the format of golang.org/x/mod/sumdb/note.
//
// Error codes, used consistently:
//   INVALID_ARGUMENT     malformed input: note, body, verifier key, private key, name.
//   RESOURCE_EXHAUSTED   a note with more than kMaxNoteSignatures signature lines.
//   FAILED_PRECONDITION  well-formed but not trusted: "no signature by <name>+<id>",
//                        "signature by <name>+<id> does not verify", wrong origin.
//                        (Not UNAUTHENTICATED: that code means the *caller's* credential
//                        is bad, and would mislead once mapped to gRPC.)
//   INTERNAL             OpenSSL failed on a well-formed request (out of memory).
#ifndef SELLO_DAEMON_TLOG_CHECKPOINT_H_
#define SELLO_DAEMON_TLOG_CHECKPOINT_H_

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/tlog/signed_note.h"

namespace sello::domain {

// The size of a root hash (kMaxNoteSignatures and the Ed25519 sizes: signed_note.h).
inline constexpr size_t kRootHashSize = 32;

// A tree head of the transparency log at one size.
struct Checkpoint {
  std::string origin;     // the log's identity, e.g. "sello.example/registry"
  uint64_t size = 0;      // number of leaves
  std::string root_hash;  // 32 raw bytes, RFC 6962 Merkle tree hash of `size` leaves
  absl::Time time;        // when it was signed; whole seconds, not before 1970
};

// OK when `checkpoint` can be written as a body: non-empty origin that is valid UTF-8
// without control characters, a 32-byte root hash, and a time that is finite, whole
// seconds and not before the Unix epoch. INVALID_ARGUMENT naming the field otherwise.
absl::Status ValidateCheckpoint(const Checkpoint& checkpoint);

// The note body of `checkpoint` (format above). Precondition: ValidateCheckpoint is OK
// (SignCheckpoint checks it).
std::string CheckpointBody(const Checkpoint& checkpoint);

// Parses a body strictly: exactly four lines, each ending in "\n"; the origin is
// non-empty; the size is decimal without sign or leading zeros and fits 64 bits; the
// root hash is canonical base64 of exactly 32 bytes; the fourth line is
// "time <Unix seconds>" (decimal, no leading zeros). INVALID_ARGUMENT naming the line
// ("checkpoint line 2 (size): ...") otherwise.
absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body);

// Frees an OpenSSL key (for std::unique_ptr / std::shared_ptr).
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};

// An Ed25519 signing key with its key name, signing C2SP signed notes. Move-only (the
// private key is not copied by accident). Sign is const and safe to call from several
// threads at once.
class NoteSigner {
 public:
  // A new random key. INVALID_ARGUMENT when `name` is not a valid key name: non-empty
  // UTF-8 without Unicode spaces or '+' (signed-note), nor control characters.
  static absl::StatusOr<NoteSigner> Generate(absl::string_view name);
  // The key whose RFC 8032 private key (the 32-byte seed) is `raw_private_key`.
  static absl::StatusOr<NoteSigner> FromPrivateKey(absl::string_view name,
                                                   absl::string_view raw_private_key);

  NoteSigner(NoteSigner&&) = default;
  NoteSigner& operator=(NoteSigner&&) = default;

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // The 32-byte seed, for storing the key (keep it secret).
  std::string raw_private_key() const;
  // The 32-byte public key.
  const std::string& raw_public_key() const { return public_key_; }
  // "<name>+<8 hex digits>+<base64(0x01 || public key)>": what verifiers pin.
  std::string VerifierKey() const;

  // The signed note: `body` + "\n" + "— <name> <base64(key id || signature)>\n".
  // INVALID_ARGUMENT when `body` is not a valid note text (non-empty, ends with "\n",
  // valid UTF-8, no control characters other than "\n").
  absl::StatusOr<std::string> Sign(absl::string_view body) const;

  // Adds this key's signature line to the signed `note` (a signed note may carry several
  // signatures; each verifier checks the lines of the key it pins and ignores the
  // rest): how two keys sign the same checkpoints while one replaces the other.
  // INVALID_ARGUMENT when `note` is not a signed note or already has a line by this key.
  absl::StatusOr<std::string> CoSign(absl::string_view note) const;

  // The bare Ed25519 signature (64 bytes) of `message`, the primitive Sign uses; public
  // so that it can be checked against RFC 8032's test vectors. Prefer Sign.
  absl::StatusOr<std::string> SignBytes(absl::string_view message) const;

 private:
  NoteSigner(std::string name, std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> key,
             std::string public_key, uint32_t key_id);

  std::string name_;
  std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> key_;
  std::string public_key_;
  uint32_t key_id_;
};

// The public half of a NoteSigner, built from a pinned verifier key. Copyable (the
// OpenSSL key is shared and never mutated); Verify is safe to call concurrently.
class NoteVerifier {
 public:
  // Parses "<name>+<8 hex digits>+<base64(0x01 || 32-byte Ed25519 public key)>" and
  // checks that the key id matches name and key. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<NoteVerifier> FromVerifierKey(absl::string_view verifier_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const std::string& raw_public_key() const { return public_key_; }
  // The verifier key in canonical form (lower-case hex).
  std::string VerifierKey() const;

  // Checks a signed note and returns its body (the text up to and including the
  // newline before the blank line). Signature lines by other keys (another name, or
  // this name with another key id) are ignored, as signed-note requires. Every line
  // with this key's name and id must verify. Errors: INVALID_ARGUMENT for a malformed
  // note (naming what is wrong), RESOURCE_EXHAUSTED for too many signature lines,
  // FAILED_PRECONDITION "no signature by <name>+<id>" or "signature by <name>+<id>
  // does not verify".
  absl::StatusOr<std::string> Verify(absl::string_view note) const;

  // Whether `signature` is a valid bare Ed25519 signature of `message` by this key.
  bool VerifyBytes(absl::string_view message, absl::string_view signature) const;

 private:
  NoteVerifier(std::string name, std::shared_ptr<EVP_PKEY> key, std::string public_key,
               uint32_t key_id);

  std::string name_;
  std::shared_ptr<EVP_PKEY> key_;
  std::string public_key_;
  uint32_t key_id_;
};

// CheckpointBody signed by `signer`. INVALID_ARGUMENT when the checkpoint is invalid
// or its origin is not the signer's name (C2SP: the key name matches the origin).
absl::StatusOr<std::string> SignCheckpoint(const NoteSigner& signer, const Checkpoint& checkpoint);

// Verifies `note` with `verifier`, parses its body, and checks that the origin is
// `expected_origin` (FAILED_PRECONDITION naming both otherwise).
absl::StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, absl::string_view note,
                                          absl::string_view expected_origin);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_TLOG_CHECKPOINT_H_
