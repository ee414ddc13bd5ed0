// The daemon's Ed25519 key for signing checkpoints, kept in the data dir (mode 0600).
#ifndef SELLO_DAEMON_TLOG_LOG_KEY_H_
#define SELLO_DAEMON_TLOG_LOG_KEY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/transparency_log.h"

namespace sello::service {

// Loads the key at `path` (base64 of the 32-byte Ed25519 seed), or, when `may_create`,
// creates one there (`*created` says which). `origin` names the log and the key. A
// missing key that may not be created (the log has signed checkpoints: a new key would
// strand every auditor pinning the old one) is FAILED_PRECONDITION.
absl::StatusOr<domain::NoteSigner> LoadOrCreateLogKey(const std::string& path,
                                                      const std::string& origin, bool* created,
                                                      bool may_create = true);

// What the operator asked of a key rotation at this start.
struct KeyRotationRequest {
  // --begin-key-rotation: the key to rotate away from, as its verifier key (log.pub) or
  // its 8-hex-digit key id; "" for none.
  std::string begin_from;
  // --finish-key-rotation.
  bool finish = false;
  // A finish sooner than this after the begin is refused unless `force`.
  absl::Duration window = absl::Hours(24);
  bool force = false;
};

// What a start did about rotation, for the daemon's log.
struct KeyRotationOutcome {
  // "", "resumed", "begun", "finished": the step taken.
  std::string step;
  // Why a flag did nothing (already begun, already finished, none under way).
  std::vector<std::string> no_ops;
  // Set when a finish was refused (too soon after the begin); the rotation stays
  // under way and the daemon serves on.
  std::string finish_refused;
  // Set when a finish went ahead sooner than the window because of `force`.
  std::string forced;
};

// Key rotation at start (deploy/README.md, "The signing key"), with the files in
// `data_dir`: log.key signs, log.pub is its verifier key, and log.next.key (with
// log.next.pub), while it exists, co-signs every checkpoint.
//  - A rotation under way (log.next.key present) resumes co-signing.
//  - A begin from the current key (when none is under way) makes a new key, records
//    "log.key_rotation_begun" naming it, signs that with both keys, and only then writes
//    log.next.key: a crash in between leaves no key that was never announced. A begin
//    from a key whose rotation is under way, or that was retired
//    (log.retired-<id>.pub), is a no-op that says so; from any other key,
//    INVALID_ARGUMENT.
//  - `finish` (when one is under way, begun at least `window` ago or `force`) records
//    "log.key_rotation_finished", signs it with both keys, keeps the old verifier key as
//    log.retired-<key id>.pub, and replaces log.key and log.pub with the next key's.
// Both flags are idempotent: left in the configuration they change nothing once done.
absl::StatusOr<KeyRotationOutcome> ApplyKeyRotation(const std::string& data_dir,
                                                    const std::string& origin,
                                                    storage::TransparencyLog& log,
                                                    const KeyRotationRequest& request);

// Copies the log's key files from directory `from` to directory `to` (backups and
// restores): log.key and log.pub, a rotation's log.next.key and log.next.pub (removed
// from `to` when `from` has none, so that a stale one from an earlier copy never comes
// back), and every retired verifier key log.retired-<key id>.pub (old checkpoints stay
// checkable after a rotation). Returns whether log.key and log.pub were both there.
absl::StatusOr<bool> CopyLogKeyFiles(const std::string& from, const std::string& to);

// Where sellod --witness-policy keeps the newest cosigned checkpoint in its data dir
// (service/cosignature_collector.h). Backups and restores carry it, so that a restored
// registry serves it at once (it is checked again then), before any witness answers.
inline constexpr char kCosignedCheckpointFile[] = "checkpoint.cosigned.note";

// Puts `note` in directory `dir` as kCosignedCheckpointFile, atomically; nullopt removes
// the one there (a stale note from an earlier copy never comes back).
absl::Status PutCosignedCheckpoint(const std::string& dir, const std::optional<std::string>& note);

// A backup folder belongs to one log: the first backup writes DIR/registry.id (the
// log's origin and verifier key); a later one is refused (FAILED_PRECONDITION naming
// both logs) unless the folder's key is this log's (DATA_DIR/log.pub), its key being
// rotated in (log.next.pub) or one it retired (log.retired-<id>.pub): a registry never
// overwrites another's backups or key. A folder from before (no registry.id) is claimed
// when its log.pub is this log's, or when it holds no backup at all.
absl::Status ClaimBackupDir(const std::string& dir, const std::string& data_dir);

}  // namespace sello::service

#endif  // SELLO_DAEMON_TLOG_LOG_KEY_H_
