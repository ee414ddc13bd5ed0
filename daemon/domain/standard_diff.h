// What changed between two versions of a standard, criterion by criterion.
#ifndef SELLO_DAEMON_DOMAIN_STANDARD_DIFF_H_
#define SELLO_DAEMON_DOMAIN_STANDARD_DIFF_H_

#include <string>
#include <vector>

#include "sello/v1/standard.pb.h"

namespace sello::domain {

struct CriterionChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind;
  std::string criterion_id;
  std::string stage_id;  // the stage in the newer version (older one when removed)
  // For kChanged, one line per changed attribute, e.g.
  // "grades.premium: max 24 -> 20", "stage: harvest -> processing",
  // "critical: false -> true", "caps_at: (none) -> GRADE_I", "name: 'A' -> 'B'".
  std::vector<std::string> details;
};

struct StandardDiff {
  // Changes to the version's own fields: title, description, seal_validity_days,
  // sealed_stages ("sealed_stages: (every stage) -> harvest, processing").
  std::vector<std::string> header;
  // "stage added: final_product", "stage removed: x", "stage renamed: a: 'X' -> 'Y'".
  std::vector<std::string> stages;
  // Ordered: criteria of the newer version in its order, then removed ones.
  std::vector<CriterionChange> criteria;

  bool empty() const { return header.empty() && stages.empty() && criteria.empty(); }
};

// Compares the author-written content of `from` and `to` (criteria matched by id).
StandardDiff DiffStandardVersions(const v1::StandardVersion& from, const v1::StandardVersion& to);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_STANDARD_DIFF_H_
