#include "daemon/service/seal_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/merkle.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/seal_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/inspection_ops.h"
#include "daemon/service/seal_listing.h"
#include "daemon/service/seal_ops.h"
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

// What an issuance rests on: the issuer's inspection, the lot's certification for that
// inspection's standard, and the version it is judged against.
struct IssuanceBasis {
  v1::Inspection inspection;
  v1::Certification certification;  // empty when the inspection is no current one of the lot
  v1::StandardVersion version;
};

// The inspection named (`named`), or else the issuer's own that the lot's certification
// rests on (domain::IssuersInspection), with the lot's certification computed from all
// its inspections now (it is never stored). PlanIssuance judges whether they do.
absl::StatusOr<IssuanceBasis> LoadIssuanceBasis(const storage::Store& store, const v1::Lot& lot,
                                                const std::string& named,
                                                const std::string& certifier_id) {
  absl::StatusOr<std::vector<v1::Inspection>> inspections =
      storage::InspectionsOfLot(store, lot.id());
  if (!inspections.ok()) return inspections.status();
  absl::StatusOr<std::vector<v1::Certification>> certifications = CertifyLot(store, *inspections);
  if (!certifications.ok()) return certifications.status();
  IssuanceBasis basis;
  if (named.empty()) {
    const v1::Inspection* own =
        domain::IssuersInspection(*inspections, *certifications, certifier_id);
    if (own == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("lot_id: lot ", lot.id(),
                                                        " has no current inspection by ",
                                                        certifier_id, "; submit one first"));
    }
    basis.inspection = *own;
  } else {
    absl::StatusOr<v1::Inspection> inspection = storage::RequireInspection(store, named);
    if (!inspection.ok()) return inspection.status();
    basis.inspection = *std::move(inspection);
  }
  for (v1::Certification& certification : *certifications) {
    if (certification.standard_id() == basis.inspection.standard_id()) {
      basis.certification = std::move(certification);
    }
  }
  if (basis.certification.standard_version() == 0) return basis;
  absl::StatusOr<v1::StandardVersion> version = storage::RequireStandardVersion(
      store, basis.certification.standard_id(), basis.certification.standard_version());
  if (!version.ok()) return version.status();
  basis.version = *std::move(version);
  return basis;
}

}  // namespace

