#include "daemon/service/standard_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/standard_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/domain/withdrawal_rules.h"
#include "daemon/service/seal_ops.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::StandardService::service_full_name(), name);
}

// "standard_version/CSCS@2".
std::string VersionSubject(absl::string_view standard_id, uint32_t version) {
  return domain::Subject(domain::kStandardVersionRecord, domain::VersionRef(standard_id, version));
}

// Drafts are work in progress of the association: regulators may follow them.
bool SeesDrafts(const domain::Principal* caller) {
  return caller != nullptr && (caller->role == v1::ADMIN || caller->role == v1::REGULATOR);
}

// Whether any version of the standard has left DRAFT. A standard with drafts only does
// not exist yet for those who do not see drafts.
absl::StatusOr<bool> HasNonDraft(const storage::Store& store, absl::string_view standard_id) {
  bool found = false;
  absl::Status scan =
      storage::VisitStandardVersions(store, standard_id, [&](v1::StandardVersion&& version) {
        found = version.status() != v1::StandardVersion::DRAFT;
        return !found;
      });
  if (!scan.ok()) return scan;
  return found;
}

// NOT_FOUND for a drafts-only standard when the caller does not see drafts.
absl::Status CheckStandardVisible(const storage::Store& store, const domain::Principal* caller,
                                  const v1::Standard& standard) {
  if (SeesDrafts(caller) || standard.published_version() != 0) return absl::OkStatus();
  absl::StatusOr<bool> visible = HasNonDraft(store, standard.id());
  if (!visible.ok()) return visible.status();
  if (!*visible) {
    return absl::NotFoundError(absl::StrCat("standard '", standard.id(), "' not found"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Standard>> LoadStandard(const storage::Store& store,
                                                         absl::string_view id) {
  return storage::FindStandard(store, id);
}

absl::StatusOr<v1::Standard> RequireStandard(const storage::Store& store, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("standard_id: required");
  return storage::RequireStandardRecord(store, id);
}

absl::StatusOr<v1::StandardVersion> RequireVersion(const storage::Store& store,
                                                   absl::string_view id, uint32_t version) {
  absl::StatusOr<std::optional<v1::StandardVersion>> record =
      storage::FindStandardVersion(store, id, version);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("standard version ", domain::VersionRef(id, version), " not found"));
  }
  return std::move(**record);
}

// The version now PUBLISHED, if any.
absl::StatusOr<std::optional<v1::StandardVersion>> CurrentVersion(const storage::Store& store,
                                                                  const v1::Standard& standard) {
  if (standard.published_version() == 0) return std::optional<v1::StandardVersion>();
  absl::StatusOr<v1::StandardVersion> current =
      RequireVersion(store, standard.id(), standard.published_version());
  if (!current.ok()) return current.status();
  return std::optional<v1::StandardVersion>(*std::move(current));
}

}  // namespace

grpc::Status StandardService::PushStandardVersion(grpc::ServerContext* context,
                                                  const v1::PushStandardVersionRequest* request,
                                                  v1::StandardVersion* response) {
  return Serve(
      registry_, context, Method("PushStandardVersion"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        const v1::StandardVersion& content = request->version();
        if (absl::Status status = domain::ProblemsToStatus(
                request->source_name(), domain::ValidateStandardVersion(content));
            !status.ok()) {
          return status;
        }
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<std::optional<v1::Standard>> standard =
              LoadStandard(tx.store(), content.standard_id());
          if (!standard.ok()) return standard.status();
          absl::StatusOr<std::optional<v1::StandardVersion>> existing =
              storage::FindStandardVersion(tx.store(), content.standard_id(), content.version());
          if (!existing.ok()) return existing.status();
          absl::StatusOr<domain::PushResult> push =
              domain::PlanPush(*standard, *existing, content, tx.now());
          if (!push.ok()) return push.status();
          *response = push->version;
          if (request->validate_only()) return absl::OkStatus();
          storage::PutStandard(tx.writes(), push->standard);
          storage::PutStandardVersion(tx.writes(), push->version);
          tx.Record(push->created ? "standard_version.created" : "standard_version.replaced",
                    VersionSubject(content.standard_id(), content.version()), push->version);
          return absl::OkStatus();
        });
      });
}

