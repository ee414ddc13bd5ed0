#include "daemon/domain/request_hygiene.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <array>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"

namespace sello::domain {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Where a field sits in the request, as a chain from the field up to the request; only
// spelled out ("inspection.results[2].note") when something is wrong with it.
struct Path {
  const Path* parent = nullptr;
  const FieldDescriptor* field = nullptr;
  int index = -1;  // for an element of a repeated field
};

std::string Spell(const Path* path) {
  std::vector<const Path*> chain;
  for (const Path* at = path; at != nullptr && at->field != nullptr; at = at->parent) {
    chain.push_back(at);
  }
  std::string spelled;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!spelled.empty()) spelled += '.';
    spelled += (*it)->field->name();
    if ((*it)->index >= 0) absl::StrAppend(&spelled, "[", (*it)->index, "]");
  }
  return spelled;
}

std::string CodePoint(UChar32 c) {
  std::array<char, 128> name{};
  UErrorCode error = U_ZERO_ERROR;
  u_charName(c, U_UNICODE_CHAR_NAME, name.data(), static_cast<int32_t>(name.size()), &error);
  if (U_FAILURE(error) || name[0] == '\0') {
    // Controls have no name of their own, only an alias.
    error = U_ZERO_ERROR;
    u_charName(c, U_CHAR_NAME_ALIAS, name.data(), static_cast<int32_t>(name.size()), &error);
  }
  if (U_FAILURE(error) || name[0] == '\0') return absl::StrFormat("U+%04X", c);
  return absl::StrFormat("U+%04X (%s)", c, name.data());
}

std::string EnumValues(const google::protobuf::EnumDescriptor& type) {
  std::string values;
  for (int i = 0; i < type.value_count(); ++i) {
    absl::StrAppend(&values, i == 0 ? "" : ", ", type.value(i)->name());
  }
  return values;
}

// What is wrong with `text` as a name or text (CheckText), or nothing.
std::optional<std::string> TextProblem(absl::string_view text, bool multi_line) {
  const auto refuse = [](absl::string_view what) {
    return std::optional<std::string>(absl::StrCat(
        what, "; names and texts are printed on seals and pages, and must show what they hold"));
  };
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const uint8_t byte = bytes[i];
    // Printable ASCII, by far the most common, costs one comparison.
    if (byte >= 0x20 && byte < 0x7f) {
      ++i;
      continue;
    }
    if (byte < 0x80) {
      if (multi_line && (byte == '\t' || byte == '\n' || byte == '\r')) {
        ++i;
        continue;
      }
      return refuse(absl::StrCat("contains the control character ", CodePoint(byte),
                                 multi_line ? "" : " (this field is one line of text)"));
    }
    const int32_t at = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return refuse(absl::StrCat("is not valid UTF-8 (at byte ", at, ")"));
    if (c <= 0x9f) return refuse(absl::StrCat("contains the control character ", CodePoint(c)));
    if (c == 0x2028 || c == 0x2029) {
      return refuse(absl::StrCat("contains the line break ", CodePoint(c)));
    }
    if (u_charType(c) == U_FORMAT_CHAR) {
      return refuse(absl::StrCat("contains ", CodePoint(c),
                                 ", a Unicode format character (it changes how the text around "
                                 "it displays without showing itself)"));
    }
  }
  return std::nullopt;
}

absl::Status CheckEnum(const FieldDescriptor& field, int value, const Path& path) {
  if (field.enum_type()->FindValueByNumber(value) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(Spell(&path), ": ", value, " is not a value of ",
                                                 field.enum_type()->full_name(), " (",
                                                 EnumValues(*field.enum_type()), ")"));
}

