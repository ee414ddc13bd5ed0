#include "daemon/service/seal_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/seal_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/inspection_tx.h"
#include "daemon/service/seal_listing.h"
#include "daemon/service/seal_tx.h"
#include "daemon/tlog/merkle.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::SealService::service_full_name(), name);
}

// The seal's record as it was issued (status VALID, no reason): its leaf in the
// issuance's tree.
std::string SealAsIssued(v1::Seal seal) {
  seal.set_status(v1::Seal::VALID);
  seal.clear_status_reason();
  seal.clear_status_decision();
  return storage::SerializeRecord(seal);
}

// The seal codes a change names, normalised; INVALID_ARGUMENT naming the first malformed.
absl::StatusOr<std::vector<std::string>> NormaliseCodes(
    const google::protobuf::RepeatedPtrField<std::string>& named) {
  std::vector<std::string> codes;
  for (int i = 0; i < named.size(); ++i) {
    absl::StatusOr<std::string> code = domain::NormaliseSealCode(named[i]);
    if (!code.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("codes[", i, "]: ", code.status().message()));
    }
    codes.push_back(*std::move(code));
  }
  return codes;
}

// The seals VerifySeal found, parsed in place in their verdicts (the answer lives on the
// call's arena: ArenaMessageAllocator), in request order.
struct FoundSeals {
  std::vector<v1::Seal*> seals;
  std::vector<v1::SealVerdict*> verdicts;
};

// A VerifySeal request's size: at least one code, at most `max_codes`.
absl::Status CheckVerifyRequest(const v1::VerifySealRequest& request, int max_codes) {
  if (request.codes().empty()) return absl::InvalidArgumentError("codes: at least one");
  if (request.codes_size() > max_codes) {
    return absl::InvalidArgumentError(absl::StrCat("codes: at most ", max_codes, " per call, got ",
                                                   request.codes_size(),
                                                   " (--max-codes-per-verification)"));
  }
  return absl::OkStatus();
}

// The checkpoint the proofs are made against: the one served now (read before the seals;
// an empty one when no proof is asked for).
absl::StatusOr<v1::Checkpoint> ProofCheckpoint(const v1::VerifySealRequest& request,
                                               const storage::TransparencyLog& log) {
  if (!request.include_proof()) return v1::Checkpoint();
  return log.Served();
}

// Each found seal as `caller` may see it at `now`: its effective status, and its status
// decision redacted to what the caller may read.
void PresentFound(const FoundSeals& found, absl::Time now, const domain::Principal* caller) {
  for (v1::Seal* seal : found.seals) {
    seal->set_status(domain::EffectiveStatus(*seal, now));
    if (seal->has_status_decision()) domain::RedactSealDecision(caller, *seal);
  }
}

// One verdict per requested code, in order; a malformed code's says so. Returns the
// normalised code of each (empty where malformed) and the store keys of the well-formed.
std::pair<std::vector<std::string>, std::vector<std::string>> StartVerdicts(
    const v1::VerifySealRequest& request, v1::VerifySealResponse& response) {
  std::vector<std::string> codes(request.codes_size());
  std::vector<std::string> keys;
  keys.reserve(request.codes_size());
  for (int i = 0; i < request.codes_size(); ++i) {
    v1::SealVerdict* verdict = response.add_verdicts();
    verdict->set_code(request.codes(i));
    absl::StatusOr<std::string> code = domain::NormaliseSealCode(request.codes(i));
    if (!code.ok()) {
      verdict->set_problem(v1::SealVerdict::MALFORMED);
      verdict->set_problem_detail(std::string(code.status().message()));
      continue;
    }
    codes[i] = *std::move(code);
    keys.push_back(domain::SealCodeKey(codes[i]));
  }
  return {std::move(codes), std::move(keys)};
}