grpc::ServerUnaryReactor* SealService::IssueSeals(grpc::CallbackServerContext* context,
                                                  const v1::IssueSealsRequest* request,
                                                  v1::IssueSealsResponse* response) {
  return ServeWrite(
      registry_, context, Method("IssueSeals"), *request,
      [&](const domain::Principal* caller,
          storage::Ledger::Done& done) -> std::optional<absl::Status> {
        if (request->lot_id().empty()) return absl::InvalidArgumentError("lot_id: required");
        if (request->request_id().size() > 100) {
          return absl::InvalidArgumentError("request_id: at most 100 characters");
        }
        registry_.ledger->ApplyAsync(
            *caller,
            [&](storage::Transaction& tx) -> absl::Status {
              const storage::Store& store = tx.store();
              if (!request->request_id().empty()) {
                absl::StatusOr<std::optional<std::string>> done = storage::FindIssuanceRequest(
                    store, caller->organisation_id, request->request_id());
                if (!done.ok()) return done.status();
                if (done->has_value()) {
                  absl::StatusOr<v1::SealIssuance> first = storage::RequireIssuance(store, **done);
                  if (!first.ok()) return first.status();
                  absl::StatusOr<std::optional<std::string>> codes =
                      storage::LoadIssuanceCodes(store, first->id());
                  if (!codes.ok()) return codes.status();
                  for (absl::string_view code :
                       absl::StrSplit(codes->value_or(""), '\n', absl::SkipEmpty())) {
                    response->add_codes(std::string(code));
                  }
                  *response->mutable_issuance() = *std::move(first);
                  return absl::OkStatus();
                }
              }
              absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, request->lot_id());
              if (!lot.ok()) return lot.status();
              absl::StatusOr<IssuanceBasis> basis =
                  LoadIssuanceBasis(store, *lot, request->inspection_id(), caller->organisation_id);
              if (!basis.ok()) return basis.status();
              const v1::Inspection* inspection = &basis->inspection;
              const v1::StandardVersion& version = basis->version;
              absl::StatusOr<domain::IssuancePlan> plan = domain::PlanIssuance(
                  *lot, *inspection, basis->certification, version, *request,
                  caller->organisation_id, tx.now(), registry_.limits.max_seals_per_issuance);
              if (!plan.ok()) return plan.status();
              // Accredited today for what the seal vouches for, not only on the
              // inspection date.
              absl::StatusOr<std::vector<v1::Accreditation>> accreditations =
                  storage::AccreditationsOfCertifier(store, caller->organisation_id);
              if (!accreditations.ok()) return accreditations.status();
              if (absl::Status accredited = domain::CheckMayIssueSeals(
                      *accreditations, inspection->standard_id(),
                      domain::SealRequiredStages(*inspection, version), tx.now());
                  !accredited.ok()) {
                return accredited;
              }
              absl::StatusOr<v1::Organisation> firm =
                  storage::RequireOrganisation(store, lot->firm_id());
              if (!firm.ok()) return firm.status();
              absl::StatusOr<v1::Site> site = storage::RequireSite(store, lot->site_id());
              if (!site.ok()) return site.status();

              v1::SealIssuance issuance;
              issuance.set_id(domain::NewId("iss"));
              issuance.set_lot_id(lot->id());
              issuance.set_inspection_id(inspection->id());
              issuance.set_certifier_id(caller->organisation_id);
              issuance.set_count(request->count());
              issuance.set_grade(plan->grade);
              *issuance.mutable_issue_time() = domain::ToProto(tx.now());
              issuance.set_request_id(request->request_id());
              for (const std::string& id : plan->rests_on) issuance.add_rests_on(id);

              v1::Seal seal;
              seal.set_lot_id(lot->id());
              seal.set_inspection_id(inspection->id());
              seal.set_firm_id(firm->id());
              seal.set_firm_name(firm->name());
              seal.set_site_id(site->id());
              seal.set_site_name(site->name());
              seal.set_certifier_id(caller->organisation_id);
              seal.set_standard_id(inspection->standard_id());
              seal.set_standard_version(version.version());
              seal.set_grade(plan->grade);
              *seal.mutable_issue_time() = domain::ToProto(tx.now());
              if (plan->expiry.has_value())
                *seal.mutable_expire_time() = domain::ToProto(*plan->expiry);
              seal.set_status(v1::Seal::VALID);
              seal.set_issuance_id(issuance.id());

              // Codes are random; one already taken, or drawn twice (about 2^-60 per
              // pair), is drawn again. All are looked up in one batch.
              const uint32_t count = request->count();
              std::vector<std::string> codes;
              codes.reserve(count);
              absl::flat_hash_set<std::string> fresh;
              while (codes.size() < count) {
                std::vector<std::string> drawn =
                    domain::NewSealCodes(inspection->standard_id(), count - codes.size());
                std::vector<std::string> keys;
                keys.reserve(drawn.size());
                for (const std::string& code : drawn) keys.push_back(domain::SealCodeKey(code));
                absl::StatusOr<std::vector<std::optional<std::string>>> taken =
                    storage::LoadSealRecords(store, keys);
                if (!taken.ok()) return taken.status();
                for (size_t i = 0; i < drawn.size(); ++i) {
                  if ((*taken)[i].has_value() || !fresh.insert(std::move(keys[i])).second) continue;
                  codes.push_back(std::move(drawn[i]));
                }
              }
              // Each seal's whole record is hashed as its leaf; what is stored is its own
              // fields, the shared ones once in the issuance's template.
              storage::PutSealTemplate(tx.writes(), seal);
              const storage::IssuedSealRecords records(seal);
              std::string leaves;
              leaves.reserve(size_t{count} * domain::merkle::kHashSize);
              for (uint32_t position = 0; position < count; ++position) {
                leaves += domain::merkle::LeafHash(records.Whole(codes[position], position));
                storage::PutCompactSealRecord(tx.writes(), codes[position],
                                              records.Own(codes[position], position));
              }
              absl::StatusOr<domain::merkle::LeafTree> tree =
                  domain::merkle::LeafTree::Build(leaves);
              if (!tree.ok()) return tree.status();
              absl::StatusOr<std::string> root = tree->Root();
              if (!root.ok()) return root.status();
              issuance.set_seals_root(*root);
              lot->set_seals_issued(lot->seals_issued() + request->count());
              storage::PutLot(tx.writes(), *lot);
              storage::PutIssuance(tx.writes(), issuance, inspection->standard_id(),
                                   inspection->standard_version());
              storage::PutIssuanceLeaves(tx.writes(), issuance.id(), std::move(leaves));
              storage::PutIssuanceCodes(tx.writes(), issuance.id(), absl::StrJoin(codes, "\n"));
              for (std::string& code : codes) response->add_codes(std::move(code));
              // One event for the whole issuance: its record digests every seal through
              // seals_root (a seal is proved by this event plus its path in that tree).
              tx.Record("seals.issued", domain::Subject(domain::kSealIssuanceRecord, issuance.id()),
                        issuance, lot->firm_id(), lot->site_id());
              // The lot's count of seals changed too: every changed record has its event.
              tx.Record("lot.sealed", domain::Subject(domain::kLotRecord, lot->id()), *lot,
                        lot->firm_id(), lot->site_id());
              *response->mutable_issuance() = std::move(issuance);
              return absl::OkStatus();
            },
            std::move(done));
        return std::nullopt;
      });
}

