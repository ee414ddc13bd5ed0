#include "daemon/domain/event_rules.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sello::domain {

std::string Subject(absl::string_view record_kind, absl::string_view id) {
  return absl::StrCat(record_kind, "/", id);
}

bool SplitSubject(absl::string_view subject, absl::string_view* record_kind,
                  absl::string_view* id) {
  const size_t slash = subject.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == subject.size()) {
    return false;
  }
  *record_kind = subject.substr(0, slash);
  *id = subject.substr(slash + 1);
  return true;
}

bool IsPublicEvent(const v1::Event& event) {
  // The register of accredited certifiers is public (SPEC "Who uses it"), and so is
  // what the log says about itself (key rotations, accepted rollbacks): every auditor
  // must be able to follow it.
  return absl::StartsWith(event.kind(), "log.") ||
         absl::StartsWith(event.kind(), "organisation.") ||
         absl::StartsWith(event.kind(), "accreditation.") ||
         absl::StartsWith(event.kind(), "norm.") ||
         absl::StartsWith(event.kind(), "standard_version.published") ||
         absl::StartsWith(event.kind(), "standard_version.superseded") ||
         absl::StartsWith(event.kind(), "standard_version.withdrawn");
}

bool MatchesWatch(const v1::Event& event, const WatchFilter& filter) {
  if (!filter.organisation_id.empty() && event.organisation_id() != filter.organisation_id) {
    return false;
  }
  if (!filter.site_id.empty() && event.site_id() != filter.site_id) return false;
  if (filter.kinds.empty()) return true;
  for (const std::string& kind : filter.kinds) {
    if (absl::EndsWith(kind, ".") ? absl::StartsWith(event.kind(), kind) : event.kind() == kind) {
      return true;
    }
  }
  return false;
}

}  // namespace sello::domain
