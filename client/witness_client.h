// The client side of a witness (C2SP tlog-witness): submit a checkpoint with its
// consistency proof and read the answer (cosignature lines, the size the witness holds,
// or why it refused), and fetch the evidence a sello-witness keeps. For the registry's
// collection of cosignatures, the tests, and `sello witness`.
#ifndef SELLO_CLIENT_WITNESS_CLIENT_H_
#define SELLO_CLIENT_WITNESS_CLIENT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "client/http_client.h"
#include "daemon/domain/witness_protocol.h"
#include "sello/tools/witness.pb.h"

namespace sello::client {

struct AddCheckpointAnswer {
  long status = 0;  // the HTTP status
  // 200: the cosignature lines, checked to be well-formed signature lines (not verified:
  // merge them into the note and verify with the witness keys you trust).
  std::string cosignatures;
  // 409 with text/x.tlog.size: the size of the checkpoint the witness last cosigned.
  std::optional<uint64_t> witness_size;
  // Otherwise: the witness's explanation.
  std::string message;
};

// POSTs `request` to `<witness>/add-checkpoint` (`witness` is the submission prefix,
// e.g. "https://witness.example/sello"). UNAVAILABLE / DEADLINE_EXCEEDED when no answer
// came; DATA_LOSS when a 200 or 409 answer is malformed (the witness misbehaves).
absl::StatusOr<AddCheckpointAnswer> AddCheckpoint(const HttpClientOptions& options,
                                                  const std::string& witness,
                                                  const domain::AddCheckpointRequest& request);

// GETs `<witness>/evidence` (a sello-witness's monitoring endpoint).
absl::StatusOr<tools::WitnessEvidenceList> FetchWitnessEvidence(const HttpClientOptions& options,
                                                                const std::string& witness);

}  // namespace sello::client

#endif  // SELLO_CLIENT_WITNESS_CLIENT_H_
