#include "daemon/domain/problem.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sello::domain {
namespace {

// "PATH: MESSAGE", or just "MESSAGE" for a problem with the input as a whole.
std::string FormatProblem(const Problem& problem) {
  if (problem.path.empty()) return problem.message;
  return absl::StrCat(problem.path, ": ", problem.message);
}

}  // namespace

absl::Status ProblemsToStatus(absl::string_view source, const std::vector<Problem>& problems) {
  if (problems.empty()) return absl::OkStatus();
  const std::string prefix = source.empty() ? "" : absl::StrCat(source, ": ");
  if (problems.size() == 1) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, FormatProblem(problems.front())));
  }
  std::string message = absl::StrCat(prefix, problems.size(), " problems");
  for (const Problem& problem : problems) {
    absl::StrAppend(&message, "\n  ", FormatProblem(problem));
  }
  return absl::InvalidArgumentError(message);
}

}  // namespace sello::domain
