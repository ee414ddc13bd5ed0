// Rules for organisations, sites and their identifiers, and how roles match kinds.
#ifndef SELLO_DAEMON_DOMAIN_ORGANISATION_RULES_H_
#define SELLO_DAEMON_DOMAIN_ORGANISATION_RULES_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sello/v1/common.pb.h"
#include "sello/v1/organisation.pb.h"

namespace sello::domain {

// Caller-chosen ids: [a-z0-9][a-z0-9-]{1,39}. INVALID_ARGUMENT naming `field`.
absl::Status ValidateId(absl::string_view field, absl::string_view id);

// A new organisation's fields (kind set, name 1..200 chars, country two upper-case
// letters; membership only for firms). INVALID_ARGUMENT naming each bad field
// ("organisation.name: required").
absl::Status ValidateNewOrganisation(const v1::Organisation& organisation);

// A new site's fields (firm_id, type [a-z][a-z_]{0,31}, name, region, registration
// code 1..64 chars). The firm's existence is checked by the caller.
absl::Status ValidateNewSite(const v1::Site& site);

// The only role a principal of an organisation of `kind` may hold.
v1::Role RoleForKind(v1::Organisation::Kind kind);

// Starts (member) or ends (!member) a firm's membership at `effective`. Refused when
// the organisation is not a FIRM (FAILED_PRECONDITION), when it already is / is not a
// member (FAILED_PRECONDITION naming the state), or when `effective` lies before the
// start of the current or last period (INVALID_ARGUMENT, effective_time).
absl::Status ApplyMembership(v1::Organisation& firm, bool member, absl::Time effective);

// Whether the firm was a member at `at`.
bool IsMemberAt(const v1::Organisation& firm, absl::Time at);

// List calls' default bound on a page (RequestLimits::max_page_size).
inline constexpr int kMaxPageSize = 1000;

// The page size to use: 50 when 0, at most `max_page_size`; INVALID_ARGUMENT when
// negative.
absl::StatusOr<int> NormalisePageSize(int requested, int max_page_size = kMaxPageSize);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_ORGANISATION_RULES_H_
