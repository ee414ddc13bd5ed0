// Keeps protobuf's parse warnings (e.g. "invalid UTF-8 data when parsing") out of the
// fuzzers' output: malformed input is every fuzz input's normal case. FATAL messages are
// still printed (protobuf aborts after them).
#include <cstdio>
#include <string>

#include "google/protobuf/stubs/logging.h"

namespace {

void DropBelowFatal(google::protobuf::LogLevel level, const char* filename, int line,
                    const std::string& message) {
  if (level < google::protobuf::LOGLEVEL_FATAL) return;
  std::fprintf(stderr, "[libprotobuf FATAL %s:%d] %s\n", filename, line, message.c_str());
}

[[maybe_unused]] const bool kInstalled = [] {
  google::protobuf::SetLogHandler(&DropBelowFatal);
  return true;
}();

}  // namespace
