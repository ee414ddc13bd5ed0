// Reading standard files: proto3 JSON (.json) or text format (.textproto, .txtpb,
// .pbtxt), parsed into a StandardVersion.
#ifndef SELLO_CLIENT_STANDARD_FILE_H_
#define SELLO_CLIENT_STANDARD_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "sello/v1/standard.pb.h"

namespace sello::client {

// The file's content. NOT_FOUND when it cannot be read; INVALID_ARGUMENT naming the
// file (and line and column for text format) when it does not parse. Content rules
// are checked separately (domain::ValidateStandardVersion).
absl::StatusOr<v1::StandardVersion> LoadStandardFile(const std::string& path);

// Parses a proto3 JSON file (or text format: .textproto, .txtpb, .pbtxt) into
// `message`. NOT_FOUND when it cannot be read; INVALID_ARGUMENT naming the file (and
// line and column for text format) when it does not parse, calling it a `what` file.
absl::Status LoadMessageFile(const std::string& path, absl::string_view what,
                             google::protobuf::Message& message);

// Reads a whole file (NOT_FOUND naming it when it cannot be read).
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace sello::client

#endif  // SELLO_CLIENT_STANDARD_FILE_H_
