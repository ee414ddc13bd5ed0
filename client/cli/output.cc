#include "client/cli/output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "client/cli/printer.h"
#include "daemon/domain/time_convert.h"

namespace sello::cli {

int ExitCodeFor(grpc::StatusCode code) { return ExitCodeFor(static_cast<absl::StatusCode>(code)); }

int ExitCodeFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return kExitDenied;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
      return kExitInvalid;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
      return kExitUnavailable;
    case absl::StatusCode::kDataLoss:
      return kExitMisbehaviour;
    default:
      return kExitError;
  }
}

int Fail(absl::string_view what, const grpc::Status& status) {
  return Fail(what, absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                 status.error_message()));
}

int Fail(absl::string_view what, const absl::Status& status) {
  std::cerr << "sello: " << what << ": " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << "\n";
  return ExitCodeFor(status.code());
}

int Fail(int code, absl::string_view message) {
  std::cerr << "sello: " << message << "\n";
  return code;
}

void PrintJson(const google::protobuf::Message& message) {
  JsonPrinter().Print(message, [] {});
}

namespace {

// Columns are measured in characters, not bytes: names like "Acuícola" are UTF-8.
size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

}  // namespace

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row, bool upper) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string cell = i < row.size() ? row[i] : "";
      if (upper) absl::AsciiStrToUpper(&cell);
      line += cell;
      if (i + 1 < widths.size()) line += std::string(widths[i] - DisplayWidth(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print(headers_, true);
  for (const auto& row : rows_) print(row, false);
}

void PrintFields(const std::vector<std::pair<std::string, std::string>>& fields,
                 std::ostream& out) {
  size_t width = 0;
  for (const auto& [name, value] : fields) {
    if (!value.empty()) width = std::max(width, DisplayWidth(name));
  }
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    out << name << ":" << std::string(width - DisplayWidth(name) + 2, ' ') << value << "\n";
  }
}

std::string ShowTime(const google::protobuf::Timestamp& timestamp) {
  return domain::FormatTime(timestamp);
}

std::string Day(const google::protobuf::Timestamp& timestamp) {
  return domain::FormatTime(timestamp).substr(0, 10);
}

bool ParseDateFlag(absl::string_view flag, const std::string& text,
                   google::protobuf::Timestamp* out, int* exit_code) {
  if (text.empty()) return true;
  absl::StatusOr<absl::Time> time = domain::ParseDateTime(text);
  if (!time.ok()) {
    *exit_code = Fail(kExitUsage, absl::StrCat(flag, ": ", time.status().message()));
    return false;
  }
  *out = domain::ToProto(*time);
  return true;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void PrintCsvRow(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(cells[i]);
  }
  std::cout << line << "\n";
}

std::string Bar(double fraction, int width) {
  static constexpr const char* kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  if (std::isnan(fraction)) return "";
  const int eighths = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * width * 8));
  std::string bar;
  for (int i = 0; i < eighths / 8; ++i) bar += "█";
  bar += kEighths[eighths % 8];
  return bar;
}

std::string Sparkline(const std::vector<double>& shares) {
  static constexpr const char* kLevels[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string line;
  for (double share : shares) {
    if (std::isnan(share) || share <= 0) {
      line += " ";
      continue;
    }
    line += kLevels[std::clamp(static_cast<int>(share * 8), 0, 7)];
  }
  return line;
}

std::string Percent(double fraction) {
  if (std::isnan(fraction)) return "-";
  return absl::StrFormat("%.1f%%", fraction * 100);
}

std::string Number(double value, int decimals) {
  if (std::isnan(value)) return "-";
  std::string text = absl::StrFormat("%.*f", decimals, value);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

}  // namespace sello::cli
