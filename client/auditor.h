// The auditor's checks, with nothing but the registry's API and the log's pinned public
// key: signed checkpoints, consistency between them, inclusion of events, and records
// re-hashed against their logged digests. Evidence of misbehaviour (a bad signature, two
// inconsistent checkpoints, a proof that does not hold, a record that does not match
// its event) is DATA_LOSS; ordinary failures keep their own codes.
#ifndef SELLO_CLIENT_AUDITOR_H_
#define SELLO_CLIENT_AUDITOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "daemon/domain/checkpoint.h"
#include "daemon/domain/witness_policy.h"
#include "sello/tools/audit.pb.h"
#include "sello/v1/log.pb.h"
#include "sello/v1/seal.pb.h"

namespace sello::client {

struct SignedCheckpoint {
  domain::Checkpoint checkpoint;
  std::string note;
  // Who cosigned it, when it was checked under a witness policy.
  std::optional<domain::QuorumResult> quorum;
};

// Verifies `note` with `verifier` (origin = the key's name) and, given a `policy`, that
// the policy's quorum of witnesses cosigned it (C2SP tlog-policy). DATA_LOSS otherwise:
// a registry that serves a checkpoint its witnesses did not cosign may be showing this
// client a history the others do not see. The message says which witnesses cosigned
// and which are missing.
absl::StatusOr<SignedCheckpoint> OpenSignedCheckpoint(
    const domain::NoteVerifier& verifier, absl::string_view note,
    const domain::WitnessPolicy* policy = nullptr);

// Reads a tlog-policy file for checking checkpoints signed by `verifier`: when the
// policy lists logs, the pinned key must be one of them (INVALID_ARGUMENT otherwise, as
// for a malformed file, naming the file and line).
absl::StatusOr<domain::WitnessPolicy> LoadWitnessPolicy(const std::string& path,
                                                        const domain::NoteVerifier& verifier);

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
absl::Status VerifySealProof(const v1::SealVerdict& verdict, const domain::NoteVerifier& verifier,
                             const domain::WitnessPolicy* policy = nullptr);

// Checks a bundle from `sello audit export` offline.
struct BundleReport {
  uint64_t events = 0;
  uint64_t redacted = 0;
  uint64_t records = 0;
  SignedCheckpoint checkpoint;
};
absl::StatusOr<BundleReport> VerifyBundle(const tools::AuditBundle& bundle,
                                          const domain::NoteVerifier& verifier,
                                          const domain::WitnessPolicy* policy = nullptr);

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
  // From now on FetchCheckpoint also requires `policy`'s quorum (nullptr: none). The
  // policy must outlive the auditor.
  void set_witness_policy(const domain::WitnessPolicy* policy) { policy_ = policy; }

 private:
  Connection& connection_;
  domain::NoteVerifier verifier_;
  const domain::WitnessPolicy* policy_ = nullptr;
};

}  // namespace sello::client

#endif  // SELLO_CLIENT_AUDITOR_H_
