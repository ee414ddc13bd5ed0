#include "daemon/server/config_check.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sello::service {
namespace {

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

absl::string_view Unquoted(absl::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    text.remove_prefix(1);
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string NearestKey(absl::string_view key, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 0;
  for (const std::string& candidate : known) {
    const size_t distance = EditDistance(key, candidate);
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

absl::Status CheckConfigKeys(absl::string_view path, absl::string_view text,
                             const std::vector<std::string>& known) {
  std::string section;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const std::string where = absl::StrCat(path, ":", number);
    if (line.front() == '[') {
      absl::string_view name = line;
      while (!name.empty() && name.front() == '[') name.remove_prefix(1);
      const size_t end = name.find(']');
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": a section header without its closing ']'"));
      }
      section = std::string(absl::StripAsciiWhitespace(name.substr(0, end)));
      if (section == "default") section.clear();
      if (!section.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": unknown section [", section,
                         "]: sellod's configuration has no sections (every key is a long flag of "
                         "`sellod --help`, at the top of the file)"));
      }
      continue;
    }
    const size_t equals = line.find('=');
    absl::string_view key =
        Unquoted(absl::StripAsciiWhitespace(line.substr(0, std::min(equals, line.size()))));
    if (key.find('.') != absl::string_view::npos) {
      const absl::string_view prefix = key.substr(0, key.find('.'));
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": unknown key '", key, "' (under section [", prefix,
                       "]): sellod's configuration has no sections; did you mean '",
                       NearestKey(key.substr(key.rfind('.') + 1), known), "'?"));
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": unknown key '", key, "'; did you mean '", NearestKey(key, known),
                       "'? (sellod refuses to start rather than ignore it; every key is a long "
                       "flag of `sellod --help`)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sello::service
