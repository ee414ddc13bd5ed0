// sellod's configuration file, checked before it is used: CLI11 ignores keys it does not
// know, so a misspelt key (`checkpoint-sate`) would silently leave its option at the
// default. Every key must be a long flag of sellod.
#ifndef SELLO_DAEMON_SERVER_CONFIG_CHECK_H_
#define SELLO_DAEMON_SERVER_CONFIG_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sello::service {

// Checks the keys of a configuration file (`text`, read from `path`; TOML or INI as
// CLI11 reads them: `key = value` lines, `#` and `;` comments, `[section]` headers).
// sellod has no sections: a key under any section other than [default], or a dotted
// key, is unknown too. INVALID_ARGUMENT naming the file, the line and the nearest known
// key for the first unknown one.
absl::Status CheckConfigKeys(absl::string_view path, absl::string_view text,
                             const std::vector<std::string>& known);

// The known key closest to `key` (fewest single-character edits; the first on a tie).
std::string NearestKey(absl::string_view key, const std::vector<std::string>& known);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_CONFIG_CHECK_H_
