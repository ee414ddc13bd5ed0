// Who is calling: the principal a bearer token stands for.
#ifndef SELLO_DAEMON_DOMAIN_PRINCIPAL_H_
#define SELLO_DAEMON_DOMAIN_PRINCIPAL_H_

#include <string>

#include "sello/v1/common.pb.h"

namespace sello::domain {

// One organisation, one role. The daemon itself (bootstrap) acts with an empty token
// id and ROLE_UNSPECIFIED.
struct Principal {
  std::string token_id;
  std::string organisation_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
};

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_PRINCIPAL_H_
