// A site's current certification per standard, loaded from the store: the one place that
// computes it, for GetCertificationStatus and the public register of certified sites.
#ifndef SELLO_DAEMON_SERVICE_CERTIFICATION_OPS_H_
#define SELLO_DAEMON_SERVICE_CERTIFICATION_OPS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/site_certification.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "sello/v1/inspection.pb.h"
#include "storage/store.h"

namespace sello::service {

// The site's certification per standard, from every inspection of `site_id` (read
// through the by-site index) by the domain's rule (domain::NewestCurrentPerStandard).
// GetCertificationStatus and the register both call this and nothing else: a change of
// the rule here changes both. Adds the number of inspections read to
// `*inspections_read` when given: what the call cost, for callers that bound their work.
absl::StatusOr<std::vector<v1::SiteCertification>> SiteCertifications(
    const storage::Store& store, absl::string_view site_id, size_t* inspections_read = nullptr);

// How much one call of the register reads at most (then it ends its page early, with a
// token to go on): inspections read to certify sites, and sites looked at. A page costs
// about 1 ms per 250 inspections (tests/bench/README.md, "The register"); the register is
// public, so no anonymous call may cost more than a few tens of milliseconds.
inline constexpr size_t kRegisterReadBudget = 5'000;

// One page of the register of certified sites: from the site after `page_token` on, in
// site id order, each site of the filter's region and type whose SiteCertifications have
// RegisterEntries, appended to `sites`, at most `page_size` of them. Stops early once
// `budget` inspections or sites have been read. Returns the next page's token ("" at the
// end of the register); INVALID_ARGUMENT for a token not of this listing.
absl::StatusOr<std::string> ReadRegister(
    const storage::Store& store, const domain::RegisterFilter& filter, absl::string_view page_token,
    int page_size, size_t budget, google::protobuf::RepeatedPtrField<v1::CertifiedSite>& sites);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_CERTIFICATION_OPS_H_
