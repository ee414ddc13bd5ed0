// A site's current certification per standard: the one rule behind both the status the
// public reads for one site (GetCertificationStatus) and the public register of certified
// sites (ListCertifiedSites), and what that register shows of it.
#ifndef SELLO_DAEMON_DOMAIN_SITE_CERTIFICATION_H_
#define SELLO_DAEMON_DOMAIN_SITE_CERTIFICATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/organisation.pb.h"

namespace sello::domain {

// The site's certification per standard, from `inspections`: every inspection of the site
// (plant audits and those of its lots, any status, any standard), in any order. For each
// standard, the newest CURRENT inspection (by inspection date, then id: the order of the
// by-site index) decides its outcome, grade, version, date and certifier. Sorted by
// standard id; a standard with no current inspection has no entry.
std::vector<v1::SiteCertification> NewestCurrentPerStandard(
    const std::vector<v1::Inspection>& inspections);

// What a caller of the register asks for; every field optional.
struct RegisterFilter {
  std::string standard_id;
  v1::Grade min_grade = v1::GRADE_UNSPECIFIED;  // at least this grade
  std::string region;                           // compared without regard to case
  std::string site_type;
};

// INVALID_ARGUMENT naming the field: an unknown grade, or a filter longer than 200
// characters.
absl::Status ValidateRegisterFilter(const RegisterFilter& filter);

// Whether `site` is of the region and type asked for.
bool SiteMatches(const v1::Site& site, const RegisterFilter& filter);

// What the public register shows of a site's `certifications` (SiteCertifications'):
// those that PASS with a grade at least `min_grade`, of the standard asked for, and of
// each only its standard, version, outcome, grade, date and certifier (never the deciding
// inspection nor any other detail). A failure is never shown: a site whose newest current
// inspection of a standard fails is simply not certified for it.
std::vector<v1::SiteCertification> RegisterEntries(
    const std::vector<v1::SiteCertification>& certifications, const RegisterFilter& filter);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_SITE_CERTIFICATION_H_
