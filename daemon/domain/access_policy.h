// Which role may call which RPC: one table for the whole API (access_policy.cc).
// Handlers never check roles themselves; they only narrow what a permitted caller sees
// (e.g. a FIRM reads only its own sites).
#ifndef SELLO_DAEMON_DOMAIN_ACCESS_POLICY_H_
#define SELLO_DAEMON_DOMAIN_ACCESS_POLICY_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/principal.h"

namespace sello::domain {

struct MethodAccess {
  absl::string_view method;     // full gRPC name: "/sello.v1.TokenService/CreateToken"
  bool is_public;               // callable without a token
  std::vector<v1::Role> roles;  // roles allowed when a token is presented
};

// The table itself, for tests and documentation.
const std::vector<MethodAccess>& AccessTable();

// OK when `principal` (nullptr: no token) may call `method`. Otherwise
// UNAUTHENTICATED (a non-public method without a token) or PERMISSION_DENIED (the
// role is not allowed, or the method has no rule: deny by default), naming the role
// and the method.
absl::Status Authorize(absl::string_view method, const Principal* principal);

// The log's entry bundles (tlog-tiles /tile/entries/..., served on the HTTP listener, not
// an RPC) hold every event's leaf data, including events only some roles may read: only
// ADMIN and REGULATOR, who read every event, may fetch them (a regulator's full mirror).
// UNAUTHENTICATED without a token, PERMISSION_DENIED naming the role otherwise.
absl::Status AuthorizeLogMirror(const Principal* principal);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_ACCESS_POLICY_H_
