#include "daemon/service/accreditation_tx.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/seal_tx.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Subject(absl::string_view id) {
  return domain::Subject(domain::kAccreditationRecord, id);
}

// Suspends, with the association's authority, the certifier's current seals within the
// accreditation's scope: issued by it, VALID now, of a standard in the scope and, when
// the scope names stages, resting on an inspection of at least one of them. Returns
// how many.
absl::StatusOr<uint32_t> SuspendCertifierSeals(storage::Transaction& tx,
                                               const v1::Accreditation& accreditation) {
  absl::StatusOr<std::vector<std::string>> codes = SealCodesOfCertifier(
      tx.store(), accreditation.certifier_id(), [&](const v1::Inspection& inspection) {
        const std::vector<std::string> stages(inspection.stages().begin(),
                                              inspection.stages().end());
        return domain::ScopeCovers(accreditation, inspection.standard_id(), stages);
      });
  if (!codes.ok()) return codes.status();
  if (codes->empty()) return 0u;
  const bool withdrawn = accreditation.status() == v1::Accreditation::WITHDRAWN;
  SealDecision decision;
  decision.cause = withdrawn ? v1::ACCREDITATION_WITHDRAWN : v1::ACCREDITATION_SUSPENDED;
  decision.authority = v1::ASSOCIATION;
  return DecideSeals(
      tx, *codes, v1::Seal::SUSPENDED,
      absl::StrCat("accreditation ", accreditation.id(), " of ", accreditation.certifier_id(),
                   withdrawn ? " withdrawn: " : " suspended: ", accreditation.status_reason()),
      /*lot_id=*/"", decision);
}

// What `wanted` names exists: its certifier (a CERTIFIER) and its scope's standards.
absl::Status CheckNamed(const storage::Store& store, const v1::Accreditation& wanted) {
  absl::StatusOr<v1::Organisation> certifier =
      storage::RequireOrganisation(store, wanted.certifier_id());
  if (!certifier.ok()) return certifier.status();
  if (certifier->kind() != v1::Organisation::CERTIFIER) {
    return absl::FailedPreconditionError(
        absl::StrCat("accreditation.certifier_id: '", certifier->id(), "' is a ",
                     v1::Organisation::Kind_Name(certifier->kind()), ", not a CERTIFIER"));
  }
  for (int i = 0; i < wanted.scope_size(); ++i) {
    absl::StatusOr<std::optional<v1::Standard>> standard =
        storage::FindStandard(store, wanted.scope(i).standard_id());
    if (!standard.ok()) return standard.status();
    if (!standard->has_value()) {
      return absl::NotFoundError(absl::StrCat("accreditation.scope[", i,
                                              "].standard_id: standard '",
                                              wanted.scope(i).standard_id(), "' not found"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Accreditation> CreateAccreditationTx(storage::Transaction& tx,
                                                        const v1::Accreditation& wanted) {
  if (absl::Status status = CheckNamed(tx.store(), wanted); !status.ok()) return status;
  v1::Accreditation accreditation;
  accreditation.set_id(domain::NewId("acc"));
  accreditation.set_certifier_id(wanted.certifier_id());
  *accreditation.mutable_scope() = wanted.scope();
  *accreditation.mutable_valid_from() = wanted.valid_from();
  *accreditation.mutable_valid_until() = wanted.valid_until();
  accreditation.set_status(v1::Accreditation::ACTIVE);
  accreditation.set_status_reason("accredited");
  *accreditation.mutable_create_time() = domain::ToProto(tx.now());
  *accreditation.mutable_update_time() = domain::ToProto(tx.now());
  v1::AccreditationStatusChange* first = accreditation.add_history();
  first->set_status(v1::Accreditation::ACTIVE);
  *first->mutable_time() = domain::ToProto(tx.now());
  first->set_reason("accredited");
  storage::PutAccreditation(tx.writes(), accreditation);
  tx.Record("accreditation.created", Subject(accreditation.id()), accreditation,
            accreditation.certifier_id());
  return accreditation;
}

absl::StatusOr<v1::Accreditation> ChangeAccreditationTx(
    storage::Transaction& tx, const v1::ChangeAccreditationRequest& request,
    v1::Accreditation::Status target, absl::string_view event_kind) {
  absl::StatusOr<v1::Accreditation> accreditation =
      storage::RequireAccreditation(tx.store(), request.accreditation_id());
  if (!accreditation.ok()) return accreditation.status();
  if (absl::Status status =
          domain::ChangeAccreditationStatus(*accreditation, target, request.reason(), tx.now());
      !status.ok()) {
    return status;
  }
  // The association's choice for the certifier's current seals, in the same write and in
  // the accreditation's history (so in its event).
  if (request.seals() != v1::SEALS_CHOICE_UNSPECIFIED) {
    v1::AccreditationStatusChange& change = *accreditation->mutable_history()->rbegin();
    change.set_seals(request.seals());
    if (request.seals() == v1::SUSPEND_SEALS) {
      absl::StatusOr<uint32_t> suspended = SuspendCertifierSeals(tx, *accreditation);
      if (!suspended.ok()) return suspended.status();
      change.set_seals_suspended(*suspended);
    }
  }
  storage::PutAccreditation(tx.writes(), *accreditation);
  tx.Record(event_kind, Subject(accreditation->id()), *accreditation,
            accreditation->certifier_id());
  return accreditation;
}

}  // namespace sello::service