grpc::Status StandardService::PublishStandardVersion(
    grpc::ServerContext* context, const v1::PublishStandardVersionRequest* request,
    v1::PublishStandardVersionResponse* response) {
  return Serve(
      registry_, context, Method("PublishStandardVersion"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<v1::Standard> standard =
              RequireStandard(tx.store(), request->standard_id());
          if (!standard.ok()) return standard.status();
          absl::StatusOr<v1::StandardVersion> target =
              RequireVersion(tx.store(), standard->id(), request->version());
          if (!target.ok()) return target.status();
          absl::StatusOr<std::optional<v1::StandardVersion>> current =
              CurrentVersion(tx.store(), *standard);
          if (!current.ok()) return current.status();
          std::optional<absl::Time> cessation;
          if (request->has_previous_cessation_time()) {
            cessation = domain::FromProto(request->previous_cessation_time());
          }
          absl::StatusOr<domain::PublishResult> publish =
              domain::PlanPublish(*standard, *target, *current, cessation, tx.now());
          if (!publish.ok()) return publish.status();
          storage::PutStandard(tx.writes(), publish->standard);
          storage::PutStandardVersion(tx.writes(), publish->published);
          tx.Record("standard_version.published",
                    VersionSubject(standard->id(), request->version()), publish->published);
          *response->mutable_published() = publish->published;
          if (publish->superseded.has_value()) {
            storage::PutStandardVersion(tx.writes(), *publish->superseded);
            tx.Record("standard_version.superseded",
                      VersionSubject(standard->id(), publish->superseded->version()),
                      *publish->superseded);
            *response->mutable_superseded() = *publish->superseded;
          }
          return absl::OkStatus();
        });
      });
}

grpc::Status StandardService::WithdrawStandardVersion(
    grpc::ServerContext* context, const v1::WithdrawStandardVersionRequest* request,
    v1::StandardVersion* response) {
  return Serve(
      registry_, context, Method("WithdrawStandardVersion"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        absl::StatusOr<v1::SealsChoice> seals = domain::WithdrawalSealsChoice(request->seals());
        if (!seals.ok()) return seals.status();
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<v1::Standard> standard =
              RequireStandard(tx.store(), request->standard_id());
          if (!standard.ok()) return standard.status();
          absl::StatusOr<v1::StandardVersion> target =
              RequireVersion(tx.store(), standard->id(), request->version());
          if (!target.ok()) return target.status();
          absl::StatusOr<domain::WithdrawResult> withdraw =
              domain::PlanWithdraw(*standard, *target, request->reason(), tx.now());
          if (!withdraw.ok()) return withdraw.status();
          v1::StandardVersion& withdrawn = withdraw->withdrawn;
          withdrawn.set_withdraw_seals(*seals);
          // What the withdrawal entails, in the same write, each change with its event:
          // the norms adopting the version are marked for their regulators ...
          absl::StatusOr<std::vector<v1::Norm>> norms =
              storage::NormsOfVersion(tx.store(), standard->id(), request->version());
          if (!norms.ok()) return norms.status();
          for (v1::Norm& norm : *norms) {
            if (!domain::MarkNormWithdrawn(norm, withdrawn)) continue;
            storage::PutNorm(tx.writes(), norm);
            tx.Record("norm.standard_withdrawn", domain::Subject(domain::kNormRecord, norm.id()),
                      norm, norm.regulator_id());
            withdrawn.add_marked_norm_ids(norm.id());
          }
          // ... and its seals stop vouching, unless the association keeps them.
          if (*seals == v1::SUSPEND_SEALS) {
            absl::StatusOr<std::vector<std::string>> codes =
                SealCodesOfVersion(tx.store(), standard->id(), request->version());
            if (!codes.ok()) return codes.status();
            SealDecision decision;
            decision.cause = v1::STANDARD_WITHDRAWN;
            decision.authority = v1::ASSOCIATION;
            absl::StatusOr<uint32_t> suspended =
                codes->empty()
                    ? absl::StatusOr<uint32_t>(0u)
                    : DecideSeals(
                          tx, *codes, v1::Seal::SUSPENDED,
                          absl::StrCat("standard version ",
                                       domain::VersionRef(standard->id(), request->version()),
                                       " withdrawn: ", withdrawn.withdraw_reason()),
                          /*lot_id=*/"", decision);
            if (!suspended.ok()) return suspended.status();
            withdrawn.set_seals_suspended(*suspended);
          }
          storage::PutStandard(tx.writes(), withdraw->standard);
          storage::PutStandardVersion(tx.writes(), withdraw->withdrawn);
          tx.Record("standard_version.withdrawn",
                    VersionSubject(standard->id(), request->version()), withdraw->withdrawn);
          *response = withdraw->withdrawn;
          return absl::OkStatus();
        });
      });
}

