#include "daemon/domain/standard_lifecycle.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/text.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

using v1::StandardVersion;

constexpr size_t kMaxReasonLength = 1000;

std::string StatusName(StandardVersion::Status status) {
  const std::string& name = StandardVersion::Status_Name(status);
  return name.empty() ? absl::StrCat("status ", static_cast<int>(status)) : name;
}

std::string Ref(const StandardVersion& version) {
  return VersionRef(version.standard_id(), version.version());
}

// "CSCS@1 is PUBLISHED".
std::string StateOf(const StandardVersion& version) {
  return absl::StrCat(Ref(version), " is ", StatusName(version.status()));
}

// The author-written content of `content`, without any server-set field the author
// may have sent.
StandardVersion AuthoredContent(const StandardVersion& content) {
  StandardVersion out;
  out.set_standard_id(content.standard_id());
  out.set_version(content.version());
  out.set_title(content.title());
  out.set_description(content.description());
  *out.mutable_stages() = content.stages();
  out.set_seal_validity_days(content.seal_validity_days());
  *out.mutable_sealed_stages() = content.sealed_stages();
  return out;
}

}  // namespace

absl::StatusOr<PushResult> PlanPush(const std::optional<v1::Standard>& standard,
                                    const std::optional<StandardVersion>& existing,
                                    const StandardVersion& content, absl::Time now) {
  const std::string& id = content.standard_id();
  if (standard.has_value() && standard->id() != id) {
    return absl::InternalError(
        absl::StrCat("PlanPush: standard ", standard->id(), " given for a version of ", id));
  }
  if (existing.has_value() && (!standard.has_value() || existing->standard_id() != id ||
                               existing->version() != content.version())) {
    return absl::InternalError(absl::StrCat("PlanPush: ", Ref(*existing), " given for ",
                                            VersionRef(id, content.version())));
  }

  PushResult result;
  result.version = AuthoredContent(content);
  result.version.set_status(StandardVersion::DRAFT);
  *result.version.mutable_update_time() = ToProto(now);

  if (existing.has_value()) {
    if (existing->status() != StandardVersion::DRAFT) {
      return absl::FailedPreconditionError(
          absl::StrCat(StateOf(*existing), "; push a new version instead"));
    }
    *result.version.mutable_create_time() = existing->create_time();
    result.created = false;
  } else {
    const uint32_t next = standard.has_value() ? standard->latest_version() + 1 : 1;
    if (content.version() != next) {
      return absl::FailedPreconditionError(
          absl::StrCat("version ", content.version(), ": the next version of ", id, " is ", next));
    }
    *result.version.mutable_create_time() = ToProto(now);
    result.created = true;
  }

  if (standard.has_value()) {
    result.standard = *standard;
  } else {
    result.standard.set_id(id);
    *result.standard.mutable_create_time() = ToProto(now);
  }
  // Replacing an older draft leaves the newest version's title in place.
  if (content.version() >= result.standard.latest_version()) {
    result.standard.set_title(content.title());
    result.standard.set_latest_version(content.version());
  }
  *result.standard.mutable_update_time() = ToProto(now);
  return result;
}

absl::StatusOr<PublishResult> PlanPublish(const v1::Standard& standard,
                                          const StandardVersion& target,
                                          const std::optional<StandardVersion>& current,
                                          std::optional<absl::Time> previous_cessation,
                                          absl::Time now) {
  if (previous_cessation.has_value() && *previous_cessation < now) {
    return absl::InvalidArgumentError(
        absl::StrCat("previous_cessation_time: ", FormatTime(ToProto(*previous_cessation)),
                     " lies in the past (now is ", FormatTime(ToProto(now)), ")"));
  }
  if (target.standard_id() != standard.id() ||
      (current.has_value() && current->standard_id() != standard.id()) ||
      standard.published_version() != (current.has_value() ? current->version() : 0)) {
    return absl::InternalError(absl::StrCat("PlanPublish: the records given do not match ",
                                            standard.id(), "'s published version ",
                                            standard.published_version()));
  }
  if (target.status() != StandardVersion::DRAFT) {
    return absl::FailedPreconditionError(
        absl::StrCat(StateOf(target), "; only a DRAFT can be published"));
  }
  if (current.has_value()) {
    if (current->status() != StandardVersion::PUBLISHED) {
      return absl::InternalError(absl::StrCat("PlanPublish: current ", StateOf(*current)));
    }
    if (target.version() <= current->version()) {
      return absl::FailedPreconditionError(
          absl::StrCat(Ref(target), " is not newer than the PUBLISHED ", Ref(*current)));
    }
  }

  PublishResult result;
  result.published = target;
  result.published.set_status(StandardVersion::PUBLISHED);
  *result.published.mutable_publish_time() = ToProto(now);
  *result.published.mutable_update_time() = ToProto(now);
  if (current.has_value()) {
    StandardVersion& superseded = result.superseded.emplace(*current);
    superseded.set_status(StandardVersion::SUPERSEDED);
    superseded.set_superseded_by(target.version());
    *superseded.mutable_cessation_time() =
        ToProto(previous_cessation.value_or(now + kDefaultTransition));
    *superseded.mutable_update_time() = ToProto(now);
  }
  result.standard = standard;
  result.standard.set_published_version(target.version());
  *result.standard.mutable_update_time() = ToProto(now);
  return result;
}

absl::StatusOr<WithdrawResult> PlanWithdraw(const v1::Standard& standard,
                                            const StandardVersion& target, absl::string_view reason,
                                            absl::Time now) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(reason);
  if (trimmed.empty()) return absl::InvalidArgumentError("reason: required");
  if (const size_t length = CharCount(trimmed); length > kMaxReasonLength) {
    return absl::InvalidArgumentError(absl::StrCat("reason: must be at most ", kMaxReasonLength,
                                                   " characters (got ", length, ")"));
  }
  if (target.standard_id() != standard.id()) {
    return absl::InternalError(
        absl::StrCat("PlanWithdraw: ", Ref(target), " is not a version of ", standard.id()));
  }
  switch (target.status()) {
    case StandardVersion::DRAFT:
    case StandardVersion::PUBLISHED:
    case StandardVersion::SUPERSEDED:
      break;
    default:
      return absl::FailedPreconditionError(StateOf(target));
  }

  WithdrawResult result;
  result.withdrawn = target;
  result.withdrawn.set_status(StandardVersion::WITHDRAWN);
  *result.withdrawn.mutable_withdraw_time() = ToProto(now);
  result.withdrawn.set_withdraw_reason(std::string(trimmed));
  *result.withdrawn.mutable_update_time() = ToProto(now);
  result.standard = standard;
  if (standard.published_version() == target.version()) result.standard.set_published_version(0);
  *result.standard.mutable_update_time() = ToProto(now);
  return result;
}

bool IsAcceptableAt(const StandardVersion& version, absl::Time at) {
  switch (version.status()) {
    case StandardVersion::PUBLISHED:
      return at >= FromProto(version.publish_time());
    case StandardVersion::SUPERSEDED:
      return at >= FromProto(version.publish_time()) && at < FromProto(version.cessation_time());
    default:
      return false;
  }
}

std::string VersionRef(absl::string_view standard_id, uint32_t version) {
  return absl::StrCat(standard_id, "@", version);
}

}  // namespace sello::domain
