// The grading engine: from a standard version, the stages an inspection covers and its
// criterion results, the outcome (PASS with a grade, or FAIL) and, for every criterion,
// what it earned and why. Pure: no I/O, no storage, no RPC types beyond the standard.
#ifndef SELLO_DAEMON_DOMAIN_GRADING_H_
#define SELLO_DAEMON_DOMAIN_GRADING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sello/v1/common.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// One criterion's result as the certifier recorded it. A BOOLEAN criterion carries
// `passed` only; a NUMERIC criterion carries `value` only (finite, in the criterion's
// unit).
struct CriterionResult {
  std::string criterion_id;
  std::optional<bool> passed;
  std::optional<double> value;
};

// What one criterion did to the outcome.
enum class CriterionVerdict {
  kEarned,          // a passed BOOLEAN (PREMIUM) or a NUMERIC value within a range
  kCapped,          // a failed non-critical BOOLEAN with caps_at: caps the grade
  kFailed,          // a failed non-critical BOOLEAN without caps_at: no effect on the grade
  kFailedCritical,  // a failed critical BOOLEAN, or a critical NUMERIC outside every range
  kOutOfRange,      // a non-critical NUMERIC outside every range: still fails the outcome
};

// One criterion of a covered stage, graded.
struct CriterionGrade {
  std::string criterion_id;
  std::string stage_id;
  CriterionVerdict verdict = CriterionVerdict::kEarned;
  // kEarned: the grade earned. GRADE_UNSPECIFIED for every other verdict.
  v1::Grade grade = v1::GRADE_UNSPECIFIED;
  // kCapped: the grade the outcome is capped at. GRADE_UNSPECIFIED otherwise.
  v1::Grade cap = v1::GRADE_UNSPECIFIED;
  // True for kFailedCritical and kOutOfRange: this criterion alone makes the outcome FAIL.
  bool fails_outcome = false;
  // For people, e.g. "passed", "value 26 h: within GRADE_I (0 to 36), outside PREMIUM
  // (0 to 24)", "failed; caps the grade at GRADE_I", "failed; critical criterion",
  // "value 50 h: outside every range (INDUSTRIAL 0 to 48)".
  std::string reason;
};

struct GradeOutcome {
  bool pass = false;
  // When pass: PREMIUM, GRADE_I or INDUSTRIAL. GRADE_UNSPECIFIED when FAIL.
  v1::Grade grade = v1::GRADE_UNSPECIFIED;
  // Every criterion of the covered stages, in the standard's order (stage by stage).
  std::vector<CriterionGrade> criteria;
  // The ids of the criteria with fails_outcome, in the standard's order; empty on PASS.
  std::vector<std::string> failing_criteria;
  // The ids of the criteria that kept the outcome from being better, in the standard's
  // order: on PASS, those whose earned grade or cap equals the final grade (empty when
  // the grade is PREMIUM); on FAIL, the failing criteria.
  std::vector<std::string> limiting_criteria;
};

// Grades an inspection of `stages_covered` of `version` (SPEC "Grading rule").
//
// Input rules (each broken one -> INVALID_ARGUMENT naming every offender):
// - stages_covered: at least one; each a stage id of the version, listed once
//   ("stages_covered: unknown x; duplicated farming"). When stages_covered is wrong,
//   only that is reported: which results are required depends on it.
// - results: exactly one per criterion of every covered stage; criteria of stages
//   not covered need none and may have none. Offenders, each category in one list:
//   "results: missing H1, P3; unknown X9; not in a covered stage Q1; duplicated F1;
//   malformed H2 (BOOLEAN: no passed), F3 (NUMERIC: value nan is not finite)".
//   A BOOLEAN result has `passed` and no `value`; a NUMERIC result has a finite
//   `value` and no `passed`.
// - version: assumed valid (ValidateStandardVersion); the structure grading relies on
//   is checked again and a broken one is INVALID_ARGUMENT, never a crash.
//
// Grading rules:
// - A passed BOOLEAN earns PREMIUM.
// - A NUMERIC value earns the best grade whose range contains it; bounds are
//   inclusive, so a value exactly on a threshold earns the better grade.
// - A failed critical BOOLEAN, or a critical NUMERIC value outside every range, fails
//   the outcome (kFailedCritical).
// - A non-critical NUMERIC value outside every range (outside INDUSTRIAL) also fails
//   the outcome (kOutOfRange).
// - A failed non-critical BOOLEAN with caps_at caps the grade at caps_at (kCapped); one
//   without caps_at does not lower the grade (kFailed).
// - The outcome is FAIL when any criterion fails it; otherwise PASS with the lowest
//   (worst) of the grades earned and the caps.
absl::StatusOr<GradeOutcome> ComputeGrade(const v1::StandardVersion& version,
                                          const std::vector<std::string>& stages_covered,
                                          const std::vector<CriterionResult>& results);

// "PREMIUM", "GRADE_I", "INDUSTRIAL"; "(none)" for GRADE_UNSPECIFIED.
std::string GradeName(v1::Grade grade);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_GRADING_H_
