#include "client/standard_file.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sello::client {
namespace {

// Collects the text-format parser's first error with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty()) error_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// protobuf's JSON errors add a caret line under the offending text: keep the sentence.
std::string FirstLine(absl::string_view message) {
  return std::string(message.substr(0, message.find('\n')));
}

bool IsTextFormat(const std::string& path) {
  return absl::EndsWith(path, ".textproto") || absl::EndsWith(path, ".txtpb") ||
         absl::EndsWith(path, ".pbtxt");
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::Status LoadMessageFile(const std::string& path, absl::string_view what,
                             google::protobuf::Message& message) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  if (IsTextFormat(path)) {
    google::protobuf::TextFormat::Parser parser;
    FirstError errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(*content, &message)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", errors.error()));
    }
    return absl::OkStatus();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(*content, &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a valid ", what, " file (proto3 JSON of ",
        message.GetDescriptor()->full_name(), "): ", FirstLine(std::string(status.message()))));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::StandardVersion> LoadStandardFile(const std::string& path) {
  v1::StandardVersion version;
  if (absl::Status status = LoadMessageFile(path, "standard", version); !status.ok()) {
    return status;
  }
  return version;
}

}  // namespace sello::client