// Every well-formed code's seal, looked up in one batch; compact seals get their
// issuances' shared fields, all in one read. A code without a seal is NOT_FOUND in its
// verdict.
absl::StatusOr<FoundSeals> FindSeals(const storage::Store& store,
                                     const v1::VerifySealRequest& request,
                                     storage::SealTemplateCache& templates,
                                     v1::VerifySealResponse& response) {
  auto [codes, keys] = StartVerdicts(request, response);
  absl::StatusOr<std::vector<std::optional<std::string>>> records =
      storage::LoadSealRecords(store, keys);
  if (!records.ok()) return records.status();
  size_t next_record = 0;
  FoundSeals found;
  found.seals.reserve(records->size());
  found.verdicts.reserve(records->size());
  for (int i = 0; i < request.codes_size(); ++i) {
    v1::SealVerdict* verdict = response.mutable_verdicts(i);
    if (verdict->problem() == v1::SealVerdict::MALFORMED) continue;
    const size_t at = next_record++;
    const std::optional<std::string>& record = (*records)[at];
    if (!record.has_value()) {
      verdict->set_problem(v1::SealVerdict::NOT_FOUND);
      verdict->set_problem_detail(absl::StrCat("no seal ", codes[i]));
      continue;
    }
    v1::Seal& seal = *verdict->mutable_seal();
    if (absl::Status parsed = storage::ParseSealRecord(keys[at], *record, seal); !parsed.ok()) {
      return parsed;
    }
    found.seals.push_back(&seal);
    found.verdicts.push_back(verdict);
  }
  if (absl::Status completed = storage::CompleteSeals(store, found.seals, &templates);
      !completed.ok()) {
    return completed;
  }
  return found;
}

// Each found seal's proof: its issuance's shared parts (kept by `proofs` per tree size;
// looked up once per issuance here) with the checkpoint served now, and the path to its
// leaf in the issuance's tree.
absl::Status ProveSeals(const storage::Store& store, const storage::TransparencyLog& log,
                        IssuanceTreeCache& trees, IssuanceProofCache& proofs,
                        const v1::Checkpoint& checkpoint, const FoundSeals& found) {
  struct Issuance {
    std::shared_ptr<const v1::SealProof> shared;
    std::shared_ptr<domain::merkle::LeafTree> tree;
  };
  absl::flat_hash_map<std::string, Issuance> issuances;
  for (size_t at = 0; at < found.seals.size(); ++at) {
    const v1::Seal& seal = *found.seals[at];
    auto issuance = issuances.find(seal.issuance_id());
    if (issuance == issuances.end()) {
      absl::StatusOr<std::shared_ptr<const v1::SealProof>> shared =
          proofs.Get(store, log, seal.issuance_id(), checkpoint.size());
      if (!shared.ok()) return shared.status();
      absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> tree =
          trees.Get(store, seal.issuance_id());
      if (!tree.ok()) return tree.status();
      issuance =
          issuances.emplace(seal.issuance_id(), Issuance{*std::move(shared), *std::move(tree)})
              .first;
    }
    v1::SealProof* seal_proof = found.verdicts[at]->mutable_proof();
    *seal_proof = *issuance->second.shared;
    if (seal_proof->has_issuance_event()) {
      *seal_proof->mutable_issuance_event()->mutable_checkpoint() = checkpoint;
    }
    seal_proof->set_seal_as_issued(SealAsIssued(seal));
    // The path to the seal's leaf in the issuance's tree, from the stored leaves.
    domain::merkle::LeafTree& tree = *issuance->second.tree;
    absl::StatusOr<std::vector<std::string>> path =
        domain::merkle::InclusionProof(seal.position(), tree.size(), tree);
    if (!path.ok()) return path.status();
    for (auto& hash : *path) seal_proof->add_seal_path(std::move(hash));
  }
  return absl::OkStatus();
}

// One page of the seals of the request's lot (ListSealsOfLot checks who may read them),
// and the next page's token.
absl::StatusOr<std::string> ListSealsOfLotPage(const storage::Store& store,
                                               const v1::ListSealsRequest& request,
                                               const domain::Principal& caller, int page_size,
                                               storage::SealTemplateCache& templates,
                                               v1::ListSealsResponse& response) {
  absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, request.lot_id());
  if (!lot.ok()) return lot.status();
  return ListSealsOfLot(store, *lot, caller, request.page_token(), page_size, absl::Now(),
                        &templates, *response.mutable_seals());
}

