// The auditor's checks, with nothing but the registry's API and the log's pinned public
// key: signed checkpoints, consistency between them, inclusion of events, and records
// re-hashed against their logged digests. Evidence of misbehaviour (a bad signature, two
// inconsistent checkpoints, a proof that does not hold, a record that does not match
// its event) is DATA_LOSS; ordinary failures keep their own codes.
#ifndef SELLO_CLIENT_AUDITOR_H_
#define SELLO_CLIENT_AUDITOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "daemon/domain/checkpoint.h"
#include "sello/tools/audit.pb.h"
#include "sello/v1/log.pb.h"
#include "sello/v1/seal.pb.h"

namespace sello::client {

struct SignedCheckpoint {
  domain::Checkpoint checkpoint;
  std::string note;
};

// Verifies `note` with `verifier` (origin = the key's name).
absl::StatusOr<SignedCheckpoint> OpenSignedCheckpoint(const domain::NoteVerifier& verifier,
                                                      absl::string_view note);

// OK when `latest` extends `trusted` as `proof` (old size -> new size) shows. DATA_LOSS
// otherwise, with both notes in the message: together they prove the misbehaviour.
absl::Status CheckConsistency(const SignedCheckpoint& trusted, const SignedCheckpoint& latest,
                              const std::vector<std::string>& proof);

// The event's leaf hash (from its data when present) and a check that the data is the
// event it claims to be.
absl::StatusOr<std::string> CheckedLeafHash(const v1::LoggedEvent& event);

// OK when the record's bytes hash to the event's record_sha256 (DATA_LOSS otherwise).
absl::Status CheckRecordDigest(absl::string_view record, const v1::LoggedEvent& event);

// Checks, offline, the proof a VerifySeal answer carries: the checkpoint is signed by
// `verifier`, the issuance's event is in it, the issuance record is the one the event
// digests, and the seal as issued is leaf `position` of the issuance's seals_root and
// says what the answer says (code, grade, lot, issuer). DATA_LOSS when any link fails;
// FAILED_PRECONDITION when the answer has no proof (or the issuance is newer than the
// checkpoint, which is signed within a second: ask again).
absl::Status VerifySealProof(const v1::SealVerdict& verdict, const domain::NoteVerifier& verifier);

// Checks a bundle from `sello audit export` offline.
struct BundleReport {
  uint64_t events = 0;
  uint64_t redacted = 0;
  uint64_t records = 0;
  SignedCheckpoint checkpoint;
};
absl::StatusOr<BundleReport> VerifyBundle(const tools::AuditBundle& bundle,
                                          const domain::NoteVerifier& verifier);

class Auditor {
 public:
  Auditor(Connection& connection, domain::NoteVerifier verifier)
      : connection_(connection), verifier_(std::move(verifier)) {}

  // The newest checkpoint, its signature checked against the pinned key.
  absl::StatusOr<SignedCheckpoint> FetchCheckpoint();

  // Fetches the consistency proof and checks `latest` extends `trusted`.
  absl::Status VerifyExtends(const SignedCheckpoint& trusted, const SignedCheckpoint& latest);

  // Fetches the inclusion proof of the event with `seq` (or, when seq is 0, of the
  // latest event naming `subject`) in `at` and checks it; returns the event.
  absl::StatusOr<v1::GetInclusionProofResponse> ProveInclusion(uint64_t seq,
                                                               absl::string_view subject,
                                                               const SignedCheckpoint& at);

  // Reads the record `subject` names, checks its latest event is in `at` and that the
  // record hashes to that event's digest. NOT_FOUND / PERMISSION_DENIED when it cannot
  // be read (not evidence of anything).
  absl::Status CheckRecord(absl::string_view subject, const SignedCheckpoint& at);

  // Events from..to (inclusive) with proofs in `at` and, where readable and current,
  // their records.
  absl::StatusOr<tools::AuditBundle> Export(uint64_t from, uint64_t to, const SignedCheckpoint& at);

  const domain::NoteVerifier& verifier() const { return verifier_; }

 private:
  Connection& connection_;
  domain::NoteVerifier verifier_;
};

}  // namespace sello::client

#endif  // SELLO_CLIENT_AUDITOR_H_
