// Runs a service's transaction body (daemon/service/*_tx.h) in one ledger transaction
// and answers what it returns: the shape of every handler that changes one record.
#ifndef SELLO_DAEMON_SERVICE_APPLY_TX_H_
#define SELLO_DAEMON_SERVICE_APPLY_TX_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "daemon/domain/principal.h"
#include "storage/ledger.h"

namespace sello::service {

// Applies `body` (storage::Transaction& -> absl::StatusOr<Response>) as `actor` and, once
// it is durable, `*response` is what it returned. Returns the body's or the write's status.
template <typename Response, typename Body>
absl::Status ApplyTx(storage::Ledger& ledger, const domain::Principal& actor, Response* response,
                     Body&& body) {
  return ledger.Apply(actor, [&](storage::Transaction& tx) -> absl::Status {
    absl::StatusOr<Response> done = body(tx);
    if (!done.ok()) return done.status();
    *response = *std::move(done);
    return absl::OkStatus();
  });
}

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_APPLY_TX_H_
