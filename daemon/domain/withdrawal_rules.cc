#include "daemon/domain/withdrawal_rules.h"

#include "absl/strings/str_cat.h"
#include "daemon/domain/compliance.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {

absl::StatusOr<v1::SealsChoice> WithdrawalSealsChoice(v1::SealsChoice requested) {
  switch (requested) {
    case v1::SEALS_CHOICE_UNSPECIFIED:
      return v1::SUSPEND_SEALS;
    case v1::KEEP_SEALS:
    case v1::SUSPEND_SEALS:
      return requested;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("seals: unknown value ", requested, " (KEEP_SEALS or SUSPEND_SEALS)"));
  }
}

bool MarkNormWithdrawn(v1::Norm& norm, const v1::StandardVersion& withdrawn) {
  if (norm.standard_id() != withdrawn.standard_id() ||
      norm.standard_version() != withdrawn.version() || norm.has_standard_withdrawn()) {
    return false;
  }
  if (NormStatusAt(norm, FromProto(withdrawn.withdraw_time())) == v1::Norm::REPEALED) return false;
  v1::NormStandardWithdrawal* mark = norm.mutable_standard_withdrawn();
  *mark->mutable_time() = withdrawn.withdraw_time();
  mark->set_reason(withdrawn.withdraw_reason());
  return true;
}

std::string WithdrawnStandardNotice(const v1::Norm& norm, absl::Time at) {
  if (!norm.has_standard_withdrawn() || at < FromProto(norm.standard_withdrawn().time())) {
    return "";
  }
  return absl::StrCat("the version this norm adopts, ",
                      VersionRef(norm.standard_id(), norm.standard_version()),
                      ", was WITHDRAWN by the association on ",
                      FormatTime(norm.standard_withdrawn().time()).substr(0, 10), " (",
                      norm.standard_withdrawn().reason(), "); norm ", norm.id(),
                      " stays in force until its regulator repeals or replaces it");
}

}  // namespace sello::domain
