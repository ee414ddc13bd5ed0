// Who sees what of a site's (or a lot's) certification and compliance (issue 16 §8):
// the public sees what is certified, never an identified failure; the firm, the
// certifiers that inspected it, regulators and the association see everything.
#ifndef SELLO_DAEMON_DOMAIN_VISIBILITY_H_
#define SELLO_DAEMON_DOMAIN_VISIBILITY_H_

#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "daemon/domain/principal.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"

namespace sello::domain {

enum class CertificationView {
  kFull,    // everything: stages, inspections, failures and why
  kPublic,  // what is certified and whether a site complies; never a failure or its detail
};

// The view `caller` (nullptr: no token) gets of the records of firm `firm_id` (a site or
// a lot) that certifiers `inspected_by` have inspected: kFull for ADMIN and REGULATOR,
// the firm itself and those certifiers; kPublic for anyone else (another firm, another
// certifier, the public).
CertificationView ViewOfCertification(const Principal* caller, absl::string_view firm_id,
                                      const std::set<std::string>& inspected_by);

// What each view shows, field by field. kFull: the record as computed. kPublic:
// - a certification (of a lot or a site) only when CERTIFIED, with its standard and
//   version, grade, and per stage the outcome, grade, date, version and certifier; never
//   an inspection id or the detail (a FAILED or UNCERTIFIED one is left out whole:
//   neither that it failed nor that it was inspected is told);
// - a compliance verdict's norm, site and status; when COMPLIANT also the reason
//   (SATISFIED), valid_until and per stage the status, reason and valid_until; never an
//   inspection id, failing criteria, the deciding stage or the detail (a generic sentence
//   replaces it), and nothing of why a site does not comply.
// Each returns false when the record is to be left out.
bool ShowCertification(CertificationView view, v1::Certification& certification);
bool ShowSiteCertification(CertificationView view, v1::SiteCertification& certification);
void ShowComplianceVerdict(CertificationView view, v1::ComplianceVerdict& verdict);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_VISIBILITY_H_
