// Checkpoints of the transparency log: the C2SP tlog-checkpoint body (as Go's
// golang.org/x/mod/sumdb/tlog formats a tree), any log's as text (CheckpointText) and
// Sello's own (Checkpoint), and a checkpoint signed as a note and opened again. The note
// format, its keys and signatures are signed_note.h's (as sumdb/note). Pure: no I/O, no
// gRPC, no storage.
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
// Error codes, used consistently (here and in signed_note.h):
//   INVALID_ARGUMENT     malformed input: note, body, verifier key, private key, name.
//   RESOURCE_EXHAUSTED   a note with more than kMaxNoteSignatures signature lines.
//   FAILED_PRECONDITION  well-formed but not trusted: "no signature by <name>+<id>",
//                        "signature by <name>+<id> does not verify", wrong origin.
//                        (Not UNAUTHENTICATED: that code means the *caller's* credential
//                        is bad, and would mislead once mapped to gRPC.)
//   INTERNAL             OpenSSL failed on a well-formed request (out of memory).
#ifndef SELLO_DAEMON_TLOG_CHECKPOINT_H_
#define SELLO_DAEMON_TLOG_CHECKPOINT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

// A C2SP tlog-checkpoint body, as any log writes it: origin, size, root hash, then zero
// or more extension lines (opaque). Sello's own checkpoints (Checkpoint, above) are the case
// with exactly one extension, "time <seconds>".
struct CheckpointText {
  std::string origin;
  uint64_t size = 0;
  std::string root_hash;  // 32 raw bytes
  std::vector<std::string> extensions;
};
// Parses a checkpoint body strictly: lines end in "\n"; a non-empty origin; a decimal
// size without sign or leading zeros; a canonical base64 32-byte root hash; extension
// lines non-empty. INVALID_ARGUMENT naming the line otherwise.
absl::StatusOr<CheckpointText> ParseCheckpointText(absl::string_view text);

// CheckpointBody signed by `signer`. INVALID_ARGUMENT when the checkpoint is invalid
// or its origin is not the signer's name (C2SP: the key name matches the origin).
absl::StatusOr<std::string> SignCheckpoint(const NoteSigner& signer, const Checkpoint& checkpoint);

// Verifies `note` with `verifier`, parses its body, and checks that the origin is
// `expected_origin` (FAILED_PRECONDITION naming both otherwise).
absl::StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, absl::string_view note,
                                          absl::string_view expected_origin);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_TLOG_CHECKPOINT_H_
