#include "daemon/domain/organisation_rules.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/text.h"
#include "daemon/domain/problem.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

using v1::MembershipPeriod;
using v1::Organisation;

constexpr size_t kMinIdLength = 2;
constexpr size_t kMaxIdLength = 40;
constexpr size_t kMaxNameLength = 200;
constexpr size_t kMaxSiteTypeLength = 32;
constexpr size_t kMaxRegistrationCodeLength = 64;
constexpr int kDefaultPageSize = 50;

bool IsIdStart(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c); }
bool IsIdChar(char c) { return IsIdStart(c) || c == '-'; }
bool IsSiteTypeChar(char c) { return absl::ascii_islower(c) || c == '_'; }

// Adds a problem when `value` is blank or longer than `max_length` characters.
void CheckText(std::string path, absl::string_view value, size_t max_length,
               std::vector<Problem>& problems) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    problems.push_back({std::move(path), "required"});
  } else if (const size_t length = CharCount(value); length > max_length) {
    problems.push_back({std::move(path), absl::StrCat("must be at most ", max_length,
                                                      " characters (got ", length, ")")});
  }
}

// Periods of a new firm: each starts, only the last is open, and they follow each
// other without overlapping (ApplyMembership keeps the same shape).
void CheckMembership(const Organisation& organisation, std::vector<Problem>& problems) {
  const int count = organisation.membership_size();
  for (int i = 0; i < count; ++i) {
    const MembershipPeriod& period = organisation.membership(i);
    const std::string path = absl::StrCat("organisation.membership[", i, "]");
    if (!IsSet(period.since())) {
      problems.push_back({absl::StrCat(path, ".since"), "required"});
    } else if (i > 0 && IsSet(organisation.membership(i - 1).until()) &&
               FromProto(period.since()) < FromProto(organisation.membership(i - 1).until())) {
      problems.push_back({absl::StrCat(path, ".since"),
                          absl::StrCat("overlaps organisation.membership[", i - 1, "]")});
    }
    if (!IsSet(period.until())) {
      if (i + 1 < count) {
        problems.push_back(
            {absl::StrCat(path, ".until"), "required: only the last period is open"});
      }
    } else if (IsSet(period.since()) && FromProto(period.until()) < FromProto(period.since())) {
      problems.push_back({absl::StrCat(path, ".until"), "lies before since"});
    }
  }
}

std::string KindName(Organisation::Kind kind) {
  const std::string& name = Organisation::Kind_Name(kind);
  return name.empty() ? absl::StrCat("kind ", static_cast<int>(kind)) : name;
}

