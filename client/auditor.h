// The auditor's checks, with nothing but the registry's API and the log's pinned public
// key: signed checkpoints, consistency between them, inclusion of events, and records
// re-hashed against their logged digests. Evidence of misbehaviour (a bad signature, two
// inconsistent checkpoints, a proof that does not hold, a record that does not match
// its event) is DATA_LOSS; ordinary failures keep their own codes.
#ifndef SELLO_CLIENT_AUDITOR_H_
#define SELLO_CLIENT_AUDITOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "daemon/domain/witness_policy.h"
#include "daemon/tlog/checkpoint.h"
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
// `policy`, when given, must be met by the proof's checkpoint's cosignatures;
// `checkpoint`, when given, receives the proof's signed checkpoint (for TrustedState).
absl::Status VerifySealProof(const v1::SealVerdict& verdict, const domain::NoteVerifier& verifier,
                             const domain::WitnessPolicy* policy = nullptr,
                             SignedCheckpoint* checkpoint = nullptr);

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

  // The newest checkpoint, its signature checked against the pinned key. When it does
  // not verify but the log, signed by the key the server now names, proves it rotated
  // away from the pinned key, that is a rotation the auditor missed, not evidence:
  // FAILED_PRECONDITION saying which key to check and pin next.
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

  // Proves that the log announced the move of its signing key from `from_key` to
  // `to_key` (a log.key_rotation_begun or _finished event whose record names both) in
  // `at`. Returns the event's seq; NOT_FOUND when the log holds no such announcement.
  absl::StatusOr<uint64_t> ProveKeyRotation(const std::string& from_key, const std::string& to_key,
                                            const SignedCheckpoint& at);

  const domain::NoteVerifier& verifier() const { return verifier_; }
  // From now on FetchCheckpoint also requires `policy`'s quorum (nullptr: none). The
  // policy must outlive the auditor.
  void set_witness_policy(const domain::WitnessPolicy* policy) { policy_ = policy; }

 private:
  Connection& connection_;
  domain::NoteVerifier verifier_;
  const domain::WitnessPolicy* policy_ = nullptr;
};

// Where the checkpoint an auditor trusts is kept between runs: $SELLO_AUDIT_STATE, else
// $XDG_STATE_HOME/sello/audit-state.json, else ~/.local/state/sello/audit-state.json.
std::string DefaultAuditStatePath();

// The checkpoint the client trusts (a tools::AuditState file), shared by every command
// that checks a proof, as Go's checksum-database client keeps its latest tree: each
// signed checkpoint the client is shown is checked to be consistent with it (a
// consistency proof from the log, whichever of the two is older), and the state moves
// forward only after every check of the command passed. The file is locked for the
// life of the object, so that two commands never move it backwards.
class TrustedState {
 public:
  // Loads (and locks) the state at `path`; none there yet is trust on first use.
  static absl::StatusOr<std::unique_ptr<TrustedState>> Open(const std::string& path);
  ~TrustedState();
  TrustedState(const TrustedState&) = delete;
  TrustedState& operator=(const TrustedState&) = delete;

  // Checks `seen` (already verified with the auditor's pinned key) against the trusted
  // checkpoint. DATA_LOSS, with both signed notes, when the log cannot prove they are
  // one history. The first call also opens the trusted checkpoint with the pinned key;
  // a state saved under another key is carried over only when `seen`'s log proves it
  // rotated from that key to the pinned one (FAILED_PRECONDITION otherwise, saying what
  // to do).
  absl::Status Check(Auditor& auditor, const SignedCheckpoint& seen);

  // Saves the newest checkpoint checked, when it is newer than the trusted one (never
  // moves back). Call only once the whole command succeeded.
  absl::Status Save(const domain::NoteVerifier& verifier);

  const std::string& path() const { return path_; }
  // The checkpoint trusted before this command (none on first use).
  const std::optional<SignedCheckpoint>& trusted() const { return trusted_; }
  // Set when the trust was carried across a key rotation: says how.
  const std::string& carried() const { return carried_; }

 private:
  TrustedState(std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}

  std::string path_;
  int lock_fd_ = -1;
  std::optional<tools::AuditState> saved_;
  bool opened_ = false;
  std::optional<SignedCheckpoint> trusted_;
  std::optional<SignedCheckpoint> newest_;
  std::string carried_;
};

}  // namespace sello::client

#endif  // SELLO_CLIENT_AUDITOR_H_
