#include "daemon/domain/standard_rules.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/text.h"

namespace sello::domain {
namespace {

using v1::Criterion;
using v1::GradeRange;

constexpr int kMaxStages = 50;
constexpr int kMaxCriteriaPerStage = 200;
constexpr size_t kMaxNameLength = 200;
constexpr size_t kMaxDescriptionLength = 4000;
constexpr size_t kMaxUnitLength = 32;
constexpr uint32_t kMaxSealValidityDays = 3650;

// The shape of an identifier: a first character, then more of another class.
struct IdRule {
  absl::string_view kind;  // "standard id", used in messages
  size_t min_length;
  size_t max_length;
  bool (*first)(char);
  absl::string_view first_description;  // "an upper-case letter"
  bool (*rest)(char);
  absl::string_view rest_description;  // "A-Z, 0-9 and '-'"
};

bool IsUpperOrDigitOrDash(char c) {
  return absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '-';
}
bool IsLower(char c) { return absl::ascii_islower(c); }
bool IsLowerOrDigitOrUnderscoreOrDash(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-';
}
bool IsUpper(char c) { return absl::ascii_isupper(c); }
bool IsAlnum(char c) { return absl::ascii_isalnum(c); }
bool IsAlnumOrDotOrUnderscoreOrDash(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
}

// [A-Z][A-Z0-9-]{1,15}
constexpr IdRule kStandardIdRule = {
    "standard id",     2, 16, IsUpper, "an upper-case letter", IsUpperOrDigitOrDash,
    "A-Z, 0-9 and '-'"};
// [a-z][a-z0-9_-]{0,31}
constexpr IdRule kStageIdRule = {"stage id",
                                 1,
                                 32,
                                 IsLower,
                                 "a lower-case letter",
                                 IsLowerOrDigitOrUnderscoreOrDash,
                                 "a-z, 0-9, '_' and '-'"};
// [A-Za-z0-9][A-Za-z0-9._-]{0,39}
constexpr IdRule kCriterionIdRule = {"criterion id",
                                     1,
                                     40,
                                     IsAlnum,
                                     "a letter or a digit",
                                     IsAlnumOrDotOrUnderscoreOrDash,
                                     "A-Z, a-z, 0-9, '.', '_' and '-'"};

// Why `id` breaks `rule`, or nullopt when it does not.
std::optional<std::string> IdProblem(const IdRule& rule, absl::string_view id) {
  if (id.empty()) return "required";
  if (id.size() > rule.max_length) {
    return absl::StrCat(Quote(id), " is too long: a ", rule.kind, " has at most ", rule.max_length,
                        " characters (got ", id.size(), ")");
  }
  if (id.size() < rule.min_length) {
    return absl::StrCat(Quote(id), " is too short: a ", rule.kind, " has at least ",
                        rule.min_length, " characters");
  }
  if (!rule.first(id.front())) {
    return absl::StrCat(Quote(id), ": a ", rule.kind, " starts with ", rule.first_description);
  }
  const auto bad = std::find_if_not(id.begin(), id.end(), rule.rest);
  if (bad != id.end()) {
    return absl::StrCat(Quote(id), ": a ", rule.kind, " may contain only ", rule.rest_description,
                        " (found '", absl::CHexEscape(absl::string_view(&*bad, 1)), "')");
  }
  return std::nullopt;
}

// One grade's accepted interval, unset bounds being infinite.
struct Interval {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();

  bool Within(const Interval& outer) const { return min >= outer.min && max <= outer.max; }
};

// Collects the problems of one version in field order.
class VersionChecker {
 public:
  std::vector<Problem> Check(const v1::StandardVersion& version) {
    if (auto problem = IdProblem(kStandardIdRule, version.standard_id())) {
      Add("standard_id", *std::move(problem));
    }
    if (version.version() < 1) Add("version", "must be at least 1");
    CheckText("title", version.title(), kMaxNameLength, /*required=*/true);
    CheckText("description", version.description(), kMaxDescriptionLength, /*required=*/false);
    if (version.seal_validity_days() > kMaxSealValidityDays) {
      Add("seal_validity_days", absl::StrCat("must be at most ", kMaxSealValidityDays,
                                             " days (got ", version.seal_validity_days(), ")"));
    }
    CheckCount("stages", version.stages_size(), kMaxStages, "stage", "stages");
    for (int i = 0; i < version.stages_size(); ++i) {
      CheckStage(absl::StrCat("stages[", i, "]"), version.stages(i));
    }
    CheckSealedStages(version);
    return std::move(problems_);
  }

