// A problem found in input, named by its field path, and how a list of them becomes
// one INVALID_ARGUMENT status.
#ifndef SELLO_DAEMON_DOMAIN_PROBLEM_H_
#define SELLO_DAEMON_DOMAIN_PROBLEM_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

struct Problem {
  std::string path;     // e.g. "stages[2].criteria[0].grades"
  std::string message;  // e.g. "PREMIUM range is looser than GRADE_I"
};

// OK when `problems` is empty. Otherwise INVALID_ARGUMENT whose message is, for one
// problem, "SOURCE: PATH: MESSAGE" and, for several, "SOURCE: N problems" followed by
// one "\n  PATH: MESSAGE" line each. SOURCE and its ": " are left out when empty.
absl::Status ProblemsToStatus(absl::string_view source, const std::vector<Problem>& problems);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_PROBLEM_H_
