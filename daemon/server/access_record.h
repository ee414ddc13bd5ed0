// The access log: one JSON line per finished call (who, what, outcome, how long), so
// that an operator can answer "who did this, and when" from the daemon's own output.
#ifndef SELLO_DAEMON_SERVER_ACCESS_RECORD_H_
#define SELLO_DAEMON_SERVER_ACCESS_RECORD_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"

namespace sello::service {

// Which calls get a line. Errors the server is responsible for (INTERNAL, DATA_LOSS,
// UNAVAILABLE, UNKNOWN) are always logged, with their message, at level "error".
enum class CallLogLevel {
  kNone,        // only server errors
  kErrors,      // + every call that did not end OK
  kPrincipals,  // + every call made with a token (the default: all writes, all audits)
  kAll,         // + anonymous public reads (VerifySeal at full rate: costly)
};

// "none", "errors", "principals" or "all".
absl::StatusOr<CallLogLevel> ParseCallLogLevel(absl::string_view text);

// What is known about a call when it finishes.
struct CallRecord {
  absl::string_view method;                   // "/sello.v1.SealService/VerifySeal"
  const domain::Principal* caller = nullptr;  // null: anonymous or refused
  absl::string_view peer;                     // "ipv4:127.0.0.1:53012"
  absl::Duration duration;
};

// Writes the access log to stderr (through json_logger.h, one write per line). Thread-safe.
class AccessRecorder {
 public:
  explicit AccessRecorder(CallLogLevel level) : level_(level) {}

  // Logs `call`, which ended with `status`, when the level asks for it.
  void Record(const CallRecord& call, const absl::Status& status) const;

  // The JSON members Record writes after the time, level and event (",\"method\":..."),
  // or nullopt when `call` is not logged at this level. Exposed for tests.
  std::optional<std::string> Format(const CallRecord& call, const absl::Status& status) const;

 private:
  const CallLogLevel level_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_ACCESS_RECORD_H_
