// daemon/tlog/: the transparency log, in one place.
//   Pure (no I/O, built into sello_domain, as Go's sumdb/tlog and sumdb/note):
//   merkle.h          the RFC 6962 tree: hashes, roots, inclusion and consistency proofs
//   signed_note.h     C2SP signed-note: the note format, its Ed25519 keys and signatures
//   checkpoint.h      C2SP tlog-checkpoint bodies, signed as notes and opened again
//   cosignature.h     witnesses' cosignatures (C2SP tlog-cosignature)
//   tlog_proof.h      offline proofs of inclusion (C2SP tlog-proof)
//   tile_path.h       C2SP tlog-tiles paths
//   The log itself (sello_tlog; its tree's nodes are storage/tree_store.h's):
//   transparency_log.h  this file: the signer over the ledger's tree
//   log_key.h         the signing key in the data dir, and its rotation
//   cosignature_collector.h  witnesses' cosignatures on each checkpoint (sello_cosigning)
//
// The transparency log: the Merkle tree the ledger appends every event to, its signed
// checkpoints, and the proofs served from it.
//
// Promises (SPEC "Transparency log"): every committed event is covered by a signed
// checkpoint within one second (a background signer wakes on each commit), checkpoint
// times never go backwards, and the log never signs two histories: before signing, the
// new tree must be consistent with the last checkpoint it signed. That checkpoint is
// kept both in the store and in a file beside it, so a store restored from a stale
// backup (or edited) is caught instead of quietly forked.
#ifndef SELLO_DAEMON_TLOG_TRANSPARENCY_LOG_H_
#define SELLO_DAEMON_TLOG_TRANSPARENCY_LOG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/tlog/checkpoint.h"
#include "sello/v1/log.pb.h"
#include "storage/ledger.h"
#include "storage/store.h"
#include "storage/tree_store.h"

namespace sello::storage {

// `checkpoint` as the API's message, with its signed `note`.
v1::Checkpoint CheckpointToProto(const domain::Checkpoint& checkpoint, std::string note);

struct TransparencyLogOptions {
  // The file beside the store that keeps the last signed checkpoint note.
  std::string checkpoint_file;
  // Optional: a second copy kept outside the data dir (another disk, a mounted
  // volume), so that restoring the data dir from a stale backup cannot also roll it
  // back. Written (mode 0600) before the others on every signature. When set, the store
  // remembers where it is, and Open refuses a log that holds history but whose state
  // file is missing (deleted, or a data dir copied or moved without it) or that is not
  // the one it last signed to, unless `restoring` or `accept_rollback` (see Open).
  std::string checkpoint_state_file;
  // This start restores a backup into a new data dir: the state file the backup's
  // registry last signed to (remembered in the store) is checked, and then this one
  // takes over.
  bool restoring = false;
  // The operator knowingly continues from a tree that does not extend the last signed
  // checkpoint (e.g. after restoring a backup): recorded as an event
  // ("log.history_rollback_accepted", its record the abandoned checkpoint) before the
  // log signs again. Without it such a tree refuses Open.
  bool accept_rollback = false;
  // Called (from the signer thread) when a checkpoint cannot be signed.
  std::function<void(const absl::Status&)> on_signing_error;
};

class TransparencyLog {
 public:
  // Loads the last signed checkpoints (the store's copy, the file beside it, the state
  // file and the state file the store last signed to, when that is another one that
  // exists), checks that the stored tree is consistent with each and signs a first one
  // when there is none. A tree smaller than one or inconsistent with it is
  // FAILED_PRECONDITION saying so (the daemon does not start) unless accept_rollback.
  // With a state file, a log that holds history is also refused (FAILED_PRECONDITION
  // saying what happened and what the operator may do) when:
  //  - the state file is missing but the store last signed to it (deleted or lost):
  //    unless accept_rollback, which records "log.checkpoint_state_recreated";
  //  - the store last signed to another state file (the data dir was moved or copied):
  //    unless `restoring`, when the other file, if it exists, is checked like the rest
  //    (and, if it does not, only with accept_rollback).
  // A store that never knew a state file (a registry from before) just starts one.
  // Signing later re-hashes each new leaf from the stored event and refuses (see
  // signing_status()) when the tree's leaf differs: a corrupted leaf is never signed.
  static absl::StatusOr<std::unique_ptr<TransparencyLog>> Open(Store* store, Ledger* ledger,
                                                               domain::NoteSigner signer,
                                                               Clock* clock,
                                                               TransparencyLogOptions options);
  ~TransparencyLog();