// One page of the seals of the request's issuance, read by the lot's firm, the issuing
// certifier, ADMIN and REGULATOR only, and the next page's token.
absl::StatusOr<std::string> ListSealsOfIssuancePage(const storage::Store& store,
                                                    const v1::ListSealsRequest& request,
                                                    const domain::Principal& caller, int page_size,
                                                    storage::SealTemplateCache& templates,
                                                    v1::ListSealsResponse& response) {
  absl::StatusOr<v1::SealIssuance> issuance =
      storage::RequireIssuance(store, request.issuance_id());
  if (!issuance.ok()) return issuance.status();
  absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, issuance->lot_id());
  if (!lot.ok()) return lot.status();
  if (!domain::CanReadIssuedSeals(*lot, issuance->certifier_id(), caller)) {
    return absl::PermissionDeniedError(
        absl::StrCat("the seals of issuance ", issuance->id(),
                     " are read by the lot's firm, the certifier that issued them, ADMIN "
                     "and REGULATOR only"));
  }
  return ListSealsOfIssuance(store, *issuance, request.page_token(), page_size, absl::Now(),
                             &templates, *response.mutable_seals());
}

// One page of the lot's issuances the caller may read, by id, with the next page's token
// when more remain; PERMISSION_DENIED unless the caller may list the lot's seals.
absl::Status ListIssuancesOfLot(const storage::Store& store,
                                const v1::ListIssuancesRequest& request,
                                const domain::Principal& caller, int page_size,
                                v1::ListIssuancesResponse& response) {
  absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, request.lot_id());
  if (!lot.ok()) return lot.status();
  absl::StatusOr<std::vector<v1::SealIssuance>> issuances =
      storage::LoadIssuancesOfLot(store, lot->id());
  if (!issuances.ok()) return issuances.status();
  std::vector<std::string> issuers;
  for (const v1::SealIssuance& issuance : *issuances) issuers.push_back(issuance.certifier_id());
  if (!domain::CanListSealsOfLot(*lot, issuers, caller)) {
    return absl::PermissionDeniedError(
        absl::StrCat("the issuances of lot ", lot->id(),
                     " are read by its firm, the certifiers that made them, ADMIN and "
                     "REGULATOR only"));
  }
  // A lot has few issuances (each of up to 10,000 seals): they are read whole and
  // paginated here, by id.
  const std::string listing = absl::StrCat("lot_issuances:", lot->id());
  absl::StatusOr<std::string> after = storage::DecodePageToken(listing, request.page_token());
  if (!after.ok()) return after.status();
  for (v1::SealIssuance& issuance : *issuances) {
    if (issuance.id() <= *after ||
        !domain::CanReadIssuedSeals(*lot, issuance.certifier_id(), caller)) {
      continue;
    }
    if (response.issuances_size() == page_size) {
      response.set_next_page_token(
          storage::EncodePageToken(listing, response.issuances().rbegin()->id()));
      break;
    }
    *response.add_issuances() = std::move(issuance);
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* SealService::IssueSeals(grpc::CallbackServerContext* context,
                                                  const v1::IssueSealsRequest* request,
                                                  v1::IssueSealsResponse* response) {
  return ServeWrite(registry_, context, Method("IssueSeals"), *request,
                    [&](const domain::Principal* caller,
                        storage::Ledger::Done& done) -> std::optional<absl::Status> {
                      if (request->lot_id().empty())
                        return absl::InvalidArgumentError("lot_id: required");
                      if (request->request_id().size() > 100) {
                        return absl::InvalidArgumentError("request_id: at most 100 characters");
                      }
                      registry_.ledger->ApplyAsync(
                          *caller,
                          [&](storage::Transaction& tx) {
                            return IssueSealsTx(tx, *request,
                                                registry_.limits.max_seals_per_issuance, *response);
                          },
                          std::move(done));
                      return std::nullopt;
                    });
}

grpc::ServerUnaryReactor* SealService::VerifySeal(grpc::CallbackServerContext* context,
                                                  const v1::VerifySealRequest* request,
                                                  v1::VerifySealResponse* response) {
  return ServeNow(registry_, context, Method("VerifySeal"), *request,
                  [&](const domain::Principal* caller) -> absl::Status {
                    if (absl::Status valid = CheckVerifyRequest(
                            *request, registry_.limits.max_codes_per_verification);
                        !valid.ok()) {
                      return valid;
                    }
                    const absl::Time now = absl::Now();
                    absl::StatusOr<v1::Checkpoint> checkpoint = ProofCheckpoint(*request, *log_);
                    if (!checkpoint.ok()) return checkpoint.status();
                    absl::StatusOr<FoundSeals> found =
                        FindSeals(*registry_.store, *request, templates_, *response);
                    if (!found.ok()) return found.status();
                    if (request->include_proof()) {
                      if (absl::Status proved = ProveSeals(*registry_.store, *log_, trees_, proofs_,
                                                           *checkpoint, *found);
                          !proved.ok()) {
                        return proved;
                      }
                    }
                    PresentFound(*found, now, caller);
                    return absl::OkStatus();
                  });
}

grpc::Status SealService::Change(grpc::ServerContext* context, absl::string_view method,
                                 const v1::ChangeSealsRequest* request, v1::Seal::Status target,
                                 v1::ChangeSealsResponse* response) {
  return Serve(
      registry_, context, Method(method), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (request->codes().empty() == request->lot_id().empty()) {
          return absl::InvalidArgumentError("codes or lot_id: exactly one is required");
        }
        if (request->codes_size() > registry_.limits.max_codes_per_verification) {
          return absl::InvalidArgumentError(
              absl::StrCat("codes: at most ", registry_.limits.max_codes_per_verification,
                           " (--max-codes-per-verification); use lot_id for a whole lot"));
        }
        absl::StatusOr<std::vector<std::string>> codes = NormaliseCodes(request->codes());
        if (!codes.ok()) return codes.status();
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          // By hand: each seal with the caller's own authority over it, checked before
          // anything else (seal_tx.h).
          absl::StatusOr<uint32_t> changed =
              ChangeSealsOrLot(tx, *codes, target, request->reason(), request->lot_id());
          if (!changed.ok()) return changed.status();
          response->set_changed(*changed);
          return absl::OkStatus();
        });
      });
}

