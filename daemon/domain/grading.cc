#include "daemon/domain/grading.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/text.h"

namespace sello::domain {
namespace {

using v1::Criterion;
using v1::GradeRange;

// Ids longer than this are cut short in messages: they come from the caller.
constexpr size_t kMaxShownIdLength = 40;

// A grade and its range of a NUMERIC criterion, best grade first.
struct GradedRange {
  v1::Grade grade;
  const GradeRange* range;
};

std::vector<GradedRange> RangesBestFirst(const Criterion& criterion) {
  const v1::NumericGrades& grades = criterion.grades();
  return {{v1::PREMIUM, &grades.premium()},
          {v1::GRADE_I, &grades.grade_i()},
          {v1::INDUSTRIAL, &grades.industrial()}};
}

// "0 to 24", "<= 24" or ">= 27"; bounds are inclusive.
std::string DescribeRange(const GradeRange& range) {
  if (range.has_min() && range.has_max()) {
    return absl::StrCat(FormatNumber(range.min()), " to ", FormatNumber(range.max()));
  }
  if (range.has_max()) return absl::StrCat("<= ", FormatNumber(range.max()));
  return absl::StrCat(">= ", FormatNumber(range.min()));
}

bool Contains(const GradeRange& range, double value) {
  return (!range.has_min() || value >= range.min()) && (!range.has_max() || value <= range.max());
}

// An id as given by the caller, safe to put in a message: plain ids as they are,
// anything else quoted, escaped and cut short.
std::string ShowId(absl::string_view id) {
  const bool plain = !id.empty() && id.size() <= kMaxShownIdLength &&
                     std::all_of(id.begin(), id.end(), [](char c) {
                       return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
                     });
  if (plain) return std::string(id);
  if (id.size() > kMaxShownIdLength) {
    return absl::StrCat("\"", absl::CHexEscape(id.substr(0, kMaxShownIdLength)), "...\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(id), "\"");
}

// Appends `id` to `ids` unless it is there already (keeps first-seen order).
void AddOnce(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

// "LABEL A, B" when `ids` is not empty.
void AddCategory(absl::string_view label, const std::vector<std::string>& ids,
                 std::vector<std::string>& parts) {
  if (ids.empty()) return;
  std::vector<std::string> shown;
  shown.reserve(ids.size());
  for (const std::string& id : ids) shown.push_back(ShowId(id));
  parts.push_back(absl::StrCat(label, " ", absl::StrJoin(shown, ", ")));
}

// Problems with one grade range of a NUMERIC criterion, alone and against `outer`
// (the next worse grade's range, or null for INDUSTRIAL).
void CheckRange(const std::string& path, const GradedRange& range, const GradedRange* outer,
                std::vector<std::string>& problems) {
  const std::string& name = v1::Grade_Name(range.grade);
  const GradeRange& r = *range.range;
  if (!r.has_min() && !r.has_max()) {
    problems.push_back(absl::StrCat(path, ": ", name, " range has no bound"));
    return;
  }
  if ((r.has_min() && !std::isfinite(r.min())) || (r.has_max() && !std::isfinite(r.max()))) {
    problems.push_back(absl::StrCat(path, ": ", name, " range has a bound that is not finite"));
    return;
  }
  if (r.has_min() && r.has_max() && r.min() > r.max()) {
    problems.push_back(absl::StrCat(path, ": ", name, " range has min > max"));
    return;
  }
  if (outer == nullptr) return;
  const GradeRange& o = *outer->range;
  const bool min_within = !o.has_min() || (r.has_min() && r.min() >= o.min());
  const bool max_within = !o.has_max() || (r.has_max() && r.max() <= o.max());
  if (!min_within || !max_within) {
    problems.push_back(
        absl::StrCat(path, ": ", name, " range is looser than ", v1::Grade_Name(outer->grade)));
  }
}

// The structure grading relies on. ValidateStandardVersion guarantees it for stored
// versions; it is checked again so that a broken version is an error, not a crash or
// a wrong grade. Deliberately narrower than ValidateStandardVersion: a published
// version stays gradable even if the authoring rules grow stricter later.
absl::Status CheckGradable(const v1::StandardVersion& version) {
  std::vector<std::string> problems;
  std::set<std::string> stage_ids;
  std::set<std::string> criterion_ids;
  for (int s = 0; s < version.stages_size(); ++s) {
    const v1::Stage& stage = version.stages(s);
    const std::string stage_path = absl::StrCat("stages[", s, "]");
    if (stage.id().empty()) problems.push_back(absl::StrCat(stage_path, ".id: required"));
    if (!stage_ids.insert(stage.id()).second) {
      problems.push_back(absl::StrCat(stage_path, ".id: duplicated ", ShowId(stage.id())));
    }
    if (stage.criteria().empty()) {
      problems.push_back(absl::StrCat(stage_path, ".criteria: none"));
    }
    for (int c = 0; c < stage.criteria_size(); ++c) {
      const Criterion& criterion = stage.criteria(c);
      const std::string path = absl::StrCat(stage_path, ".criteria[", c, "]");
      if (criterion.id().empty()) problems.push_back(absl::StrCat(path, ".id: required"));
      if (!criterion_ids.insert(criterion.id()).second) {
        problems.push_back(absl::StrCat(path, ".id: duplicated ", ShowId(criterion.id())));
      }
      switch (criterion.kind()) {
        case Criterion::BOOLEAN:
          if (criterion.caps_at() != v1::GRADE_UNSPECIFIED && criterion.caps_at() != v1::GRADE_I &&
              criterion.caps_at() != v1::INDUSTRIAL) {
            problems.push_back(absl::StrCat(path, ".caps_at: must be GRADE_I or INDUSTRIAL"));
          }
          if (criterion.critical() && criterion.caps_at() != v1::GRADE_UNSPECIFIED) {
            problems.push_back(absl::StrCat(path, ": a critical criterion cannot have caps_at"));
          }
          break;
        case Criterion::NUMERIC: {
          if (criterion.caps_at() != v1::GRADE_UNSPECIFIED) {
            problems.push_back(absl::StrCat(path, ".caps_at: only for BOOLEAN criteria"));
          }
          const std::vector<GradedRange> ranges = RangesBestFirst(criterion);
          for (size_t i = 0; i < ranges.size(); ++i) {
            CheckRange(absl::StrCat(path, ".grades"), ranges[i],
                       i + 1 < ranges.size() ? &ranges[i + 1] : nullptr, problems);
          }
          break;
        }
        default:
          problems.push_back(absl::StrCat(path, ".kind: must be BOOLEAN or NUMERIC"));
      }
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("standard ", version.standard_id(), " v", version.version(),
                   " cannot be graded: ", absl::StrJoin(problems, "; ")));
}

// Why `result` does not fit `criterion`'s kind, or "" when it does.
std::string MalformedReason(const Criterion& criterion, const CriterionResult& result) {
  if (criterion.kind() == Criterion::BOOLEAN) {
    if (result.passed.has_value() && result.value.has_value())
      return "BOOLEAN: both passed and value";
    if (result.value.has_value()) return "BOOLEAN: a value instead of passed";
    if (!result.passed.has_value()) return "BOOLEAN: no passed";
    return "";
  }
  if (result.passed.has_value() && result.value.has_value())
    return "NUMERIC: both passed and value";
  if (result.passed.has_value()) return "NUMERIC: passed instead of a value";
  if (!result.value.has_value()) return "NUMERIC: no value";
  if (!std::isfinite(*result.value)) {
    return absl::StrCat("NUMERIC: value ", FormatNumber(*result.value), " is not finite");
  }
  return "";
}

CriterionGrade GradeBoolean(const Criterion& criterion, bool passed) {
  CriterionGrade graded;
  if (passed) {
    graded.verdict = CriterionVerdict::kEarned;
    graded.grade = v1::PREMIUM;
    graded.reason = "passed";
  } else if (criterion.critical()) {
    graded.verdict = CriterionVerdict::kFailedCritical;
    graded.fails_outcome = true;
    graded.reason = "failed; critical criterion";
  } else if (criterion.caps_at() != v1::GRADE_UNSPECIFIED) {
    graded.verdict = CriterionVerdict::kCapped;
    graded.cap = criterion.caps_at();
    graded.reason = absl::StrCat("failed; caps the grade at ", GradeName(criterion.caps_at()));
  } else {
    graded.verdict = CriterionVerdict::kFailed;
    graded.reason = "failed; does not lower the grade (not critical, no cap)";
  }
  return graded;
}

CriterionGrade GradeNumeric(const Criterion& criterion, double value) {
  CriterionGrade graded;
  const std::string measured =
      criterion.unit().empty() ? absl::StrCat("value ", FormatNumber(value))
                               : absl::StrCat("value ", FormatNumber(value), " ", criterion.unit());
  const std::vector<GradedRange> ranges = RangesBestFirst(criterion);
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (!Contains(*ranges[i].range, value)) continue;
    graded.verdict = CriterionVerdict::kEarned;
    graded.grade = ranges[i].grade;
    graded.reason = absl::StrCat(measured, ": within ", GradeName(ranges[i].grade), " (",
                                 DescribeRange(*ranges[i].range), ")");
    if (i > 0) {
      absl::StrAppend(&graded.reason, ", outside ", GradeName(ranges[i - 1].grade), " (",
                      DescribeRange(*ranges[i - 1].range), ")");
    }
    return graded;
  }
  graded.fails_outcome = true;
  graded.reason = absl::StrCat(measured, ": outside every range (INDUSTRIAL ",
                               DescribeRange(criterion.grades().industrial()), ")");
  if (criterion.critical()) {
    graded.verdict = CriterionVerdict::kFailedCritical;
    absl::StrAppend(&graded.reason, "; critical criterion");
  } else {
    graded.verdict = CriterionVerdict::kOutOfRange;
  }
  return graded;
}

// The worse of two grades; GRADE_UNSPECIFIED counts as no constraint.
v1::Grade Worse(v1::Grade a, v1::Grade b) {
  if (a == v1::GRADE_UNSPECIFIED) return b;
  if (b == v1::GRADE_UNSPECIFIED) return a;
  return std::max(a, b);  // PREMIUM=1 is the best
}

// The stages a grading covers: each a stage of the version, none twice
// (INVALID_ARGUMENT "stages_covered: ..." naming the unknown and duplicated ones).
absl::StatusOr<std::set<std::string>> CoveredStages(
    const v1::StandardVersion& version, const std::vector<std::string>& stages_covered) {
  if (stages_covered.empty()) {
    return absl::InvalidArgumentError("stages_covered: none given");
  }
  std::set<std::string> version_stages;
  for (const v1::Stage& stage : version.stages()) version_stages.insert(stage.id());
  std::set<std::string> covered;
  std::vector<std::string> unknown_stages;
  std::vector<std::string> duplicated_stages;
  for (const std::string& id : stages_covered) {
    if (version_stages.count(id) == 0) {
      AddOnce(unknown_stages, id);
    } else if (!covered.insert(id).second) {
      AddOnce(duplicated_stages, id);
    }
  }
  if (!unknown_stages.empty() || !duplicated_stages.empty()) {
    std::vector<std::string> parts;
    AddCategory("unknown", unknown_stages, parts);
    AddCategory("duplicated", duplicated_stages, parts);
    return absl::InvalidArgumentError(absl::StrCat("stages_covered: ", absl::StrJoin(parts, "; ")));
  }
  return covered;
}

// The results given for each criterion of the covered stages.
using ResultsByCriterion = std::map<std::string, std::vector<const CriterionResult*>>;

// Where each criterion is, over the whole version: a result for a criterion of a stage
// not covered is told apart from one for no criterion at all.
struct LocatedCriterion {
  const Criterion* criterion;
  bool covered;
};
std::map<std::string, LocatedCriterion> LocateCriteria(const v1::StandardVersion& version,
                                                       const std::set<std::string>& covered) {
  std::map<std::string, LocatedCriterion> criteria;
  for (const v1::Stage& stage : version.stages()) {
    for (const Criterion& criterion : stage.criteria()) {
      criteria[criterion.id()] = {&criterion, covered.count(stage.id()) > 0};
    }
  }
  return criteria;
}

// Checks that every criterion of the covered stages has exactly one well-formed result
// and that no result is for anything else (INVALID_ARGUMENT "results: ..." naming the
// missing, unknown, not covered, duplicated and malformed ones); returns them by criterion.
absl::StatusOr<ResultsByCriterion> MatchResults(const v1::StandardVersion& version,
                                                const std::set<std::string>& covered,
                                                const std::vector<CriterionResult>& results) {
  const std::map<std::string, LocatedCriterion> criteria = LocateCriteria(version, covered);
  ResultsByCriterion by_criterion;
  std::map<std::string, std::string> malformed;  // criterion id -> first reason
  std::vector<std::string> unknown;
  std::vector<std::string> not_covered;
  for (const CriterionResult& result : results) {
    const auto it = criteria.find(result.criterion_id);
    if (it == criteria.end()) {
      AddOnce(unknown, result.criterion_id);
      continue;
    }
    if (!it->second.covered) {
      AddOnce(not_covered, result.criterion_id);
      continue;
    }
    by_criterion[result.criterion_id].push_back(&result);
    std::string reason = MalformedReason(*it->second.criterion, result);
    if (!reason.empty()) malformed.emplace(result.criterion_id, std::move(reason));
  }
  std::vector<std::string> missing;
  std::vector<std::string> duplicated;
  std::vector<std::string> malformed_shown;
  for (const v1::Stage& stage : version.stages()) {
    if (covered.count(stage.id()) == 0) continue;
    for (const Criterion& criterion : stage.criteria()) {
      const auto found = by_criterion.find(criterion.id());
      if (found == by_criterion.end()) {
        missing.push_back(criterion.id());
      } else if (found->second.size() > 1) {
        duplicated.push_back(criterion.id());
      }
      if (const auto bad = malformed.find(criterion.id()); bad != malformed.end()) {
        malformed_shown.push_back(absl::StrCat(criterion.id(), " (", bad->second, ")"));
      }
    }
  }
  if (missing.empty() && unknown.empty() && not_covered.empty() && duplicated.empty() &&
      malformed_shown.empty()) {
    return by_criterion;
  }
  std::vector<std::string> parts;
  AddCategory("missing", missing, parts);
  AddCategory("unknown", unknown, parts);
  AddCategory("not in a covered stage", not_covered, parts);
  AddCategory("duplicated", duplicated, parts);
  // Criterion ids of the version are plain already; the reasons are ours.
  if (!malformed_shown.empty()) {
    parts.push_back(absl::StrCat("malformed ", absl::StrJoin(malformed_shown, ", ")));
  }
  return absl::InvalidArgumentError(absl::StrCat("results: ", absl::StrJoin(parts, "; ")));
}

// Grades the covered stages, each of whose criteria has exactly one well-formed result
// (MatchResults).
GradeOutcome GradeCovered(const v1::StandardVersion& version, const std::set<std::string>& covered,
                          const ResultsByCriterion& by_criterion) {
  GradeOutcome outcome;
  v1::Grade grade = v1::PREMIUM;
  for (const v1::Stage& stage : version.stages()) {
    if (covered.count(stage.id()) == 0) continue;
    for (const Criterion& criterion : stage.criteria()) {
      const CriterionResult& result = *by_criterion.at(criterion.id()).front();
      CriterionGrade graded = criterion.kind() == Criterion::BOOLEAN
                                  ? GradeBoolean(criterion, *result.passed)
                                  : GradeNumeric(criterion, *result.value);
      graded.criterion_id = criterion.id();
      graded.stage_id = stage.id();
      grade = Worse(grade, Worse(graded.grade, graded.cap));
      if (graded.fails_outcome) outcome.failing_criteria.push_back(criterion.id());
      outcome.criteria.push_back(std::move(graded));
    }
  }
  outcome.pass = outcome.failing_criteria.empty();
  if (!outcome.pass) {
    outcome.limiting_criteria = outcome.failing_criteria;
    return outcome;
  }
  outcome.grade = grade;
  if (grade != v1::PREMIUM) {
    for (const CriterionGrade& graded : outcome.criteria) {
      if (graded.grade == grade || graded.cap == grade) {
        outcome.limiting_criteria.push_back(graded.criterion_id);
      }
    }
  }
  return outcome;
}

}  // namespace

std::string GradeName(v1::Grade grade) {
  switch (grade) {
    case v1::PREMIUM:
      return "PREMIUM";
    case v1::GRADE_I:
      return "GRADE_I";
    case v1::INDUSTRIAL:
      return "INDUSTRIAL";
    case v1::GRADE_UNSPECIFIED:
      return "(none)";
    default:
      return absl::StrCat("grade ", static_cast<int>(grade));
  }
}

absl::StatusOr<GradeOutcome> ComputeGrade(const v1::StandardVersion& version,
                                          const std::vector<std::string>& stages_covered,
                                          const std::vector<CriterionResult>& results) {
  if (absl::Status gradable = CheckGradable(version); !gradable.ok()) return gradable;
  absl::StatusOr<std::set<std::string>> covered = CoveredStages(version, stages_covered);
  if (!covered.ok()) return covered.status();
  absl::StatusOr<ResultsByCriterion> by_criterion = MatchResults(version, *covered, results);
  if (!by_criterion.ok()) return by_criterion.status();
  return GradeCovered(version, *covered, *by_criterion);
}

}  // namespace sello::domain
