// How the CLI speaks: exit codes, error messages on stderr, and the pieces of its table
// output (aligned tables, fields, charts); which format a result takes is printer.h's.
#ifndef SELLO_CLIENT_CLI_OUTPUT_H_
#define SELLO_CLIENT_CLI_OUTPUT_H_

#include <grpcpp/support/status.h>

#include <iostream>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace sello::cli {

// Fixed, documented exit codes (README "CLI exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;     // anything else (internal error, data loss, ...)
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitNotFound = 3;  // NOT_FOUND
inline constexpr int kExitDenied = 4;    // PERMISSION_DENIED or UNAUTHENTICATED
inline constexpr int kExitInvalid = 5;   // INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS,
                                         // OUT_OF_RANGE
inline constexpr int kExitUnavailable = 6;   // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED
inline constexpr int kExitMisbehaviour = 7;  // DATA_LOSS: evidence the registry misbehaved
                                             // (bad signature, inconsistent checkpoints,
                                             // failed proof, record not matching its event)

int ExitCodeFor(grpc::StatusCode code);
int ExitCodeFor(absl::StatusCode code);

// Prints "sello: <what>: <CODE>: <message>" to stderr and returns the exit code.
int Fail(absl::string_view what, const grpc::Status& status);
int Fail(absl::string_view what, const absl::Status& status);
// Prints "sello: <message>" to stderr and returns `code`.
int Fail(int code, absl::string_view message);

// Prints `message` as proto3 JSON (camelCase names, defaults included) on stdout, for
// commands whose own --format asks for JSON (results go through Cli::printer()).
void PrintJson(const google::protobuf::Message& message);

// Column-aligned table on stdout; the header row in upper case.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::ostream& out = std::cout) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "name:  value" lines, names aligned; empty values are left out.
void PrintFields(const std::vector<std::pair<std::string, std::string>>& fields,
                 std::ostream& out = std::cout);

// "2026-11-26 10:00:00Z", or "" when unset.
std::string ShowTime(const google::protobuf::Timestamp& timestamp);

// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string CsvField(const std::string& text);
// One CSV line of `cells` (each quoted as needed) on stdout.
void PrintCsvRow(const std::vector<std::string>& cells);

// Small inline charts for tables: a horizontal bar of `width` cells for a fraction
// (0..1, in eighths of a cell), and a sparkline of shares (each 0..1) as one block per
// value.
std::string Bar(double fraction, int width = 10);
std::string Sparkline(const std::vector<double>& shares);
// "12.5%" for 0.125; "-" for NaN.
std::string Percent(double fraction);
// A number with up to `decimals` decimals, trailing zeros dropped; "-" for NaN.
std::string Number(double value, int decimals = 2);

// "2026-11-26", or "" when unset.
std::string Day(const google::protobuf::Timestamp& timestamp);

// Parses the date given to `flag` ("YYYY-MM-DD" or RFC 3339) into `out`; an empty
// `text` leaves `out` alone. False, with the message printed and `*exit_code` set to
// kExitUsage, when it is not a date.
bool ParseDateFlag(absl::string_view flag, const std::string& text,
                   google::protobuf::Timestamp* out, int* exit_code);

}  // namespace sello::cli

#endif  // SELLO_CLIENT_CLI_OUTPUT_H_
