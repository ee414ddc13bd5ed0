#include "client/cli/printer.h"

#include <google/protobuf/util/json_util.h>

#include <string>

namespace sello::cli {
namespace {

std::string ToJson(const google::protobuf::Message& message, bool indent) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = indent;
  options.always_print_primitive_fields = true;
  std::string out;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace

void TablePrinter::PrintMessage(const google::protobuf::Message& /*message*/,
                                absl::FunctionRef<void()> view) const {
  view();
}

void TablePrinter::PrintStreamed(const google::protobuf::Message& /*message*/,
                                 absl::FunctionRef<void()> view) const {
  view();
  std::cout << std::flush;
}

void JsonPrinter::PrintMessage(const google::protobuf::Message& message,
                               absl::FunctionRef<void()> /*view*/) const {
  const std::string json = ToJson(message, /*indent=*/true);
  out_ << json;
  if (json.empty() || json.back() != '\n') out_ << "\n";
}

void JsonPrinter::PrintStreamed(const google::protobuf::Message& message,
                                absl::FunctionRef<void()> /*view*/) const {
  out_ << ToJson(message, /*indent=*/false) << "\n" << std::flush;  // one result per line
}

std::unique_ptr<Printer> NewPrinter(absl::string_view output) {
  if (output == "json") return std::make_unique<JsonPrinter>();
  return std::make_unique<TablePrinter>();
}

}  // namespace sello::cli