grpc::Status StandardService::GetStandardVersion(grpc::ServerContext* context,
                                                 const v1::GetStandardVersionRequest* request,
                                                 v1::StandardVersion* response) {
  return Serve(
      registry_, context, Method("GetStandardVersion"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        const storage::Store& store = *registry_.store;
        absl::StatusOr<v1::Standard> standard = RequireStandard(store, request->standard_id());
        if (!standard.ok()) return standard.status();
        uint32_t version = request->version();
        if (version == 0) {
          version = standard->published_version();
          if (version == 0) {
            return absl::NotFoundError(
                absl::StrCat("standard ", standard->id(), " has no published version"));
          }
        }
        absl::StatusOr<v1::StandardVersion> record = RequireVersion(store, standard->id(), version);
        if (!record.ok()) return record.status();
        if (record->status() == v1::StandardVersion::DRAFT && !SeesDrafts(caller)) {
          return absl::PermissionDeniedError(
              absl::StrCat(domain::VersionRef(standard->id(), version),
                           " is a DRAFT; drafts are visible to ADMIN and REGULATOR only"));
        }
        *response = *std::move(record);
        return absl::OkStatus();
      });
}

grpc::Status StandardService::ListStandards(grpc::ServerContext* context,
                                            const v1::ListStandardsRequest* request,
                                            v1::ListStandardsResponse* response) {
  return Serve(registry_, context, Method("ListStandards"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 absl::StatusOr<std::string> next = storage::ListStandardsPage(
                     *registry_.store, request->page_token(), *page_size,
                     [&](v1::Standard&& standard) -> absl::StatusOr<bool> {
                       const absl::Status visible =
                           CheckStandardVisible(*registry_.store, caller, standard);
                       if (absl::IsNotFound(visible)) return false;
                       if (!visible.ok()) return visible;
                       *response->add_standards() = std::move(standard);
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

grpc::Status StandardService::ListStandardVersions(grpc::ServerContext* context,
                                                   const v1::ListStandardVersionsRequest* request,
                                                   v1::ListStandardVersionsResponse* response) {
  return Serve(
      registry_, context, Method("ListStandardVersions"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        absl::StatusOr<int> page_size =
            domain::NormalisePageSize(request->page_size(), registry_.limits.max_page_size);
        if (!page_size.ok()) return page_size.status();
        absl::StatusOr<v1::Standard> standard =
            RequireStandard(*registry_.store, request->standard_id());
        if (!standard.ok()) return standard.status();
        if (absl::Status status = CheckStandardVisible(*registry_.store, caller, *standard);
            !status.ok()) {
          return status;
        }
        absl::StatusOr<std::string> next = storage::ListStandardVersionsPage(
            *registry_.store, standard->id(), request->page_token(), *page_size,
            [&](v1::StandardVersion&& version) -> absl::StatusOr<bool> {
              if (version.status() == v1::StandardVersion::DRAFT && !SeesDrafts(caller)) {
                return false;
              }
              version.clear_stages();
              *response->add_versions() = std::move(version);
              return true;
            });
        if (!next.ok()) return next.status();
        response->set_next_page_token(*next);
        return absl::OkStatus();
      });
}

}  // namespace sello::service