  // Starts the background signer; Stop() ends it after a last signature.
  void Start();
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Signs a checkpoint of the tree as committed now, if it grew since the last one.
  absl::Status SignNow() ABSL_LOCKS_EXCLUDED(mu_);

  // Key rotation (deploy/README.md, "The signing key"). BeginKeyRotation records a
  // "log.key_rotation_begun" event naming `next`, then signs a checkpoint covering it
  // with both keys; every checkpoint after is co-signed by `next` too, so auditors
  // pinning either key accept it and can move their pin at leisure. FinishKeyRotation
  // records "log.key_rotation_finished", signs that with both keys, and from then on
  // `next` signs alone — once `persist` (which makes `next` the stored key) succeeded,
  // so that a crash never leaves a checkpoint the stored key cannot verify. Checkpoints
  // signed before stay checkable with the old key.
  absl::Status BeginKeyRotation(domain::NoteSigner next) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status FinishKeyRotation(const std::function<absl::Status()>& persist)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Resumes a rotation begun before a restart: `next` co-signs from now on.
  void CoSignWith(domain::NoteSigner next) ABSL_LOCKS_EXCLUDED(mu_);
  // When the rotation under way was begun (its log.key_rotation_begun event's time).
  // FAILED_PRECONDITION when none is under way.
  absl::StatusOr<absl::Time> KeyRotationBeganAt() const ABSL_LOCKS_EXCLUDED(mu_);

  // The last signed checkpoint.
  v1::Checkpoint Latest() const ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until a checkpoint larger than `size` is signed, Stop() is called or `timeout`
  // passes; returns the last signed checkpoint.
  v1::Checkpoint AwaitSignedAfter(uint64_t size, absl::Duration timeout) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Witnesses (sellod --witness-policy, daemon/tlog/cosignature_collector.h). Once
  // RequireCosignatures() is called, the checkpoint served to clients as the latest
  // (Served()) is only ever one given to Publish(): a checkpoint this log signed, with
  // the quorum's cosignatures merged into its note. One that has not reached the quorum
  // is never served (fail closed): the newest one that did is served instead.
  void RequireCosignatures() ABSL_LOCKS_EXCLUDED(mu_);
  bool requires_cosignatures() const ABSL_LOCKS_EXCLUDED(mu_);
  // Serves `cosigned` from now on if it is at least as large as the one served (the
  // same size: a note with more cosignatures).
  void Publish(v1::Checkpoint cosigned) ABSL_LOCKS_EXCLUDED(mu_);
  // What clients are shown as the latest checkpoint: Latest(), or with
  // RequireCosignatures() the newest cosigned one (UNAVAILABLE, saying so, before any
  // checkpoint reached the quorum).
  absl::StatusOr<v1::Checkpoint> Served() const ABSL_LOCKS_EXCLUDED(mu_);
  // How long the oldest committed event that no signed checkpoint covers yet has waited
  // (zero when every event is signed): what the promise of a signature within a second is
  // measured by. Unlike the last checkpoint's age, it stays zero on an idle registry.
  absl::StatusOr<absl::Duration> UnsignedEventAge() const ABSL_LOCKS_EXCLUDED(mu_);
  // What verifiers pin: "<origin>+<key id>+<key>".
  std::string VerifierKey() const ABSL_LOCKS_EXCLUDED(mu_);
  // The co-signing key during a rotation, or "".
  std::string NextVerifierKey() const ABSL_LOCKS_EXCLUDED(mu_);
  const std::string& origin() const { return origin_; }
  // OK, or why the log refuses to sign.
  absl::Status signing_status() const ABSL_LOCKS_EXCLUDED(mu_);
  // What Open did with the state file, for the daemon's log: "found", "created", or how
  // it came to be created (first start that keeps one, taken over after a restore...).
  const std::string& state_file_report() const { return state_file_report_; }
  // The size of the checkpoint abandoned by an accepted rollback at Open (0: none).
  uint64_t rollback_accepted_from() const { return rollback_accepted_from_; }
  // Whether a store (with `checkpoint_file` beside it) holds a log that has signed a
  // checkpoint: such a log must never get a new key by accident.
  static absl::StatusOr<bool> HasSignedCheckpoint(const Store& store,
                                                  const std::string& checkpoint_file);