grpc::Status SealService::SuspendSeals(grpc::ServerContext* context,
                                       const v1::ChangeSealsRequest* request,
                                       v1::ChangeSealsResponse* response) {
  return Change(context, "SuspendSeals", request, v1::Seal::SUSPENDED, response);
}

grpc::Status SealService::RevokeSeals(grpc::ServerContext* context,
                                      const v1::ChangeSealsRequest* request,
                                      v1::ChangeSealsResponse* response) {
  return Change(context, "RevokeSeals", request, v1::Seal::REVOKED, response);
}

grpc::Status SealService::ReinstateSeals(grpc::ServerContext* context,
                                         const v1::ChangeSealsRequest* request,
                                         v1::ChangeSealsResponse* response) {
  return Change(context, "ReinstateSeals", request, v1::Seal::VALID, response);
}

grpc::Status SealService::ListSeals(grpc::ServerContext* context,
                                    const v1::ListSealsRequest* request,
                                    v1::ListSealsResponse* response) {
  return Serve(
      registry_, context, Method("ListSeals"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (request->lot_id().empty() == request->issuance_id().empty()) {
          return absl::InvalidArgumentError("lot_id or issuance_id: exactly one is required");
        }
        absl::StatusOr<int> page_size =
            domain::NormalisePageSize(request->page_size(), registry_.limits.max_page_size);
        if (!page_size.ok()) return page_size.status();
        absl::StatusOr<std::string> next =
            !request->lot_id().empty()
                ? ListSealsOfLotPage(*registry_.store, *request, *caller, *page_size, templates_,
                                     *response)
                : ListSealsOfIssuancePage(*registry_.store, *request, *caller, *page_size,
                                          templates_, *response);
        if (!next.ok()) return next.status();
        response->set_next_page_token(*next);
        return absl::OkStatus();
      });
}

grpc::Status SealService::ListIssuances(grpc::ServerContext* context,
                                        const v1::ListIssuancesRequest* request,
                                        v1::ListIssuancesResponse* response) {
  return Serve(
      registry_, context, Method("ListIssuances"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (request->lot_id().empty()) return absl::InvalidArgumentError("lot_id: required");
        absl::StatusOr<int> page_size =
            domain::NormalisePageSize(request->page_size(), registry_.limits.max_page_size);
        if (!page_size.ok()) return page_size.status();
        return ListIssuancesOfLot(*registry_.store, *request, *caller, *page_size, *response);
      });
}

}  // namespace sello::service
