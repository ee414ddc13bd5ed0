// First start: the association's organisation and its bootstrap ADMIN token.
#ifndef SELLO_DAEMON_SERVER_BOOTSTRAP_H_
#define SELLO_DAEMON_SERVER_BOOTSTRAP_H_

#include <string>

#include "absl/status/statusor.h"
#include "storage/ledger.h"
#include "storage/store.h"

namespace sello::service {

struct BootstrapOptions {
  std::string data_dir;  // admin.token is written here
  std::string organisation_id = "association";
  std::string organisation_name = "Association";
  std::string country = "CL";
};

// When the store has never been bootstrapped: creates the ASSOCIATION organisation and
// an ADMIN token, writes the secret to DATA_DIR/admin.token (mode 0600, synced) and
// records both in the ledger; only the secret's hash is stored. Returns whether it did
// (false: the store was bootstrapped before and nothing changed).
absl::StatusOr<bool> BootstrapIfNeeded(storage::Store& store, storage::Ledger& ledger,
                                       const BootstrapOptions& options);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_BOOTSTRAP_H_
