// What judging a site's compliance needs, loaded from the store: shared by the norm
// service (a site, a norm's report) and the statistics service (compliance overview).
#ifndef SELLO_DAEMON_SERVICE_COMPLIANCE_OPS_H_
#define SELLO_DAEMON_SERVICE_COMPLIANCE_OPS_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/domain/compliance.h"
#include "sello/v1/inspection.pb.h"
#include "storage/store.h"

namespace sello::service {

// A site's inspections (any status, any standard) and their certifiers'
// accreditations.
struct SiteRecords {
  std::vector<v1::Inspection> inspections;
  domain::AccreditationsByCertifier accreditations;
};

absl::StatusOr<SiteRecords> LoadSiteRecords(const storage::Store& store, absl::string_view site_id);

// The certifiers that made any of `records`' inspections: "its certifiers", who see a
// site's compliance in full (domain::ViewOfCertification).
std::set<std::string> CertifiersOf(const SiteRecords& records);

// A norm adopted before norms named their stages requires every stage of its version:
// fills them in from the stored version (domain::ResolveRequiredStages).
absl::Status ResolveRequiredStages(const storage::Store& store, v1::Norm& norm);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_COMPLIANCE_OPS_H_
