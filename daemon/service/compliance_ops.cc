#include "daemon/service/compliance_ops.h"

#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {

absl::StatusOr<SiteRecords> LoadSiteRecords(const storage::Store& store,
                                            absl::string_view site_id) {
  SiteRecords records;
  absl::StatusOr<std::vector<v1::Inspection>> inspections =
      storage::InspectionsOfSite(store, site_id);
  if (!inspections.ok()) return inspections.status();
  records.inspections = *std::move(inspections);
  for (const v1::Inspection& inspection : records.inspections) {
    if (records.accreditations.count(inspection.certifier_id())) continue;
    absl::StatusOr<std::vector<v1::Accreditation>> held =
        storage::AccreditationsOfCertifier(store, inspection.certifier_id());
    if (!held.ok()) return held.status();
    records.accreditations[inspection.certifier_id()] = *std::move(held);
  }
  return records;
}

std::set<std::string> CertifiersOf(const SiteRecords& records) {
  std::set<std::string> certifiers;
  for (const v1::Inspection& inspection : records.inspections) {
    certifiers.insert(inspection.certifier_id());
  }
  return certifiers;
}

absl::Status ResolveRequiredStages(const storage::Store& store, v1::Norm& norm) {
  if (!norm.required_stages().empty()) return absl::OkStatus();
  absl::StatusOr<v1::StandardVersion> version =
      storage::RequireStandardVersion(store, norm.standard_id(), norm.standard_version());
  if (!version.ok()) return version.status();
  domain::ResolveRequiredStages(norm, *version);
  return absl::OkStatus();
}

}  // namespace sello::service