std::string FormatUtc(absl::Time time) { return FormatTime(ToProto(time)); }

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  std::string reason;
  if (id.empty()) {
    reason = "required";
  } else if (id.size() < kMinIdLength || id.size() > kMaxIdLength) {
    reason = absl::StrCat(Quote(id), " must be ", kMinIdLength, " to ", kMaxIdLength,
                          " characters long (got ", id.size(), ")");
  } else if (!IsIdStart(id.front())) {
    reason = absl::StrCat(Quote(id), " must start with a-z or 0-9");
  } else if (const auto bad = std::find_if_not(id.begin(), id.end(), IsIdChar); bad != id.end()) {
    reason = absl::StrCat(Quote(id), " may contain only a-z, 0-9 and '-' (found '",
                          absl::CHexEscape(absl::string_view(&*bad, 1)), "')");
  } else {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::Status ValidateNewOrganisation(const Organisation& organisation) {
  std::vector<Problem> problems;
  const Organisation::Kind kind = organisation.kind();
  if (kind == Organisation::KIND_UNSPECIFIED) {
    problems.push_back(
        {"organisation.kind", "required: ASSOCIATION, CERTIFIER, FIRM or REGULATOR"});
  } else if (!Organisation::Kind_IsValid(kind)) {
    problems.push_back({"organisation.kind", absl::StrCat("unknown ", KindName(kind))});
  }
  CheckText("organisation.name", organisation.name(), kMaxNameLength, problems);
  const std::string& country = organisation.country();
  if (country.empty()) {
    problems.push_back({"organisation.country", "required"});
  } else if (country.size() != 2 || !absl::ascii_isupper(country[0]) ||
             !absl::ascii_isupper(country[1])) {
    problems.push_back(
        {"organisation.country",
         absl::StrCat(Quote(country), " is not an ISO 3166-1 alpha-2 code (e.g. \"CL\")")});
  }
  if (kind == Organisation::FIRM) {
    CheckMembership(organisation, problems);
  } else if (kind != Organisation::KIND_UNSPECIFIED) {
    if (organisation.member()) {
      problems.push_back({"organisation.member", "only a FIRM can be a member"});
    }
    if (organisation.membership_size() > 0) {
      problems.push_back({"organisation.membership", "only a FIRM can be a member"});
    }
  }
  return ProblemsToStatus("", problems);
}

absl::Status ValidateNewSite(const v1::Site& site) {
  std::vector<Problem> problems;
  if (site.firm_id().empty()) problems.push_back({"site.firm_id", "required"});
  const std::string& type = site.type();
  if (type.empty()) {
    problems.push_back({"site.type", "required"});
  } else if (type.size() > kMaxSiteTypeLength || !absl::ascii_islower(type.front()) ||
             !std::all_of(type.begin(), type.end(), IsSiteTypeChar)) {
    problems.push_back(
        {"site.type", absl::StrCat(Quote(type), " must be 1 to ", kMaxSiteTypeLength,
                                   " characters of a-z and '_', starting with a letter")});
  }
  CheckText("site.name", site.name(), kMaxNameLength, problems);
  CheckText("site.region", site.region(), kMaxNameLength, problems);
  CheckText("site.registration_code", site.registration_code(), kMaxRegistrationCodeLength,
            problems);
  return ProblemsToStatus("", problems);
}

v1::Role RoleForKind(Organisation::Kind kind) {
  switch (kind) {
    case Organisation::ASSOCIATION:
      return v1::ADMIN;
    case Organisation::CERTIFIER:
      return v1::CERTIFIER;
    case Organisation::FIRM:
      return v1::FIRM;
    case Organisation::REGULATOR:
      return v1::REGULATOR;
    default:
      return v1::ROLE_UNSPECIFIED;
  }
}

absl::Status ApplyMembership(Organisation& firm, bool member, absl::Time effective) {
  if (firm.kind() != Organisation::FIRM) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation ", firm.id(), " is a ", KindName(firm.kind()), ", not a FIRM"));
  }
  MembershipPeriod* last =
      firm.membership().empty() ? nullptr : firm.mutable_membership(firm.membership_size() - 1);
  const bool is_member = last != nullptr && !IsSet(last->until());
  if (member) {
    if (is_member) {
      return absl::FailedPreconditionError(absl::StrCat(
          "firm ", firm.id(), " is already a member (since ", FormatTime(last->since()), ")"));
    }
    // Periods never overlap, so a new one starts no earlier than the last one ended.
    if (last != nullptr && effective < FromProto(last->until())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "effective_time: ", FormatUtc(effective), " lies before the end of the last membership (",
          FormatTime(last->since()), " to ", FormatTime(last->until()), ")"));
    }
    *firm.add_membership()->mutable_since() = ToProto(effective);
  } else {
    if (!is_member) {
      return absl::FailedPreconditionError(absl::StrCat("firm ", firm.id(), " is not a member"));
    }
    if (effective < FromProto(last->since())) {
      return absl::InvalidArgumentError(
          absl::StrCat("effective_time: ", FormatUtc(effective),
                       " lies before the start of the current membership (since ",
                       FormatTime(last->since()), ")"));
    }
    *last->mutable_until() = ToProto(effective);
  }
  firm.set_member(member);
  return absl::OkStatus();
}

bool IsMemberAt(const Organisation& firm, absl::Time at) {
  return std::any_of(firm.membership().begin(), firm.membership().end(),
                     [at](const MembershipPeriod& period) {
                       return FromProto(period.since()) <= at &&
                              (!IsSet(period.until()) || at < FromProto(period.until()));
                     });
}

absl::StatusOr<int> NormalisePageSize(int requested, int max_page_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative (got ", requested, ")"));
  }
  if (requested == 0) return std::min(kDefaultPageSize, max_page_size);
  return std::min(requested, max_page_size);
}

}  // namespace sello::domain
