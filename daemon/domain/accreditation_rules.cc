#include "daemon/domain/accreditation_rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/problem.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

constexpr size_t kMaxReason = 1000;
constexpr int kMaxScope = 50;

std::string StatusName(v1::Accreditation::Status status) {
  return v1::Accreditation::Status_Name(status);
}

bool Covers(const v1::AccreditationScope& scope, const std::vector<std::string>& stages,
            std::string* missing) {
  if (scope.stage_ids().empty()) return true;
  for (const std::string& stage : stages) {
    if (std::find(scope.stage_ids().begin(), scope.stage_ids().end(), stage) ==
        scope.stage_ids().end()) {
      *missing = stage;
      return false;
    }
  }
  return true;
}

std::string Day(const google::protobuf::Timestamp& time) { return FormatTime(time).substr(0, 10); }

}  // namespace

absl::Status ValidateNewAccreditation(const v1::Accreditation& accreditation) {
  std::vector<Problem> problems;
  if (accreditation.certifier_id().empty()) {
    problems.push_back({"accreditation.certifier_id", "required"});
  }
  if (accreditation.scope().empty()) {
    problems.push_back({"accreditation.scope", "required: at least one standard"});
  } else if (accreditation.scope_size() > kMaxScope) {
    problems.push_back({"accreditation.scope", absl::StrCat("more than ", kMaxScope, " entries")});
  }
  std::set<std::string> standards;
  for (int i = 0; i < accreditation.scope_size(); ++i) {
    const v1::AccreditationScope& scope = accreditation.scope(i);
    const std::string path = absl::StrCat("accreditation.scope[", i, "]");
    if (scope.standard_id().empty()) {
      problems.push_back({path + ".standard_id", "required"});
    } else if (!standards.insert(scope.standard_id()).second) {
      problems.push_back(
          {path + ".standard_id", absl::StrCat("'", scope.standard_id(), "' is listed twice")});
    }
    std::set<std::string> stages;
    for (int j = 0; j < scope.stage_ids_size(); ++j) {
      if (scope.stage_ids(j).empty() || !stages.insert(scope.stage_ids(j)).second) {
        problems.push_back({absl::StrCat(path, ".stage_ids[", j, "]"), "empty or repeated"});
      }
    }
  }
  if (!IsSet(accreditation.valid_from())) {
    problems.push_back({"accreditation.valid_from", "required"});
  }
  if (!IsSet(accreditation.valid_until())) {
    problems.push_back({"accreditation.valid_until", "required"});
  } else if (IsSet(accreditation.valid_from()) &&
             FromProto(accreditation.valid_until()) <= FromProto(accreditation.valid_from())) {
    problems.push_back({"accreditation.valid_until", "must be after valid_from"});
  }
  return ProblemsToStatus("", problems);
}

absl::Status ChangeAccreditationStatus(v1::Accreditation& accreditation,
                                       v1::Accreditation::Status target, absl::string_view reason,
                                       absl::Time now) {
  if (reason.empty()) return absl::InvalidArgumentError("reason: required");
  if (reason.size() > kMaxReason) {
    return absl::InvalidArgumentError(absl::StrCat("reason: longer than ", kMaxReason, " bytes"));
  }
  const v1::Accreditation::Status from = accreditation.status();
  const bool legal =
      (from == v1::Accreditation::ACTIVE && target == v1::Accreditation::SUSPENDED) ||
      (from == v1::Accreditation::SUSPENDED && target == v1::Accreditation::ACTIVE) ||
      ((from == v1::Accreditation::ACTIVE || from == v1::Accreditation::SUSPENDED) &&
       target == v1::Accreditation::WITHDRAWN);
  if (!legal) {
    return absl::FailedPreconditionError(absl::StrCat("accreditation ", accreditation.id(), " is ",
                                                      StatusName(from), "; cannot become ",
                                                      StatusName(target)));
  }
  accreditation.set_status(target);
  accreditation.set_status_reason(std::string(reason));
  *accreditation.mutable_update_time() = ToProto(now);
  v1::AccreditationStatusChange* change = accreditation.add_history();
  change->set_status(target);
  *change->mutable_time() = ToProto(now);
  change->set_reason(std::string(reason));
  return absl::OkStatus();
}

absl::Status CheckSealsChoice(v1::Accreditation::Status target, v1::SealsChoice seals) {
  const bool chosen = seals == v1::KEEP_SEALS || seals == v1::SUSPEND_SEALS;
  if (target == v1::Accreditation::ACTIVE) {
    if (seals == v1::SEALS_CHOICE_UNSPECIFIED) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "seals: only for suspending or withdrawing; reinstating an accreditation leaves the "
        "seals as they are (ADMIN reinstates suspended seals by code or by lot)");
  }
  if (chosen) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "seals: ",
      seals == v1::SEALS_CHOICE_UNSPECIFIED ? "required" : absl::StrCat("unknown value ", seals),
      ": say whether the certifier's current seals stay valid (KEEP_SEALS, --seals keep) or "
      "are suspended (SUSPEND_SEALS, --seals suspend)"));
}

