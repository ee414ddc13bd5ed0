// How a command's result reaches stdout, chosen once from -o/--output (the shape of
// etcdctl's printer.go and printer_json.go). The table printer shows a result to people
// through the command's own view (aligned tables, "name: value" fields, sentences); the
// JSON printer gives tools the whole message as proto3 JSON and never runs the view.
// Commands print through a Printer and never ask which one they have.
#ifndef SELLO_CLIENT_CLI_PRINTER_H_
#define SELLO_CLIENT_CLI_PRINTER_H_

#include <iostream>
#include <memory>
#include <ostream>
#include <type_traits>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace sello::cli {

class Printer {
 public:
  virtual ~Printer() = default;

  // Prints one result: `message` as JSON, or what `view` writes. `view` is called with
  // `message` when it takes it (`void ShowSeal(const v1::Seal&)`), else with nothing (a
  // lambda that also shows what the message does not hold, e.g. a file name).
  template <typename Message, typename View>
  void Print(const Message& message, View&& view) const {
    PrintMessage(message, [&] {
      if constexpr (std::is_invocable_v<View, const Message&>) {
        view(message);
      } else {
        view();
      }
    });
  }

  // Prints one result of a stream (`sello watch`) and flushes: JSON on a single line.
  virtual void PrintStreamed(const google::protobuf::Message& message,
                             absl::FunctionRef<void()> view) const = 0;

  // True for the JSON printer. Only for commands with a --format of their own (table,
  // csv, jsonl, ...), whose table default becomes JSON under -o json.
  virtual bool json() const = 0;

 protected:
  virtual void PrintMessage(const google::protobuf::Message& message,
                            absl::FunctionRef<void()> view) const = 0;
};

// Shows each result through its view; the views write to std::cout.
class TablePrinter : public Printer {
 public:
  void PrintStreamed(const google::protobuf::Message& message,
                     absl::FunctionRef<void()> view) const override;
  bool json() const override { return false; }

 protected:
  void PrintMessage(const google::protobuf::Message& message,
                    absl::FunctionRef<void()> view) const override;
};

// Prints each result as proto3 JSON (camelCase names, defaults included) on `out`:
// indented, one result after another; a streamed result on one line.
class JsonPrinter : public Printer {
 public:
  explicit JsonPrinter(std::ostream& out = std::cout) : out_(out) {}
  void PrintStreamed(const google::protobuf::Message& message,
                     absl::FunctionRef<void()> view) const override;
  bool json() const override { return true; }

 protected:
  void PrintMessage(const google::protobuf::Message& message,
                    absl::FunctionRef<void()> view) const override;

 private:
  std::ostream& out_;
};

// The printer for -o/--output: "json", or "table" (anything else).
std::unique_ptr<Printer> NewPrinter(absl::string_view output);

}  // namespace sello::cli

#endif  // SELLO_CLIENT_CLI_PRINTER_H_
