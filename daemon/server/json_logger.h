// Structured logging for sellod: one JSON object per line on stderr, e.g.
// {"time":"2026-11-26T10:00:00.123Z","level":"info","event":"listening","address":"..."}.
// (Debian 12's abseil has no absl/log; this is the one small header we log through.)
#ifndef SELLO_DAEMON_SERVER_JSON_LOGGER_H_
#define SELLO_DAEMON_SERVER_JSON_LOGGER_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace sello::service {

using LogField = std::pair<absl::string_view, absl::string_view>;

void LogInfo(absl::string_view event, std::initializer_list<LogField> fields = {});
void LogWarning(absl::string_view event, std::initializer_list<LogField> fields = {});
void LogError(absl::string_view event, std::initializer_list<LogField> fields = {});

// Writes one line of `level` for `event` whose remaining members are already JSON:
// `members` is empty or starts with a comma (`,"duration_ms":1.5`).
void LogJson(absl::string_view level, absl::string_view event, absl::string_view members);

// From now on gRPC's own log lines (gpr_log) are written as ours, with event "grpc", so
// that stderr stays one JSON object per line. Call first thing in main().
void RouteGrpcLogsHere();

// The JSON string literal for `text` (quoted and escaped).
std::string JsonQuote(absl::string_view text);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_JSON_LOGGER_H_
