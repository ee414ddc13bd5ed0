// Listing seals in full for the parties that may read them (ListSeals, ListIssuances):
// every seal of a lot, issuance by issuance, or of one issuance, page by page. Compact
// seals are found through their issuance's stored codes (records.h), never by scanning
// the seals table: a page of an issuance of 10,000 seals is one read of its codes, one
// batched lookup of the page's seals and their shared template.
#ifndef SELLO_DAEMON_SERVICE_SEAL_LISTING_H_
#define SELLO_DAEMON_SERVICE_SEAL_LISTING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.pb.h"
#include "storage/records.h"
#include "storage/store.h"

namespace sello::service {

// The seals `reader` may read of `lot`: those of its issuances that
// domain::CanReadIssuedSeals lets it read, issuance by issuance in issuances_by_lot
// order, each in position order, then the lot's seals stored before issuances kept their
// codes (by code). One page of at most `page_size` from `page_token` on, appended to
// `seals` whole, with their status as read at `now`; returns the next page's token ("" on
// the last page). PERMISSION_DENIED, naming no seal and no count, when `reader` may not
// list the lot's seals at all (domain::CanListSealsOfLot).
absl::StatusOr<std::string> ListSealsOfLot(const storage::Store& store, const v1::Lot& lot,
                                           const domain::Principal& reader,
                                           absl::string_view page_token, int page_size,
                                           absl::Time now, storage::SealTemplateCache* templates,
                                           google::protobuf::RepeatedPtrField<v1::Seal>& seals);

// The seals of `issuance` in position order: one page, as ListSealsOfLot. The caller
// checks that the reader may read them.
absl::StatusOr<std::string> ListSealsOfIssuance(
    const storage::Store& store, const v1::SealIssuance& issuance, absl::string_view page_token,
    int page_size, absl::Time now, storage::SealTemplateCache* templates,
    google::protobuf::RepeatedPtrField<v1::Seal>& seals);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_SEAL_LISTING_H_
