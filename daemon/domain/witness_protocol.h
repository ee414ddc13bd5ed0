// The C2SP tlog-witness protocol's add-checkpoint call as data: the request and response
// bodies (format and strict parse), and the witness's decision on a checkpoint whose
// log signature it has verified. Pure: the witness's state comes in as a value, and the
// caller persists the new state (atomically with this check, before answering).
//
// Request body:   "old <size>\n" <proof line>* "\n" <signed checkpoint note>
// 200 body:       one or more cosignature lines ("— <name> <base64>\n")
// 409 body:       "<size>\n" with Content-Type text/x.tlog.size (the size it holds)
#ifndef SELLO_DAEMON_DOMAIN_WITNESS_PROTOCOL_H_
#define SELLO_DAEMON_DOMAIN_WITNESS_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

// tlog-witness: a client MUST NOT send more than 63 consistency proof lines.
inline constexpr int kMaxConsistencyProofLines = 63;
// The Content-Type of a 409 answer.
inline constexpr absl::string_view kTreeSizeContentType = "text/x.tlog.size";

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<std::string> proof;  // 32-byte hashes, RFC 6962 consistency proof
  std::string checkpoint;          // the signed note, as sent
};

// The request body. Precondition: the hashes are 32 bytes.
std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request);

// Parses a request body strictly: "old " and a decimal size without leading zeros; at
// most 63 proof lines, each the canonical base64 of 32 bytes; none when the old size is
// 0; an empty line; a non-empty checkpoint note ending in a newline. Every line ends in
// a newline. INVALID_ARGUMENT naming the line and the problem (a witness answers 400).
absl::StatusOr<AddCheckpointRequest> ParseAddCheckpointRequest(absl::string_view body);

// "<size>\n", and its strict parse (INVALID_ARGUMENT otherwise).
std::string FormatTreeSize(uint64_t size);
absl::StatusOr<uint64_t> ParseTreeSize(absl::string_view body);

// What a witness holds for one log: the checkpoint it last cosigned.
struct WitnessedTree {
  uint64_t size = 0;
  std::string root_hash;
};

// The witness's answer to a request whose checkpoint verified under the log's key.
enum class AddCheckpointOutcome {
  kCosign,        // 200: consistent with what it holds; persist the new tree, then cosign
  kBadRequest,    // 400: the old size is beyond the checkpoint's size
  kSizeConflict,  // 409 (text/x.tlog.size): the old size is not the size it holds
  kRootConflict,  // 409: same size as the tree it holds, another root: a fork
  kInconsistent,  // 422: the consistency proof does not verify
};

struct AddCheckpointVerdict {
  AddCheckpointOutcome outcome = AddCheckpointOutcome::kCosign;
  // For people (the answer's body when not 200/409-size).
  std::string reason;
  // Whether the request is evidence worth keeping: the log signed a checkpoint that
  // conflicts with the one the witness cosigned (kRootConflict: proof of a fork by
  // itself; kInconsistent: the proof offered fails, a fork unless the log can give a
  // valid consistency proof between the two).
  bool evidence = false;
};

// tlog-witness "add-checkpoint", in the spec's order once the signature is checked:
// old size > checkpoint size (400); old size != held size, or 0 when nothing is held
// (409 with the held size); a consistency proof from the held tree that fails (422);
// equal sizes with different roots (409). Otherwise kCosign. `held` is nullopt when
// the witness never cosigned this log (as if it held size 0).
AddCheckpointVerdict JudgeAddCheckpoint(const std::optional<WitnessedTree>& held,
                                        const AddCheckpointRequest& request, uint64_t new_size,
                                        absl::string_view new_root);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_WITNESS_PROTOCOL_H_