v1::Accreditation::Status StatusAt(const v1::Accreditation& accreditation, absl::Time at) {
  // Before its first recorded change the accreditation had its initial status (it may
  // be created with a validity that starts in the past).
  v1::Accreditation::Status status =
      accreditation.history().empty() ? accreditation.status() : accreditation.history(0).status();
  for (const v1::AccreditationStatusChange& change : accreditation.history()) {
    if (FromProto(change.time()) > at) break;
    status = change.status();
  }
  return status;
}

namespace {

struct CheckOptions {
  // The status now must be ACTIVE too, not only the status then.
  bool require_active_now = false;
  // What the certifier may not do, for the refusal: "inspect", "issue seals".
  absl::string_view activity = "inspect";
  // Say EXPIRED / not yet valid rather than the validity period and the date.
  bool validity_as_status = false;
};

absl::Status CheckAccredited(const std::vector<v1::Accreditation>& accreditations,
                             absl::string_view standard_id, const std::vector<std::string>& stages,
                             absl::Time at, const CheckOptions& options) {
  // The most telling refusal when none fits, from the closest match.
  std::string refusal = absl::StrCat("no accreditation for standard ", standard_id);
  for (const v1::Accreditation& accreditation : accreditations) {
    const auto scope = std::find_if(
        accreditation.scope().begin(), accreditation.scope().end(),
        [&](const v1::AccreditationScope& s) { return s.standard_id() == standard_id; });
    if (scope == accreditation.scope().end()) continue;
    std::string missing;
    if (!Covers(*scope, stages, &missing)) {
      refusal =
          absl::StrCat("stage ", missing, " is outside the scope of accreditation ",
                       accreditation.id(), " (", absl::StrJoin(scope->stage_ids(), ", "), ")");
      continue;
    }
    const bool before = at < FromProto(accreditation.valid_from());
    const bool after = at >= FromProto(accreditation.valid_until());
    if (before || after) {
      if (!options.validity_as_status) {
        refusal = absl::StrCat("accreditation ", accreditation.id(), " is valid from ",
                               Day(accreditation.valid_from()), " until ",
                               Day(accreditation.valid_until()), ", not on ",
                               absl::FormatTime("%Y-%m-%d", at, absl::UTCTimeZone()));
      } else if (after) {
        refusal = absl::StrCat("accreditation ", accreditation.id(), " is EXPIRED (valid until ",
                               Day(accreditation.valid_until()), ")");
      } else {
        refusal = absl::StrCat("accreditation ", accreditation.id(), " is not valid until ",
                               Day(accreditation.valid_from()));
      }
      continue;
    }
    const v1::Accreditation::Status status = StatusAt(accreditation, at);
    const bool active_now =
        !options.require_active_now || accreditation.status() == v1::Accreditation::ACTIVE;
    if (status != v1::Accreditation::ACTIVE || !active_now) {
      refusal = absl::StrCat(
          "accreditation ", accreditation.id(), " is ",
          StatusName(status != v1::Accreditation::ACTIVE ? status : accreditation.status()),
          accreditation.status_reason().empty()
              ? ""
              : absl::StrCat(" (", accreditation.status_reason(), ")"));
      continue;
    }
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("certifier may not ", options.activity, ": ", refusal));
}

}  // namespace

absl::Status CheckAccreditedFor(const std::vector<v1::Accreditation>& accreditations,
                                absl::string_view standard_id,
                                const std::vector<std::string>& stages, absl::Time at) {
  return CheckAccredited(accreditations, standard_id, stages, at, {.require_active_now = true});
}

absl::Status CheckAccreditedOn(const std::vector<v1::Accreditation>& accreditations,
                               absl::string_view standard_id,
                               const std::vector<std::string>& stages, absl::Time at) {
  return CheckAccredited(accreditations, standard_id, stages, at, {.require_active_now = false});
}

absl::Status CheckAccreditedToSeal(const std::vector<v1::Accreditation>& accreditations,
                                   absl::string_view standard_id,
                                   const std::vector<std::string>& stages, absl::Time now) {
  return CheckAccredited(
      accreditations, standard_id, stages, now,
      {.require_active_now = true, .activity = "issue seals", .validity_as_status = true});
}

bool ScopeCovers(const v1::Accreditation& accreditation, absl::string_view standard_id,
                 const std::vector<std::string>& stages) {
  for (const v1::AccreditationScope& scope : accreditation.scope()) {
    if (scope.standard_id() != standard_id) continue;
    if (scope.stage_ids().empty()) return true;
    for (const std::string& stage : stages) {
      if (std::find(scope.stage_ids().begin(), scope.stage_ids().end(), stage) !=
          scope.stage_ids().end()) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace sello::domain
