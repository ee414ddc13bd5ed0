// A seal's proof as a C2SP tlog-proof file (".tlog-proof"), checkable offline by anyone
// with the log's key (and a witness policy): the issuance event's index and inclusion
// path, the (co)signed checkpoint, and as "extra" data (tools.SealProofExtra) the event,
// the issuance record, the seal as issued and its path to the issuance's seals_root.
#ifndef SELLO_CLIENT_SEAL_TLOG_PROOF_H_
#define SELLO_CLIENT_SEAL_TLOG_PROOF_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/auditor.h"
#include "sello/v1/seal.pb.h"

namespace sello::client {

// The tlog-proof text of a VerifySeal answer that carries a proof (FAILED_PRECONDITION
// when it carries none).
absl::StatusOr<std::string> SealTlogProof(const v1::SealVerdict& verdict);

// What a checked seal proof file shows.
struct SealProofCheck {
  v1::Seal seal_as_issued;
  SignedCheckpoint checkpoint;
};

// Parses and checks a seal's tlog-proof file as VerifySealProof checks an answer:
// INVALID_ARGUMENT when the text is not a tlog-proof of a seal, DATA_LOSS when a link
// does not hold (signature, quorum, inclusion, digest, seal path).
absl::StatusOr<SealProofCheck> VerifySealTlogProof(absl::string_view text,
                                                   const domain::NoteVerifier& verifier,
                                                   const domain::WitnessPolicy* policy);

}  // namespace sello::client

#endif  // SELLO_CLIENT_SEAL_TLOG_PROOF_H_
