// Rules about events: how records are named in them, who may read which, and which
// events a watch selects.
#ifndef SELLO_DAEMON_DOMAIN_EVENT_RULES_H_
#define SELLO_DAEMON_DOMAIN_EVENT_RULES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "daemon/domain/principal.h"
#include "daemon/domain/visibility.h"  // who reads these records
#include "sello/v1/event.pb.h"

namespace sello::domain {

// The kinds of records events name, as the first part of a subject.
inline constexpr absl::string_view kOrganisationRecord = "organisation";
inline constexpr absl::string_view kSiteRecord = "site";
inline constexpr absl::string_view kTokenRecord = "token";
inline constexpr absl::string_view kStandardVersionRecord = "standard_version";
inline constexpr absl::string_view kAccreditationRecord = "accreditation";
inline constexpr absl::string_view kLotRecord = "lot";
inline constexpr absl::string_view kInspectionRecord = "inspection";
inline constexpr absl::string_view kSealIssuanceRecord = "seal_issuance";
inline constexpr absl::string_view kSealChangeRecord = "seal_change";
inline constexpr absl::string_view kNormRecord = "norm";
inline constexpr absl::string_view kAppealRecord = "appeal";

// "organisation/salmones-calbuco": the record kind and its id, unambiguous across kinds.
std::string Subject(absl::string_view record_kind, absl::string_view id);

// Splits a subject into kind and id; false when it is not of that form.
bool SplitSubject(absl::string_view subject, absl::string_view* record_kind, absl::string_view* id);

// Events about organisations and standards are public (the register of organisations
// and published standards is public); the rest are read by ADMIN and REGULATOR, and by
// the organisation the event concerns or whose principal made the change.
bool IsPublicEvent(const v1::Event& event);
struct WatchFilter {
  std::vector<std::string> kinds;  // empty: all; "x." matches every kind starting "x."
  std::string organisation_id;     // empty: all
  std::string site_id;             // empty: all
};

bool MatchesWatch(const v1::Event& event, const WatchFilter& filter);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_EVENT_RULES_H_
