// The rules a standard version's content must satisfy, checked as a whole so that the
// author sees every problem at once.
#ifndef SELLO_DAEMON_DOMAIN_STANDARD_RULES_H_
#define SELLO_DAEMON_DOMAIN_STANDARD_RULES_H_

#include <vector>

#include "daemon/domain/problem.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// Checks the author-written fields of `version` (standard_id, version, title,
// description, seal_validity_days, stages, sealed_stages); server-set fields (status,
// times, ...) are ignored. Returns every problem found, in field order; empty when valid.
//
// Rules:
// - standard_id: 2-16 chars of [A-Z0-9-], starting with a letter.
// - version: >= 1. title: non-empty, <= 200 chars. description: <= 4000 chars.
// - seal_validity_days: <= 3650.
// - sealed_stages: each a stage id of the version, named once ("sealed_stages[1]: 'x'
//   is not a stage of this version"); empty means every stage.
// - stages: 1..50; each stage id [a-z][a-z0-9_-]{0,31}, unique; name non-empty
//   (<= 200); criteria: 1..200 per stage.
// - criterion id: [A-Za-z0-9][A-Za-z0-9._-]{0,39}, unique across the whole version;
//   name non-empty (<= 200); kind BOOLEAN or NUMERIC; description <= 4000.
// - BOOLEAN: no unit, no grades; caps_at unset, GRADE_I or INDUSTRIAL (PREMIUM caps
//   nothing and is refused); critical and caps_at are exclusive (a critical failure
//   fails outright).
// - NUMERIC: unit non-empty (<= 32); caps_at unset; grades.premium, grades.grade_i
//   and grades.industrial each set with at least one bound; bounds finite; min <= max;
//   each better grade's range within the next: "PREMIUM range is looser than
//   GRADE_I", "GRADE_I range is looser than INDUSTRIAL".
std::vector<Problem> ValidateStandardVersion(const v1::StandardVersion& version);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_STANDARD_RULES_H_