grpc::ServerUnaryReactor* SealService::VerifySeal(grpc::CallbackServerContext* context,
                                                  const v1::VerifySealRequest* request,
                                                  v1::VerifySealResponse* response) {
  return ServeNow(
      registry_, context, Method("VerifySeal"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (request->codes().empty()) return absl::InvalidArgumentError("codes: at least one");
        if (request->codes_size() > registry_.limits.max_codes_per_verification) {
          return absl::InvalidArgumentError(absl::StrCat(
              "codes: at most ", registry_.limits.max_codes_per_verification, " per call, got ",
              request->codes_size(), " (--max-codes-per-verification)"));
        }
        const storage::Store& store = *registry_.store;
        const absl::Time now = absl::Now();
        // Proof parts shared by the seals of one issuance.
        absl::flat_hash_map<std::string, v1::SealProof> issuance_proofs;
        absl::flat_hash_map<std::string, std::shared_ptr<domain::merkle::LeafTree>> issuance_trees;
        v1::Checkpoint checkpoint;
        if (request->include_proof()) {
          absl::StatusOr<v1::Checkpoint> served = log_->Served();
          if (!served.ok()) return served.status();
          checkpoint = *std::move(served);
        }
        // Every well-formed code's seal, looked up in one batch.
        std::vector<std::string> codes(request->codes_size());
        std::vector<std::string> keys;
        keys.reserve(request->codes_size());
        for (int i = 0; i < request->codes_size(); ++i) {
          v1::SealVerdict* verdict = response->add_verdicts();
          verdict->set_code(request->codes(i));
          absl::StatusOr<std::string> code = domain::NormaliseSealCode(request->codes(i));
          if (!code.ok()) {
            verdict->set_problem(v1::SealVerdict::MALFORMED);
            verdict->set_problem_detail(std::string(code.status().message()));
            continue;
          }
          codes[i] = *std::move(code);
          keys.push_back(domain::SealCodeKey(codes[i]));
        }
        absl::StatusOr<std::vector<std::optional<std::string>>> records =
            storage::LoadSealRecords(store, keys);
        if (!records.ok()) return records.status();
        size_t next_record = 0;
        std::vector<v1::Seal*> found_seals;
        std::vector<v1::SealVerdict*> found_verdicts;
        found_seals.reserve(records->size());
        found_verdicts.reserve(records->size());
        for (int i = 0; i < request->codes_size(); ++i) {
          v1::SealVerdict* verdict = response->mutable_verdicts(i);
          if (verdict->problem() == v1::SealVerdict::MALFORMED) continue;
          const size_t at = next_record++;
          const std::optional<std::string>& record = (*records)[at];
          if (!record.has_value()) {
            verdict->set_problem(v1::SealVerdict::NOT_FOUND);
            verdict->set_problem_detail(absl::StrCat("no seal ", codes[i]));
            continue;
          }
          // Parsed in place: the answer lives on the call's arena (ArenaMessageAllocator).
          v1::Seal& found = *verdict->mutable_seal();
          if (absl::Status parsed = storage::ParseSealRecord(keys[at], *record, found);
              !parsed.ok()) {
            return parsed;
          }
          found_seals.push_back(&found);
          found_verdicts.push_back(verdict);
        }
        // Compact seals get their issuances' shared fields, all in one read.
        if (absl::Status completed = storage::CompleteSeals(store, found_seals, &templates_);
            !completed.ok()) {
          return completed;
        }
        for (size_t at = 0; at < found_seals.size(); ++at) {
          v1::Seal& found = *found_seals[at];
          v1::SealVerdict* verdict = found_verdicts[at];
          if (request->include_proof()) {
            auto proof = issuance_proofs.find(found.issuance_id());
            if (proof == issuance_proofs.end()) {
              v1::SealProof shared;
              const std::string subject =
                  domain::Subject(domain::kSealIssuanceRecord, found.issuance_id());
              absl::StatusOr<uint64_t> seq = storage::LatestEventFor(store, subject);
              if (!seq.ok()) return seq.status();
              if (*seq <= checkpoint.size()) {
                absl::StatusOr<std::vector<std::string>> path =
                    log_->InclusionProof(*seq - 1, checkpoint.size());
                if (!path.ok()) return path.status();
                absl::StatusOr<std::optional<std::string>> event =
                    storage::LoadEventData(store, *seq);
                if (!event.ok()) return event.status();
                v1::GetInclusionProofResponse* proven = shared.mutable_issuance_event();
                proven->mutable_event()->set_seq(*seq);
                proven->mutable_event()->set_leaf_data(event->value_or(""));
                proven->mutable_event()->set_leaf_hash(
                    domain::merkle::LeafHash(event->value_or("")));
                proven->mutable_event()->mutable_event()->ParseFromString(event->value_or(""));
                proven->set_leaf_index(*seq - 1);
                proven->set_tree_size(checkpoint.size());
                for (auto& hash : *path) proven->add_hashes(std::move(hash));
                *proven->mutable_checkpoint() = checkpoint;
              }
              absl::StatusOr<std::optional<std::string>> record =
                  storage::LoadIssuanceBytes(store, found.issuance_id());
              if (!record.ok()) return record.status();
              shared.set_issuance_record(record->value_or(""));
              absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> tree =
                  trees_.Get(store, found.issuance_id());
              if (!tree.ok()) return tree.status();
              issuance_trees.insert_or_assign(found.issuance_id(), *std::move(tree));
              proof = issuance_proofs.emplace(found.issuance_id(), std::move(shared)).first;
            }
            v1::SealProof* seal_proof = verdict->mutable_proof();
            *seal_proof = proof->second;
            seal_proof->set_seal_as_issued(SealAsIssued(found));
            // The path to the seal's leaf in the issuance's tree, from the stored leaves.
            domain::merkle::LeafTree& tree = *issuance_trees.at(found.issuance_id());
            absl::StatusOr<std::vector<std::string>> path =
                domain::merkle::InclusionProof(found.position(), tree.size(), tree);
            if (!path.ok()) return path.status();
            for (auto& hash : *path) seal_proof->add_seal_path(std::move(hash));
          }
          found.set_status(domain::EffectiveStatus(found, now));
          if (found.has_status_decision()) domain::RedactSealDecision(caller, found);
        }
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
        std::vector<std::string> codes;
        for (int i = 0; i < request->codes_size(); ++i) {
          absl::StatusOr<std::string> code = domain::NormaliseSealCode(request->codes(i));
          if (!code.ok()) {
            return absl::InvalidArgumentError(
                absl::StrCat("codes[", i, "]: ", code.status().message()));
          }
          codes.push_back(*std::move(code));
        }
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          if (!request->lot_id().empty()) {
            absl::StatusOr<v1::Lot> lot = storage::RequireLot(tx.store(), request->lot_id());
            if (!lot.ok()) return lot.status();
            absl::StatusOr<std::vector<std::string>> all = SealCodesOfLot(tx.store(), lot->id());
            if (!all.ok()) return all.status();
            codes = *std::move(all);
          }
          // By hand: each seal with the caller's own authority over it, checked before
          // anything else (seal_ops.h).
          absl::StatusOr<uint32_t> changed =
              ChangeSeals(tx, codes, target, request->reason(), request->lot_id());
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
        const storage::Store& store = *registry_.store;
        absl::StatusOr<std::string> next;
        if (!request->lot_id().empty()) {
          absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, request->lot_id());
          if (!lot.ok()) return lot.status();
          next = ListSealsOfLot(store, *lot, *caller, request->page_token(), *page_size,
                                absl::Now(), &templates_, *response->mutable_seals());
        } else {
          absl::StatusOr<v1::SealIssuance> issuance =
              storage::RequireIssuance(store, request->issuance_id());
          if (!issuance.ok()) return issuance.status();
          absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, issuance->lot_id());
          if (!lot.ok()) return lot.status();
          if (!domain::CanReadIssuedSeals(*lot, issuance->certifier_id(), *caller)) {
            return absl::PermissionDeniedError(
                absl::StrCat("the seals of issuance ", issuance->id(),
                             " are read by the lot's firm, the certifier that issued them, ADMIN "
                             "and REGULATOR only"));
          }
          next = ListSealsOfIssuance(store, *issuance, request->page_token(), *page_size,
                                     absl::Now(), &templates_, *response->mutable_seals());
        }
        if (!next.ok()) return next.status();
        response->set_next_page_token(*next);
        return absl::OkStatus();
      });
}

