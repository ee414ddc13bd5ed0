// Who may see what, in one place: which records a principal reads (an inspection, an
// appeal, a lot, a lot's seals, an event), what of a seal's last decision it reads, and
// what of a site's (or a lot's) certification and compliance (issue 16 §8): the public
// sees what is certified, never an identified failure; the firm, the certifiers that
// inspected it, regulators and the association see everything.
#ifndef SELLO_DAEMON_DOMAIN_VISIBILITY_H_
#define SELLO_DAEMON_DOMAIN_VISIBILITY_H_

#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "daemon/domain/principal.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/event.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/seal.pb.h"

namespace sello::domain {

// --- Records -----------------------------------------------------------------------------
// ADMIN and REGULATOR read every record; a firm and a certifier the records they are
// party to, as each says.

// A firm reads its own inspections, a certifier those it submitted.
bool CanReadInspection(const v1::Inspection& inspection, const Principal& reader);
// A firm reads its own appeals; a certifier those against its inspections and those
// assigned to it.
bool CanReadAppeal(const v1::Appeal& appeal, const Principal& reader);
// A firm reads its own lots only; every other role any lot.
bool CanReadLot(const v1::Lot& lot, const Principal& reader);
// Who reads in full the seals `issuer_id` issued for `lot` (codes, status, issuance): the
// lot's firm and that certifier.
bool CanReadIssuedSeals(const v1::Lot& lot, absl::string_view issuer_id, const Principal& reader);
// Whether `reader` may list the seals of `lot` at all, whose issuances were made by
// `issuers`: ADMIN, REGULATOR, the lot's firm, or a certifier among `issuers` (which then
// sees only its own). Everyone else is refused without learning whether any exist.
bool CanListSealsOfLot(const v1::Lot& lot, const std::vector<std::string>& issuers,
                       const Principal& reader);
// Public events (IsPublicEvent) are read by anyone; the rest by ADMIN and REGULATOR and
// by the organisation the event concerns or whose principal made the change.
bool CanReadEvent(const v1::Event& event, const Principal* reader);

// A seal as `reader` (nullptr: anonymous) may see who last changed it: the authority, the
// cause and the time are public (a buyer learns why a seal is suspended); which
// organisation acted (e.g. the certifier an appeal was assigned to) is read only by ADMIN,
// REGULATOR, the seal's firm and its issuer, and cleared for anyone else. So is the
// reason an inspection's or an appeal's result wrote (it names inspections, stages,
// criteria, appeals): anyone else reads DecisionText instead. Other reasons (typed by
// hand, an accreditation's, a standard version's) are public as written.
void RedactSealDecision(const Principal* reader, v1::Seal& seal);

// --- Certification and compliance ---------------------------------------------------------

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
