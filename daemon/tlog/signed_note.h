// C2SP signed-note (as Go's golang.org/x/mod/sumdb/note): the note format for every kind
// of signature a note may carry: the log's own (NoteSigner, NoteVerifier below), witnesses'
// cosignatures (cosignature.h), and those of keys we do not know, which must be parsed to
// be ignored. Also the Ed25519 primitives (RFC 8032, through OpenSSL) those signatures
// use. What a checkpoint's body says is checkpoint.h's. Pure: no I/O.
//
// Signed note = text, a blank line, then one or more signature lines
// "— <key name> <base64(key id (4 bytes, big-endian) || Ed25519 signature (64))>\n"
// (U+2014 em dash, space). The key id is SHA-256(name || "\n" || 0x01 || pubkey)[:4].
// The verifier key a client pins is "<name>+<8 hex digits of key id>+<base64(0x01 ||
// pubkey)>".
//
// Errors: INVALID_ARGUMENT for malformed input, naming the line and the problem;
// RESOURCE_EXHAUSTED for a note with more than kMaxNoteSignatures signature lines;
// FAILED_PRECONDITION for a well-formed note the pinned key did not sign (NoteVerifier);
// INTERNAL when OpenSSL fails on well-formed input.
#ifndef SELLO_DAEMON_TLOG_SIGNED_NOTE_H_
#define SELLO_DAEMON_TLOG_SIGNED_NOTE_H_

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

// signed-note: a signature line starts with U+2014 (em dash, UTF-8 E2 80 94) and a space.
inline constexpr absl::string_view kNoteSignaturePrefix = "\xE2\x80\x94 ";
// Signature types (signed-note, "Signature types").
inline constexpr uint8_t kNoteAlgEd25519 = 0x01;           // C2SP signed-note Ed25519
inline constexpr uint8_t kNoteAlgCosignatureV1 = 0x04;     // C2SP tlog-cosignature, Ed25519
inline constexpr uint8_t kNoteAlgCosignatureMlDsa = 0x06;  // tlog-cosignature, ML-DSA-44
// Signature lines beyond this make a note malformed (signed-note: verifiers SHOULD cap
// the count and MUST accept at least 16).
inline constexpr int kMaxNoteSignatures = 100;
// Sizes of the Ed25519 raw keys and signatures (RFC 8032).
inline constexpr size_t kEd25519KeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

// Quotes `text` for an error message: C-escaped and cut short, so that hostile input
// cannot make a message huge or unprintable.
std::string QuoteForMessage(absl::string_view text);

// signed-note: notes are valid UTF-8 without ASCII control characters other than
// newline. INVALID_ARGUMENT naming the offending line of `text`, which `what` names.
absl::Status CheckNoteCharacters(absl::string_view text, absl::string_view what);

// signed-note: key names are non-empty, without Unicode spaces or '+'. Control
// characters are refused too: a note could not carry them.
bool IsValidKeyName(absl::string_view name);
// INVALID_ARGUMENT naming the name when !IsValidKeyName(name).
absl::Status CheckKeyName(absl::string_view name);

// Standard base64 with padding, accepted only in its one canonical spelling, so that
// no two texts carry the same bytes.
bool DecodeCanonicalBase64(absl::string_view text, std::string* out);

// Decimal without sign or leading zeros (except "0") and at most `max`.
bool ParseDecimal(absl::string_view text, uint64_t max, uint64_t* out);

// signed-note key ID: SHA-256(name || "\n" || signature type || public key)[:4], big-endian.
uint32_t NoteKeyId(absl::string_view name, uint8_t signature_type, absl::string_view public_key);

// A verifier key ("vkey"): "<name>+<8 hex digits of key id>+<base64(type || public key)>".
struct VerifierKeyParts {
  std::string name;
  uint32_t key_id = 0;
  uint8_t signature_type = 0;
  std::string public_key;
};
// Parses a vkey's fields. Checks neither the type, the key's length nor the key id: the
// caller knows which types it accepts, checks those, then CheckVerifierKeyId.
// INVALID_ARGUMENT "verifier key: ..." otherwise.
absl::StatusOr<VerifierKeyParts> ParseVerifierKey(absl::string_view verifier_key);
// OK when the key id is NoteKeyId(name, type, key), as every type assigned so far
// derives it; INVALID_ARGUMENT "verifier key: key id ... does not match" otherwise.
absl::Status CheckVerifierKeyId(const VerifierKeyParts& parts);
std::string FormatVerifierKey(const VerifierKeyParts& parts);

// One signature line of a note.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  // The signature bytes after the key id (the algorithm's own format).
  std::string signature;
};
// "— <name> <base64(key id || signature)>\n".
std::string FormatSignatureLine(const NoteSignature& signature);
// Parses one line (with or without its final newline). INVALID_ARGUMENT naming what is
// wrong (not "signature line N": the caller numbers lines).
absl::StatusOr<NoteSignature> ParseSignatureLine(absl::string_view line);

// A signed note, split: the text (up to and including the newline before the last blank
// line) and its signature lines, in order.
struct SignedNote {
  std::string text;
  std::vector<NoteSignature> signatures;
};
// Parses a signed note strictly (signed-note, "Format"): valid characters, a blank line
// before one or more well-formed signature lines, each ending in a newline, at most
// kMaxNoteSignatures of them. Signatures are not verified.
absl::StatusOr<SignedNote> ParseSignedNote(absl::string_view note);
// The note text followed by a blank line and the signature lines.
std::string FormatSignedNote(const SignedNote& note);

// INTERNAL carrying OpenSSL's oldest queued error; clears the queue.
absl::Status OpenSslError(absl::string_view what);

// Ed25519 (RFC 8032) with OpenSSL's raw keys.
// A public key from its 32 raw bytes (INVALID_ARGUMENT for another length).
absl::StatusOr<std::shared_ptr<EVP_PKEY>> Ed25519PublicKey(absl::string_view raw_public_key);
// The 64-byte signature of `message` by the private key `key`.
absl::StatusOr<std::string> Ed25519Sign(EVP_PKEY* key, absl::string_view message);
// Whether `signature` is a valid signature of `message` by `key`.
bool Ed25519Verify(EVP_PKEY* key, absl::string_view message, absl::string_view signature);

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

}  // namespace sello::domain

#endif  // SELLO_DAEMON_TLOG_SIGNED_NOTE_H_
