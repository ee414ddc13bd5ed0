// Authentication (who is calling, from the bearer token) and admission (may they call
// this method, from the domain's access table) for every RPC.
#ifndef SELLO_DAEMON_SERVER_AUTH_H_
#define SELLO_DAEMON_SERVER_AUTH_H_

#include <grpcpp/server_context.h>

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/principal.h"
#include "storage/store.h"

namespace sello::service {

class Authenticator {
 public:
  explicit Authenticator(const storage::Store& store) : store_(store) {}

  // The principal of the bearer token in `authorization` metadata; nullopt when the
  // call carries none. UNAUTHENTICATED when the header is malformed or the token is
  // unknown or revoked.
  absl::StatusOr<std::optional<domain::Principal>> Identify(
      const grpc::ServerContextBase& context) const;

  // The principal (nullopt for a public call without a token) once `method` is allowed
  // for it by the access table.
  absl::StatusOr<std::optional<domain::Principal>> Admit(const grpc::ServerContextBase& context,
                                                         absl::string_view method) const;

  // The principal a bearer secret stands for (UNAUTHENTICATED when none).
  absl::StatusOr<domain::Principal> Resolve(absl::string_view secret) const;

  // For a call that lasts (a watch): UNAUTHENTICATED once `principal`'s token has been
  // revoked (or is gone) since the call was admitted.
  absl::Status CheckStillValid(const domain::Principal& principal) const;

 private:
  const storage::Store& store_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_AUTH_H_