  // RFC 9162 proofs from the stored tree (O(log n) reads each). Sizes must not exceed
  // the committed tree (INVALID_ARGUMENT naming the argument otherwise).
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size) const;
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size,
                                                            uint64_t new_size) const;
  absl::StatusOr<std::string> RootHash(uint64_t size) const;
  // The stored hashes of the complete subtrees of height `level` with indices `first` ..
  // `first + count - 1`, concatenated (a tlog-tiles hash tile). Each must be complete in
  // the committed tree (INVALID_ARGUMENT otherwise). Read past the proofs' cache, so that a
  // mirror reading every tile does not crowd out the upper nodes every proof needs.
  absl::StatusOr<std::string> SubtreeHashes(int level, uint64_t first, int count) const;

 private:
  TransparencyLog(Store* store, Ledger* ledger, domain::NoteSigner signer, Clock* clock,
                  TransparencyLogOptions options);

  // Checks that the committed tree extends `last` (same root at its size).
  absl::Status CheckExtends(const v1::Checkpoint& last, uint64_t size) const;
  // Checks that the tree's leaves [from, to) are the hashes of the stored events, and
  // that each event's record, where it is still the current version, hashes to the
  // event's record_sha256 (CheckRecord).
  absl::Status CheckLeaves(uint64_t from, uint64_t to) const;
  absl::Status CheckRecord(uint64_t seq, const std::string& leaf) const;
  // Records a rotation event (current key -> next) and signs a checkpoint covering it.
  absl::Status RecordRotation(bool finished) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status SignLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Every signed checkpoint kept: the store's and those of the files (and `extra`),
  // each with where it came from.
  struct Kept {
    std::string source;
    v1::Checkpoint checkpoint;
  };
  absl::StatusOr<std::vector<Kept>> LoadKept(const domain::NoteVerifier& verifier,
                                             const std::string& extra) const;
  // The state file rules of Open; may add files to check (`*extra`) or record an event.
  absl::Status CheckStateFile(bool holds_history, std::string* extra);
  // CheckStateFile when the state file is missing from a log that has signed to
  // `recorded` (the store's record; `elsewhere` when it is another path than the state
  // file's): in a restore, and otherwise.
  absl::Status CheckRestoredStateFile(const std::string& recorded, bool recorded_exists);
  absl::Status CheckMissingStateFile(const std::string& recorded, bool elsewhere,
                                     bool elsewhere_exists);
  // The newest kept checkpoint the tree extends (in `*last`; none for a new log). One it
  // does not extend is refused, unless --accept-history-rollback, which records it.
  absl::Status ChooseLastCheckpoint(const std::vector<Kept>& kept,
                                    std::optional<v1::Checkpoint>* last);
  // Open's last steps: allows signing from `last` on, signs what it does not cover, and
  // keeps the newest checkpoint in the state file, whose path the store remembers.
  absl::Status SignFrom(const std::optional<v1::Checkpoint>& last);
  absl::Status RememberStateFile();
  // Records "log.checkpoint_state_recreated" (the store's checkpoint as its record).
  absl::Status RecordStateRecreated(const std::string& missing);
  // The background signer's loop (Start): signs after commits, at most every
  // kMinSignInterval, until Stop().
  void RunSigner() ABSL_LOCKS_EXCLUDED(mu_);

  Store* const store_;
  Ledger* const ledger_;
  Clock* const clock_;
  const TransparencyLogOptions options_;
  const std::string origin_;
  // Tree nodes for the proofs served (never for the signer's own checks, which read the
  // store). 131,072 nodes: about 8 MiB; a tree of 65,536 events fits whole.
  mutable TreeNodeCache proof_nodes_{131072};
  std::string state_file_report_;
  uint64_t rollback_accepted_from_ = 0;
  // The state file as an absolute path ("" when none).
  std::string state_file_;

  // Serialises signing; guards the state below.
  mutable absl::Mutex mu_;
  domain::NoteSigner signer_ ABSL_GUARDED_BY(mu_);
  std::optional<domain::NoteSigner> next_signer_ ABSL_GUARDED_BY(mu_);
  v1::Checkpoint latest_ ABSL_GUARDED_BY(mu_);
  bool require_cosignatures_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<v1::Checkpoint> published_ ABSL_GUARDED_BY(mu_);
  absl::Status signing_status_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set once Open has loaded the last signed checkpoint; nothing is signed before.
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  std::thread signer_thread_;
};

// The verifier of `signer` (for checking our own notes).
absl::StatusOr<domain::NoteVerifier> VerifierOf(const domain::NoteSigner& signer);

}  // namespace sello::storage

#endif  // SELLO_DAEMON_TLOG_TRANSPARENCY_LOG_H_
