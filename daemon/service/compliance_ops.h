// What judging a site's compliance needs, loaded from the store: shared by the norm
// service (a site, a norm's report) and the statistics service (compliance overview).
#ifndef SELLO_DAEMON_SERVICE_COMPLIANCE_OPS_H_
#define SELLO_DAEMON_SERVICE_COMPLIANCE_OPS_H_

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

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_COMPLIANCE_OPS_H_