// "0001-01-01": four-digit years, as people read them.
std::string Day(absl::Time time) {
  const absl::CivilDay day = absl::ToCivilDay(time, absl::UTCTimeZone());
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::Status CheckTimestamp(const Message& timestamp, const Path& path, absl::Time now) {
  const google::protobuf::Descriptor& type = *timestamp.GetDescriptor();
  const Reflection& reflection = *timestamp.GetReflection();
  const int64_t seconds = reflection.GetInt64(timestamp, type.FindFieldByName("seconds"));
  const int32_t nanos = reflection.GetInt32(timestamp, type.FindFieldByName("nanos"));
  if (seconds == 0 && nanos == 0) return absl::OkStatus();  // unset
  if (nanos < 0 || nanos > 999'999'999) {
    return absl::InvalidArgumentError(
        absl::StrCat(Spell(&path), ": nanos ", nanos, " is not within 0..999999999"));
  }
  const absl::Time time = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  const DateBounds bounds = DateBoundsOf(path.field != nullptr ? path.field->name() : "", now);
  if (time < bounds.earliest) {
    return absl::InvalidArgumentError(absl::StrCat(
        Spell(&path), ": ", seconds < -62135596800 ? "a time before year 1" : Day(time),
        " is before ", Day(bounds.earliest), ", the earliest date this field takes"));
  }
  if (time > bounds.latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        Spell(&path), ": ", seconds > 253402300799 ? "a time after year 9999" : Day(time),
        " is after ", Day(bounds.latest), ", the latest date this field takes"));
  }
  return absl::OkStatus();
}

// Cleans `message` whole (its unknown fields go even after a problem is found, so that no
// part of a refused request keeps any) and returns the first problem.
absl::Status Clean(Message& message, const Path& at, absl::Time now) {
  absl::Status first;
  const Reflection& reflection = *message.GetReflection();
  if (!reflection.GetUnknownFields(message).empty()) {
    reflection.MutableUnknownFields(&message)->Clear();
  }
  if (message.GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
    return CheckTimestamp(message, at, now);
  }
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const bool text = field->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
    // Bytes are not text, and seal codes are read by their own forgiving rule (seal_code.h):
    // one that is not a code gets its own MALFORMED verdict, never the whole batch refused.
    // Decided once per field: VerifySeal's thousand codes cost nothing here.
    if (text && (field->type() == FieldDescriptor::TYPE_BYTES || field->name() == "codes")) {
      continue;
    }
    const bool multi_line = text && IsMultiLineText(field->name());
    const int count = field->is_repeated() ? reflection.FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      const Path path{&at, field, field->is_repeated() ? i : -1};
      absl::Status status;
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_ENUM:
          status =
              CheckEnum(*field,
                        field->is_repeated() ? reflection.GetRepeatedEnumValue(message, field, i)
                                             : reflection.GetEnumValue(message, field),
                        path);
          break;
        case FieldDescriptor::CPPTYPE_STRING: {
          std::string scratch;
          const std::string& value =
              field->is_repeated()
                  ? reflection.GetRepeatedStringReference(message, field, i, &scratch)
                  : reflection.GetStringReference(message, field, &scratch);
          if (value.empty()) break;
          if (std::optional<std::string> problem = TextProblem(value, multi_line)) {
            status = absl::InvalidArgumentError(absl::StrCat(Spell(&path), ": ", *problem));
          }
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          status =
              Clean(field->is_repeated() ? *reflection.MutableRepeatedMessage(&message, field, i)
                                         : *reflection.MutableMessage(&message, field),
                    path, now);
          break;
        default:
          break;
      }
      if (first.ok()) first = status;
    }
  }
  return first;
}

}  // namespace

absl::Time EarliestRecordDate() { return absl::UnixEpoch(); }

DateBounds DateBoundsOf(absl::string_view field, absl::Time now) {
  if (field == "harvest_date" || field == "inspection_date") {
    return {EarliestRecordDate(), now + absl::Hours(24)};
  }
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  return {EarliestRecordDate(),
          absl::FromCivil(absl::CivilDay(today.year() + 100, today.month(), today.day()),
                          absl::UTCTimeZone())};
}

bool IsMultiLineText(absl::string_view field) {
  return field == "note" || field == "grounds" || field == "description" || field == "reason" ||
         absl::EndsWith(field, "_reason");
}

absl::Status CheckText(absl::string_view text, bool multi_line, absl::string_view path) {
  std::optional<std::string> problem = TextProblem(text, multi_line);
  if (!problem.has_value()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", *problem));
}

absl::Status CleanRequest(google::protobuf::Message& request, absl::Time now) {
  return Clean(request, Path{}, now);
}

}  // namespace sello::domain
