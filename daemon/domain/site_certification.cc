#include "daemon/domain/site_certification.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {

std::vector<v1::SiteCertification> NewestCurrentPerStandard(
    const std::vector<v1::Inspection>& inspections) {
  // Newest first: by inspection date to the microsecond, then by id, both descending (the
  // by-site index's order, read backwards).
  std::vector<const v1::Inspection*> newest_first;
  newest_first.reserve(inspections.size());
  for (const v1::Inspection& inspection : inspections) newest_first.push_back(&inspection);
  const auto key = [](const v1::Inspection* inspection) {
    return std::make_tuple(absl::ToUnixMicros(FromProto(inspection->inspection_date())),
                           absl::string_view(inspection->id()));
  };
  std::sort(newest_first.begin(), newest_first.end(),
            [&](const v1::Inspection* a, const v1::Inspection* b) { return key(a) > key(b); });
  std::map<std::string, v1::SiteCertification> latest;
  for (const v1::Inspection* inspection : newest_first) {
    if (inspection->status() != v1::Inspection::CURRENT ||
        latest.count(inspection->standard_id())) {
      continue;
    }
    v1::SiteCertification& entry = latest[inspection->standard_id()];
    entry.set_standard_id(inspection->standard_id());
    entry.set_standard_version(inspection->standard_version());
    entry.set_outcome(inspection->outcome());
    entry.set_grade(inspection->grade());
    *entry.mutable_inspection_date() = inspection->inspection_date();
    entry.set_certifier_id(inspection->certifier_id());
    entry.set_inspection_id(inspection->id());
  }
  std::vector<v1::SiteCertification> certifications;
  certifications.reserve(latest.size());
  for (auto& [standard, entry] : latest) certifications.push_back(std::move(entry));
  return certifications;
}

absl::Status ValidateRegisterFilter(const RegisterFilter& filter) {
  if (!v1::Grade_IsValid(filter.min_grade)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_grade: unknown grade ", static_cast<int>(filter.min_grade)));
  }
  const std::pair<const char*, const std::string*> fields[] = {
      {"standard_id", &filter.standard_id},
      {"region", &filter.region},
      {"site_type", &filter.site_type},
  };
  for (const auto& [name, value] : fields) {
    if (value->size() > 200) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": at most 200 characters"));
    }
  }
  return absl::OkStatus();
}

bool SiteMatches(const v1::Site& site, const RegisterFilter& filter) {
  return (filter.region.empty() || absl::EqualsIgnoreCase(site.region(), filter.region)) &&
         (filter.site_type.empty() || site.type() == filter.site_type);
}

std::vector<v1::SiteCertification> RegisterEntries(
    const std::vector<v1::SiteCertification>& certifications, const RegisterFilter& filter) {
  std::vector<v1::SiteCertification> shown;
  for (const v1::SiteCertification& certification : certifications) {
    if (certification.outcome() != v1::Inspection::PASS) continue;
    if (!filter.standard_id.empty() && certification.standard_id() != filter.standard_id) continue;
    if (filter.min_grade != v1::GRADE_UNSPECIFIED &&
        BetterGrade(filter.min_grade, certification.grade())) {
      continue;
    }
    // Field by field: whatever else a certification carries (its deciding inspection, its
    // detail) stays out.
    v1::SiteCertification& entry = shown.emplace_back();
    entry.set_standard_id(certification.standard_id());
    entry.set_standard_version(certification.standard_version());
    entry.set_outcome(certification.outcome());
    entry.set_grade(certification.grade());
    *entry.mutable_inspection_date() = certification.inspection_date();
    entry.set_certifier_id(certification.certifier_id());
  }
  return shown;
}

}  // namespace sello::domain
