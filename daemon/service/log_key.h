// The daemon's Ed25519 key for signing checkpoints, kept in the data dir (mode 0600).
#ifndef SELLO_DAEMON_SERVICE_LOG_KEY_H_
#define SELLO_DAEMON_SERVICE_LOG_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "daemon/domain/checkpoint.h"

namespace sello::service {

// Loads the key at `path` (base64 of the 32-byte Ed25519 seed), or creates one there on
// first start (`*created` says which). `origin` names the log and the key.
absl::StatusOr<domain::NoteSigner> LoadOrCreateLogKey(const std::string& path,
                                                      const std::string& origin, bool* created);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_LOG_KEY_H_
