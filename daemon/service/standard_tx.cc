#include "daemon/service/standard_tx.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/standard_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/domain/withdrawal_rules.h"
#include "daemon/service/seal_tx.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

// "standard_version/CSCS@2".
std::string VersionSubject(absl::string_view standard_id, uint32_t version) {
  return domain::Subject(domain::kStandardVersionRecord, domain::VersionRef(standard_id, version));
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

// The norms adopting `withdrawn` are marked for their regulators, each with its event.
absl::Status MarkNorms(storage::Transaction& tx, v1::StandardVersion& withdrawn) {
  absl::StatusOr<std::vector<v1::Norm>> norms =
      storage::NormsOfVersion(tx.store(), withdrawn.standard_id(), withdrawn.version());
  if (!norms.ok()) return norms.status();
  for (v1::Norm& norm : *norms) {
    if (!domain::MarkNormWithdrawn(norm, withdrawn)) continue;
    storage::PutNorm(tx.writes(), norm);
    tx.Record("norm.standard_withdrawn", domain::Subject(domain::kNormRecord, norm.id()), norm,
              norm.regulator_id());
    withdrawn.add_marked_norm_ids(norm.id());
  }
  return absl::OkStatus();
}

// The seals of `withdrawn` stop vouching: suspended with the association's authority.
absl::Status SuspendSeals(storage::Transaction& tx, v1::StandardVersion& withdrawn) {
  absl::StatusOr<std::vector<std::string>> codes =
      SealCodesOfVersion(tx.store(), withdrawn.standard_id(), withdrawn.version());
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
                             domain::VersionRef(withdrawn.standard_id(), withdrawn.version()),
                             " withdrawn: ", withdrawn.withdraw_reason()),
                /*lot_id=*/"", decision);
  if (!suspended.ok()) return suspended.status();
  withdrawn.set_seals_suspended(*suspended);
  return absl::OkStatus();
}

}  // namespace

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

absl::StatusOr<v1::StandardVersion> PushStandardVersionTx(
    storage::Transaction& tx, const v1::PushStandardVersionRequest& request) {
  const v1::StandardVersion& content = request.version();
  absl::StatusOr<std::optional<v1::Standard>> standard =
      storage::FindStandard(tx.store(), content.standard_id());
  if (!standard.ok()) return standard.status();
  absl::StatusOr<std::optional<v1::StandardVersion>> existing =
      storage::FindStandardVersion(tx.store(), content.standard_id(), content.version());
  if (!existing.ok()) return existing.status();
  absl::StatusOr<domain::PushResult> push =
      domain::PlanPush(*standard, *existing, content, tx.now());
  if (!push.ok()) return push.status();
  if (request.validate_only()) return std::move(push->version);
  storage::PutStandard(tx.writes(), push->standard);
  storage::PutStandardVersion(tx.writes(), push->version);
  tx.Record(push->created ? "standard_version.created" : "standard_version.replaced",
            VersionSubject(content.standard_id(), content.version()), push->version);
  return std::move(push->version);
}

absl::StatusOr<v1::PublishStandardVersionResponse> PublishStandardVersionTx(
    storage::Transaction& tx, const v1::PublishStandardVersionRequest& request) {
  absl::StatusOr<v1::Standard> standard = RequireStandard(tx.store(), request.standard_id());
  if (!standard.ok()) return standard.status();
  absl::StatusOr<v1::StandardVersion> target =
      RequireVersion(tx.store(), standard->id(), request.version());
  if (!target.ok()) return target.status();
  absl::StatusOr<std::optional<v1::StandardVersion>> current =
      CurrentVersion(tx.store(), *standard);
  if (!current.ok()) return current.status();
  std::optional<absl::Time> cessation;
  if (request.has_previous_cessation_time()) {
    cessation = domain::FromProto(request.previous_cessation_time());
  }
  absl::StatusOr<domain::PublishResult> publish =
      domain::PlanPublish(*standard, *target, *current, cessation, tx.now());
  if (!publish.ok()) return publish.status();
  v1::PublishStandardVersionResponse response;
  storage::PutStandard(tx.writes(), publish->standard);
  storage::PutStandardVersion(tx.writes(), publish->published);
  tx.Record("standard_version.published", VersionSubject(standard->id(), request.version()),
            publish->published);
  *response.mutable_published() = publish->published;
  if (publish->superseded.has_value()) {
    storage::PutStandardVersion(tx.writes(), *publish->superseded);
    tx.Record("standard_version.superseded",
              VersionSubject(standard->id(), publish->superseded->version()), *publish->superseded);
    *response.mutable_superseded() = *publish->superseded;
  }
  return response;
}

absl::StatusOr<v1::StandardVersion> WithdrawStandardVersionTx(
    storage::Transaction& tx, const v1::WithdrawStandardVersionRequest& request,
    v1::SealsChoice seals) {
  absl::StatusOr<v1::Standard> standard = RequireStandard(tx.store(), request.standard_id());
  if (!standard.ok()) return standard.status();
  absl::StatusOr<v1::StandardVersion> target =
      RequireVersion(tx.store(), standard->id(), request.version());
  if (!target.ok()) return target.status();
  absl::StatusOr<domain::WithdrawResult> withdraw =
      domain::PlanWithdraw(*standard, *target, request.reason(), tx.now());
  if (!withdraw.ok()) return withdraw.status();
  v1::StandardVersion& withdrawn = withdraw->withdrawn;
  withdrawn.set_withdraw_seals(seals);
  // What the withdrawal entails, in the same write, each change with its event: the
  // norms adopting the version are marked for their regulators, and its seals stop
  // vouching, unless the association keeps them.
  if (absl::Status status = MarkNorms(tx, withdrawn); !status.ok()) return status;
  if (seals == v1::SUSPEND_SEALS) {
    if (absl::Status status = SuspendSeals(tx, withdrawn); !status.ok()) return status;
  }
  storage::PutStandard(tx.writes(), withdraw->standard);
  storage::PutStandardVersion(tx.writes(), withdrawn);
  tx.Record("standard_version.withdrawn", VersionSubject(standard->id(), request.version()),
            withdrawn);
  return std::move(withdrawn);
}

}  // namespace sello::service
