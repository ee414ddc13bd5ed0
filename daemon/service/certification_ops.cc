#include "daemon/service/certification_ops.h"

#include "absl/container/flat_hash_map.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/service/inspection_tx.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {

absl::StatusOr<std::vector<v1::SiteCertification>> SiteCertifications(
    const storage::Store& store, absl::string_view site_id, size_t* inspections_read,
    std::set<std::string>* certifiers) {
  absl::StatusOr<std::vector<v1::Inspection>> inspections =
      storage::InspectionsOfSite(store, site_id);
  if (!inspections.ok()) return inspections.status();
  if (inspections_read != nullptr) *inspections_read += inspections->size();
  if (certifiers != nullptr) {
    for (const v1::Inspection& inspection : *inspections) {
      certifiers->insert(inspection.certifier_id());
    }
  }
  absl::StatusOr<std::vector<v1::Certification>> certifications = CertifySite(store, *inspections);
  if (!certifications.ok()) return certifications.status();
  std::vector<v1::SiteCertification> entries;
  entries.reserve(certifications->size());
  for (const v1::Certification& certification : *certifications) {
    entries.push_back(domain::SiteCertificationOf(certification));
  }
  return entries;
}

absl::StatusOr<std::string> ReadRegister(
    const storage::Store& store, const domain::RegisterFilter& filter, absl::string_view page_token,
    int page_size, size_t budget, google::protobuf::RepeatedPtrField<v1::CertifiedSite>& sites) {
  static constexpr absl::string_view kListing = "certified_sites";
  absl::StatusOr<std::string> after = storage::DecodePageToken(kListing, page_token);
  if (!after.ok()) return after.status();
  int taken = 0;
  size_t spent = 0;  // inspections read and sites looked at
  bool more = false;
  std::string last_site;
  absl::flat_hash_map<std::string, std::string> firm_names;
  absl::Status inner;
  absl::Status scan =
      storage::VisitSites(store, *after, [&](absl::string_view key, v1::Site&& site) {
        if (taken == page_size || spent >= budget) {
          more = true;
          return false;
        }
        last_site = std::string(key);
        ++spent;
        if (!domain::SiteMatches(site, filter)) return true;
        absl::StatusOr<std::vector<v1::SiteCertification>> certifications =
            SiteCertifications(store, site.id(), &spent);
        if (!certifications.ok()) {
          inner = certifications.status();
          return false;
        }
        std::vector<v1::SiteCertification> shown = domain::RegisterEntries(*certifications, filter);
        if (shown.empty()) return true;
        auto firm = firm_names.find(site.firm_id());
        if (firm == firm_names.end()) {
          absl::StatusOr<v1::Organisation> organisation =
              storage::RequireOrganisation(store, site.firm_id());
          if (!organisation.ok()) {
            inner = organisation.status();
            return false;
          }
          firm = firm_names.emplace(site.firm_id(), organisation->name()).first;
        }
        v1::CertifiedSite* listed = sites.Add();
        listed->set_site_id(site.id());
        listed->set_site_name(site.name());
        listed->set_site_type(site.type());
        listed->set_region(site.region());
        listed->set_firm_id(site.firm_id());
        listed->set_firm_name(firm->second);
        for (v1::SiteCertification& entry : shown) {
          *listed->add_certifications() = std::move(entry);
        }
        ++taken;
        return true;
      });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  return more ? storage::EncodePageToken(kListing, last_site) : std::string();
}

}  // namespace sello::service