 private:
  void Add(std::string path, std::string message) {
    problems_.push_back(Problem{std::move(path), std::move(message)});
  }

  void CheckText(const std::string& path, absl::string_view value, size_t max_length,
                 bool required) {
    if (required && absl::StripAsciiWhitespace(value).empty()) {
      Add(path, "required");
      return;
    }
    const size_t length = CharCount(value);
    if (length > max_length) {
      Add(path, absl::StrCat("must be at most ", max_length, " characters (got ", length, ")"));
    }
  }

  void CheckCount(const std::string& path, int count, int max_count, absl::string_view singular,
                  absl::string_view plural) {
    if (count == 0) {
      Add(path, absl::StrCat("at least one ", singular, " is required"));
    } else if (count > max_count) {
      Add(path, absl::StrCat("at most ", max_count, " ", plural, " are allowed (got ", count, ")"));
    }
  }

  // Reports `id` when it was already seen at another path; remembers it otherwise.
  void CheckUnique(std::map<std::string, std::string, std::less<>>& seen, const std::string& path,
                   const std::string& owner_path, const std::string& id) {
    const auto [it, inserted] = seen.emplace(id, owner_path);
    if (!inserted) {
      Add(path, absl::StrCat(Quote(id), " is used twice (first at ", it->second, ")"));
    }
  }

  void CheckStage(const std::string& path, const v1::Stage& stage) {
    const std::string id_path = absl::StrCat(path, ".id");
    if (auto problem = IdProblem(kStageIdRule, stage.id())) {
      Add(id_path, *std::move(problem));
    } else {
      CheckUnique(stage_ids_, id_path, path, stage.id());
    }
    CheckText(absl::StrCat(path, ".name"), stage.name(), kMaxNameLength, /*required=*/true);
    CheckCount(absl::StrCat(path, ".criteria"), stage.criteria_size(), kMaxCriteriaPerStage,
               "criterion", "criteria");
    for (int i = 0; i < stage.criteria_size(); ++i) {
      CheckCriterion(absl::StrCat(path, ".criteria[", i, "]"), stage.criteria(i));
    }
  }

  // Each a stage id of this version, named once (stages with a bad or repeated id were
  // reported already; naming one is not reported again).
  void CheckSealedStages(const v1::StandardVersion& version) {
    if (version.sealed_stages_size() > kMaxStages) {
      Add("sealed_stages", absl::StrCat("at most ", kMaxStages, " stages are allowed (got ",
                                        version.sealed_stages_size(), ")"));
      return;
    }
    std::set<std::string, std::less<>> named;
    for (int i = 0; i < version.sealed_stages_size(); ++i) {
      const std::string& id = version.sealed_stages(i);
      const std::string path = absl::StrCat("sealed_stages[", i, "]");
      const bool known = std::any_of(version.stages().begin(), version.stages().end(),
                                     [&](const v1::Stage& stage) { return stage.id() == id; });
      if (!known) {
        Add(path, absl::StrCat(Quote(id), " is not a stage of this version"));
      } else if (!named.insert(id).second) {
        Add(path, absl::StrCat(Quote(id), " is named twice"));
      }
    }
  }

  void CheckCriterion(const std::string& path, const Criterion& criterion) {
    const std::string id_path = absl::StrCat(path, ".id");
    if (auto problem = IdProblem(kCriterionIdRule, criterion.id())) {
      Add(id_path, *std::move(problem));
    } else {
      CheckUnique(criterion_ids_, id_path, path, criterion.id());
    }
    CheckText(absl::StrCat(path, ".name"), criterion.name(), kMaxNameLength, /*required=*/true);
    switch (criterion.kind()) {
      case Criterion::BOOLEAN:
        CheckBoolean(path, criterion);
        break;
      case Criterion::NUMERIC:
        CheckNumeric(path, criterion);
        break;
      case Criterion::KIND_UNSPECIFIED:
        Add(absl::StrCat(path, ".kind"), "required: BOOLEAN or NUMERIC");
        break;
      default:
        Add(absl::StrCat(path, ".kind"),
            absl::StrCat("unknown kind ", criterion.kind(), "; use BOOLEAN or NUMERIC"));
        break;
    }
    CheckText(absl::StrCat(path, ".description"), criterion.description(), kMaxDescriptionLength,
              /*required=*/false);
  }

