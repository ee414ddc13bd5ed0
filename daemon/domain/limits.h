// Bounds on what one request may ask for. sellod's flags set them (--max-page-size,
// --max-codes-per-verification, --max-seals-per-issuance); the defaults are safe.
#ifndef SELLO_DAEMON_DOMAIN_LIMITS_H_
#define SELLO_DAEMON_DOMAIN_LIMITS_H_

#include <cstdint>

#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/seal_rules.h"

namespace sello::domain {

struct RequestLimits {
  // List calls return at most this many items per page (a larger page_size is cut).
  int max_page_size = kMaxPageSize;
  // Codes per VerifySeal / seal-status call.
  int max_codes_per_verification = kMaxCodesPerVerification;
  // Seals per IssueSeals call (one atomic write).
  uint32_t max_seals_per_issuance = kMaxSealsPerIssuance;
};

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_LIMITS_H_
