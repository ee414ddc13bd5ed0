// C2SP tlog-proof: a self-contained, offline-checkable proof that an entry is in a
// transparency log, as text (a ".tlog-proof" file): the entry's index, its inclusion
// path, and the (co)signed checkpoint the path leads to, with optional opaque "extra"
// data that the application needs to recompute the entry's leaf hash. Pure.
//
//   c2sp.org/tlog-proof@v1
//   extra <base64>            (optional)
//   index <decimal>
//   <base64 hash>             zero or more: leaf's sibling first, up to the root's child
//
//   <checkpoint note, verbatim>
#ifndef SELLO_DAEMON_TLOG_TLOG_PROOF_H_
#define SELLO_DAEMON_TLOG_TLOG_PROOF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

inline constexpr absl::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";
// An inclusion path in a tree of at most 2^64 leaves has at most 64 hashes.
inline constexpr size_t kMaxInclusionPathLength = 64;

struct TlogProof {
  std::optional<std::string> extra;  // raw bytes (base64 in the file); untrusted
  uint64_t index = 0;
  std::vector<std::string> hashes;  // 32 bytes each
  std::string checkpoint;           // the signed note, verbatim
};

// The file's text. Precondition: the hashes are 32 bytes, the checkpoint is a note.
std::string FormatTlogProof(const TlogProof& proof);

// Parses the text strictly (the format above; every line ends in a newline; the
// checkpoint is everything after the first empty line and must end in a newline).
// INVALID_ARGUMENT naming the line and the problem. Nothing is verified here.
absl::StatusOr<TlogProof> ParseTlogProof(absl::string_view text);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_TLOG_TLOG_PROOF_H_