  void CheckBoolean(const std::string& path, const Criterion& criterion) {
    const std::string caps_path = absl::StrCat(path, ".caps_at");
    switch (criterion.caps_at()) {
      case v1::GRADE_UNSPECIFIED:
        break;
      case v1::GRADE_I:
      case v1::INDUSTRIAL:
        if (criterion.critical()) {
          Add(caps_path, "a critical criterion fails outright and cannot also cap the grade");
        }
        break;
      case v1::PREMIUM:
        Add(caps_path, "PREMIUM caps nothing; use GRADE_I or INDUSTRIAL");
        break;
      default:
        Add(caps_path,
            absl::StrCat("unknown grade ", criterion.caps_at(), "; use GRADE_I or INDUSTRIAL"));
        break;
    }
    if (!criterion.unit().empty()) {
      Add(absl::StrCat(path, ".unit"), "only a NUMERIC criterion has a unit");
    }
    if (criterion.has_grades()) {
      Add(absl::StrCat(path, ".grades"), "only a NUMERIC criterion has grades");
    }
  }

  void CheckNumeric(const std::string& path, const Criterion& criterion) {
    if (criterion.caps_at() != v1::GRADE_UNSPECIFIED) {
      Add(absl::StrCat(path, ".caps_at"), "only a BOOLEAN criterion can cap the grade");
    }
    CheckText(absl::StrCat(path, ".unit"), criterion.unit(), kMaxUnitLength, /*required=*/true);

    const std::string grades_path = absl::StrCat(path, ".grades");
    const v1::NumericGrades& grades = criterion.grades();
    const std::optional<Interval> premium =
        CheckRange(absl::StrCat(grades_path, ".premium"), grades.has_premium(), grades.premium());
    const std::optional<Interval> grade_i =
        CheckRange(absl::StrCat(grades_path, ".grade_i"), grades.has_grade_i(), grades.grade_i());
    const std::optional<Interval> industrial = CheckRange(
        absl::StrCat(grades_path, ".industrial"), grades.has_industrial(), grades.industrial());
    if (premium && grade_i && !premium->Within(*grade_i)) {
      Add(grades_path, "PREMIUM range is looser than GRADE_I");
    }
    if (grade_i && industrial && !grade_i->Within(*industrial)) {
      Add(grades_path, "GRADE_I range is looser than INDUSTRIAL");
    }
  }

  // The interval of a well-formed range, or nullopt after reporting what is wrong.
  std::optional<Interval> CheckRange(const std::string& path, bool present,
                                     const GradeRange& range) {
    if (!present) {
      Add(path, "required");
      return std::nullopt;
    }
    if (!range.has_min() && !range.has_max()) {
      Add(path, "at least one of min and max is required");
      return std::nullopt;
    }
    bool finite = true;
    Interval interval;
    if (range.has_min()) {
      if (std::isfinite(range.min())) {
        interval.min = range.min();
      } else {
        Add(absl::StrCat(path, ".min"), "must be a finite number");
        finite = false;
      }
    }
    if (range.has_max()) {
      if (std::isfinite(range.max())) {
        interval.max = range.max();
      } else {
        Add(absl::StrCat(path, ".max"), "must be a finite number");
        finite = false;
      }
    }
    if (!finite) return std::nullopt;
    if (interval.min > interval.max) {
      Add(path, absl::StrCat("min ", FormatNumber(interval.min), " is greater than max ",
                             FormatNumber(interval.max)));
      return std::nullopt;
    }
    return interval;
  }

  std::vector<Problem> problems_;
  // Id -> path of the stage or criterion that first used it.
  std::map<std::string, std::string, std::less<>> stage_ids_;
  std::map<std::string, std::string, std::less<>> criterion_ids_;
};

}  // namespace

std::vector<Problem> ValidateStandardVersion(const v1::StandardVersion& version) {
  return VersionChecker().Check(version);
}

}  // namespace sello::domain