grpc::Status SealService::ListIssuances(grpc::ServerContext* context,
                                        const v1::ListIssuancesRequest* request,
                                        v1::ListIssuancesResponse* response) {
  return Serve(registry_, context, Method("ListIssuances"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->lot_id().empty())
                   return absl::InvalidArgumentError("lot_id: required");
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 const storage::Store& store = *registry_.store;
                 absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, request->lot_id());
                 if (!lot.ok()) return lot.status();
                 absl::StatusOr<std::vector<v1::SealIssuance>> issuances =
                     storage::LoadIssuancesOfLot(store, lot->id());
                 if (!issuances.ok()) return issuances.status();
                 std::vector<std::string> issuers;
                 for (const v1::SealIssuance& issuance : *issuances) {
                   issuers.push_back(issuance.certifier_id());
                 }
                 if (!domain::CanListSealsOfLot(*lot, issuers, *caller)) {
                   return absl::PermissionDeniedError(absl::StrCat(
                       "the issuances of lot ", lot->id(),
                       " are read by its firm, the certifiers that made them, ADMIN and "
                       "REGULATOR only"));
                 }
                 // A lot has few issuances (each of up to 10,000 seals): they are read whole and
                 // paginated here, by id.
                 const std::string listing = absl::StrCat("lot_issuances:", lot->id());
                 absl::StatusOr<std::string> after =
                     storage::DecodePageToken(listing, request->page_token());
                 if (!after.ok()) return after.status();
                 for (v1::SealIssuance& issuance : *issuances) {
                   if (issuance.id() <= *after ||
                       !domain::CanReadIssuedSeals(*lot, issuance.certifier_id(), *caller)) {
                     continue;
                   }
                   if (response->issuances_size() == *page_size) {
                     response->set_next_page_token(
                         storage::EncodePageToken(listing, response->issuances().rbegin()->id()));
                     break;
                   }
                   *response->add_issuances() = std::move(issuance);
                 }
                 return absl::OkStatus();
               });
}

}  // namespace sello::service
