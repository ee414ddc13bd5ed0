// The daemon's Ed25519 key for signing checkpoints, kept in the data dir (mode 0600).
#ifndef SELLO_DAEMON_SERVICE_LOG_KEY_H_
#define SELLO_DAEMON_SERVICE_LOG_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "daemon/domain/checkpoint.h"
#include "storage/transparency_log.h"

namespace sello::service {

// Loads the key at `path` (base64 of the 32-byte Ed25519 seed), or creates one there on
// first start (`*created` says which). `origin` names the log and the key.
absl::StatusOr<domain::NoteSigner> LoadOrCreateLogKey(const std::string& path,
                                                      const std::string& origin, bool* created);

// Key rotation at start (deploy/README.md, "The signing key"), with the files in
// `data_dir`: log.key signs, log.pub is its verifier key, and log.next.key (with
// log.next.pub), while it exists, co-signs every checkpoint.
//  - A rotation under way (log.next.key present) resumes co-signing.
//  - `begin` (when none is under way) makes a new key, records "log.key_rotation_begun"
//    naming it, signs that with both keys, and only then writes log.next.key: a crash
//    in between leaves no key that was never announced.
//  - `finish` (when one is under way) records "log.key_rotation_finished", signs it with
//    both keys, keeps the old verifier key as log.retired-<key id>.pub, and replaces
//    log.key and log.pub with the next key's.
// Both flags are idempotent: repeating one after its step is done changes nothing.
// Returns what was done, for the log ("", "resumed", "begun", "finished").
absl::StatusOr<std::string> ApplyKeyRotation(const std::string& data_dir, const std::string& origin,
                                             storage::TransparencyLog& log, bool begin,
                                             bool finish);

// Copies the log's key files from directory `from` to directory `to` (backups and
// restores): log.key and log.pub, a rotation's log.next.key and log.next.pub (removed
// from `to` when `from` has none, so that a stale one from an earlier copy never comes
// back), and every retired verifier key log.retired-<key id>.pub (old checkpoints stay
// checkable after a rotation). Returns whether log.key and log.pub were both there.
absl::StatusOr<bool> CopyLogKeyFiles(const std::string& from, const std::string& to);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_LOG_KEY_H_
