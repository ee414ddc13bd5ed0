#include "daemon/domain/standard_diff.h"

#include <charconv>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/text.h"

namespace sello::domain {
namespace {

using v1::Criterion;
using v1::GradeRange;
using v1::Stage;
using v1::StandardVersion;

// Longer text (a description, say) is reported as "changed" rather than printed.
constexpr size_t kMaxQuotedLength = 200;

std::string DiffValue(absl::string_view text) {
  if (text.empty()) return "(none)";
  return absl::StrCat("'", text, "'");
}

// "field: 'old' -> 'new'", or "field: changed" when either side is too long to print;
// nothing when equal.
void DiffText(absl::string_view field, absl::string_view from, absl::string_view to,
              std::vector<std::string>& out) {
  if (from == to) return;
  if (from.size() > kMaxQuotedLength || to.size() > kMaxQuotedLength) {
    out.push_back(absl::StrCat(field, ": changed"));
  } else {
    out.push_back(absl::StrCat(field, ": ", DiffValue(from), " -> ", DiffValue(to)));
  }
}

std::string GradeName(v1::Grade grade) {
  if (grade == v1::GRADE_UNSPECIFIED) return "(none)";
  const std::string& name = v1::Grade_Name(grade);
  return name.empty() ? absl::StrCat(static_cast<int>(grade)) : name;
}

std::string KindName(Criterion::Kind kind) {
  const std::string& name = Criterion::Kind_Name(kind);
  return name.empty() ? absl::StrCat(static_cast<int>(kind)) : name;
}

// "grades.premium: max 24 -> 20" for one bound of one grade.
void DiffBound(absl::string_view field, absl::string_view bound, bool from_set, double from,
               bool to_set, double to, std::vector<std::string>& out) {
  if (from_set == to_set && (!from_set || from == to)) return;
  out.push_back(absl::StrCat(field, ": ", bound, " ", from_set ? FormatNumber(from) : "(none)",
                             " -> ", to_set ? FormatNumber(to) : "(none)"));
}

void DiffRange(absl::string_view field, const GradeRange& from, const GradeRange& to,
               std::vector<std::string>& out) {
  DiffBound(field, "min", from.has_min(), from.min(), to.has_min(), to.min(), out);
  DiffBound(field, "max", from.has_max(), from.max(), to.has_max(), to.max(), out);
}

// One line per changed attribute, in the order of the Criterion message's fields.
std::vector<std::string> DiffCriterion(const std::string& from_stage, const Criterion& from,
                                       const std::string& to_stage, const Criterion& to) {
  std::vector<std::string> details;
  if (from_stage != to_stage)
    details.push_back(absl::StrCat("stage: ", from_stage, " -> ", to_stage));
  DiffText("name", from.name(), to.name(), details);
  if (from.kind() != to.kind()) {
    details.push_back(absl::StrCat("kind: ", KindName(from.kind()), " -> ", KindName(to.kind())));
  }
  if (from.critical() != to.critical()) {
    details.push_back(absl::StrCat("critical: ", from.critical() ? "true" : "false", " -> ",
                                   to.critical() ? "true" : "false"));
  }
  if (from.caps_at() != to.caps_at()) {
    details.push_back(
        absl::StrCat("caps_at: ", GradeName(from.caps_at()), " -> ", GradeName(to.caps_at())));
  }
  DiffText("unit", from.unit(), to.unit(), details);
  DiffRange("grades.premium", from.grades().premium(), to.grades().premium(), details);
  DiffRange("grades.grade_i", from.grades().grade_i(), to.grades().grade_i(), details);
  DiffRange("grades.industrial", from.grades().industrial(), to.grades().industrial(), details);
  DiffText("description", from.description(), to.description(), details);
  return details;
}

void DiffHeader(const StandardVersion& from, const StandardVersion& to,
                std::vector<std::string>& out) {
  DiffText("title", from.title(), to.title(), out);
  DiffText("description", from.description(), to.description(), out);
  if (from.seal_validity_days() != to.seal_validity_days()) {
    out.push_back(absl::StrCat("seal_validity_days: ", from.seal_validity_days(), " -> ",
                               to.seal_validity_days()));
  }
  // Compared as written: the same stages named in another order are no change.
  const auto sealed = [](const StandardVersion& version) {
    return version.sealed_stages().empty() ? std::string("(every stage)")
                                           : absl::StrJoin(version.sealed_stages(), ", ");
  };
  std::set<std::string> from_sealed(from.sealed_stages().begin(), from.sealed_stages().end());
  std::set<std::string> to_sealed(to.sealed_stages().begin(), to.sealed_stages().end());
  if (from_sealed != to_sealed) {
    out.push_back(absl::StrCat("sealed_stages: ", sealed(from), " -> ", sealed(to)));
  }
}

void DiffStages(const StandardVersion& from, const StandardVersion& to,
                std::vector<std::string>& out) {
  std::map<absl::string_view, const Stage*> from_stages;
  for (const Stage& stage : from.stages()) from_stages.emplace(stage.id(), &stage);
  std::set<absl::string_view> to_ids;
  std::vector<absl::string_view> kept_in_to_order;
  for (const Stage& stage : to.stages()) {
    to_ids.insert(stage.id());
    const auto it = from_stages.find(stage.id());
    if (it == from_stages.end()) {
      out.push_back(absl::StrCat("stage added: ", stage.id()));
      continue;
    }
    kept_in_to_order.push_back(stage.id());
    if (it->second->name() != stage.name()) {
      out.push_back(absl::StrCat("stage renamed: ", stage.id(), ": ", DiffValue(it->second->name()),
                                 " -> ", DiffValue(stage.name())));
    }
  }
  std::vector<absl::string_view> kept_in_from_order;
  for (const Stage& stage : from.stages()) {
    if (to_ids.contains(stage.id())) {
      kept_in_from_order.push_back(stage.id());
    } else {
      out.push_back(absl::StrCat("stage removed: ", stage.id()));
    }
  }
  // Only the relative order of the stages both versions have: an added or removed
  // stage does not count as moving the others.
  if (kept_in_from_order != kept_in_to_order) {
    out.push_back(absl::StrCat("stage order: ", absl::StrJoin(kept_in_from_order, ", "), " -> ",
                               absl::StrJoin(kept_in_to_order, ", ")));
  }
}

void DiffCriteria(const StandardVersion& from, const StandardVersion& to,
                  std::vector<CriterionChange>& out) {
  struct Located {
    const Stage* stage;
    const Criterion* criterion;
  };
  std::map<absl::string_view, Located> from_criteria;
  for (const Stage& stage : from.stages()) {
    for (const Criterion& criterion : stage.criteria()) {
      from_criteria.emplace(criterion.id(), Located{&stage, &criterion});
    }
  }
  std::set<absl::string_view> to_ids;
  for (const Stage& stage : to.stages()) {
    for (const Criterion& criterion : stage.criteria()) {
      to_ids.insert(criterion.id());
      const auto it = from_criteria.find(criterion.id());
      if (it == from_criteria.end()) {
        out.push_back({CriterionChange::Kind::kAdded, criterion.id(), stage.id(), {}});
        continue;
      }
      std::vector<std::string> details =
          DiffCriterion(it->second.stage->id(), *it->second.criterion, stage.id(), criterion);
      if (!details.empty()) {
        out.push_back(
            {CriterionChange::Kind::kChanged, criterion.id(), stage.id(), std::move(details)});
      }
    }
  }
  for (const Stage& stage : from.stages()) {
    for (const Criterion& criterion : stage.criteria()) {
      if (!to_ids.contains(criterion.id())) {
        out.push_back({CriterionChange::Kind::kRemoved, criterion.id(), stage.id(), {}});
      }
    }
  }
}

}  // namespace

StandardDiff DiffStandardVersions(const StandardVersion& from, const StandardVersion& to) {
  StandardDiff diff;
  DiffHeader(from, to, diff.header);
  DiffStages(from, to, diff.stages);
  DiffCriteria(from, to, diff.criteria);
  return diff;
}

}  // namespace sello::domain
