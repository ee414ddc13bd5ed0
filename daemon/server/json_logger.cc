#include "daemon/server/json_logger.h"

#include <grpc/support/log.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sello::service {
namespace {

void Emit(absl::string_view level, absl::string_view event,
          std::initializer_list<LogField> fields) {
  std::string members;
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&members, ",", JsonQuote(key), ":", JsonQuote(value));
  }
  LogJson(level, event, members);
}

void EmitGrpcLog(gpr_log_func_args* args) {
  const absl::string_view level = args->severity == GPR_LOG_SEVERITY_ERROR  ? "error"
                                  : args->severity == GPR_LOG_SEVERITY_INFO ? "info"
                                                                            : "debug";
  LogJson(
      level, "grpc",
      absl::StrCat(
          ",\"message\":", JsonQuote(args->message != nullptr ? args->message : ""), ",\"source\":",
          JsonQuote(absl::StrCat(args->file != nullptr ? args->file : "?", ":", args->line))));
}

}  // namespace

void RouteGrpcLogsHere() { gpr_set_log_function(&EmitGrpcLog); }

void LogJson(absl::string_view level, absl::string_view event, absl::string_view members) {
  std::string line = absl::StrCat(
      "{\"time\":",
      JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())),
      ",\"level\":", JsonQuote(level), ",\"event\":", JsonQuote(event), members, "}\n");
  // One write per line so that lines from different threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

void LogInfo(absl::string_view event, std::initializer_list<LogField> fields) {
  Emit("info", event, fields);
}
void LogWarning(absl::string_view event, std::initializer_list<LogField> fields) {
  Emit("warning", event, fields);
}
void LogError(absl::string_view event, std::initializer_list<LogField> fields) {
  Emit("error", event, fields);
}

}  // namespace sello::service
