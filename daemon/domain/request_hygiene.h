// What every request goes through before its handler sees it, whatever its type (by
// protobuf reflection, recursively): unknown fields are discarded, enum values the schema
// does not define are refused, dates outside sane bounds are refused, and text that is
// not UTF-8 or would display as something other than what it holds (Unicode format
// characters such as right-to-left overrides, control characters) is refused. Names and
// texts are printed on seals and pages and stored in immutable, logged records: what a
// reader sees must be what was written.
#ifndef SELLO_DAEMON_DOMAIN_REQUEST_HYGIENE_H_
#define SELLO_DAEMON_DOMAIN_REQUEST_HYGIENE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace sello::domain {

// The earliest date any record may carry (no harvest, inspection, accreditation, norm or
// seal of this registry predates it).
absl::Time EarliestRecordDate();

// The bounds a date field (a google.protobuf.Timestamp, named `field` in its message) must
// lie within, given `now`: harvest and inspection dates from EarliestRecordDate() to a day
// ahead (clock skew; their rules refuse the future more tightly), every other date (validity
// periods, effective dates, expiries, as-of instants) to 100 years ahead.
struct DateBounds {
  absl::Time earliest;
  absl::Time latest;
};
DateBounds DateBoundsOf(absl::string_view field, absl::Time now);

// Whether `field` (a string field's name) holds free text that may span lines (notes,
// grounds, descriptions, reasons): there TAB, LF and CR are allowed; every other string is
// one line.
bool IsMultiLineText(absl::string_view field);

// Checks one string: valid UTF-8, no control character (C0 but for TAB/LF/CR in
// `multi_line` text, DEL, C1), no Unicode format character (general category Cf: bidi
// overrides and isolates, zero-width joiners and spaces, the BOM, ...), no line or
// paragraph separator (U+2028, U+2029). INVALID_ARGUMENT naming `path`, the code point
// and its Unicode name otherwise.
absl::Status CheckText(absl::string_view text, bool multi_line, absl::string_view path);

// Discards the unknown fields of `request` and of every message inside it, then checks
// every enum value (defined by the schema), every date (DateBoundsOf) and every string
// (CheckText; seal codes excepted: each is read by the seal code rule, and one that is not
// a code gets its own MALFORMED verdict). INVALID_ARGUMENT naming the first bad field's path (e.g.
// "inspection.results[2].note") otherwise; the request is then left cleaned but must not
// be used.
absl::Status CleanRequest(google::protobuf::Message& request, absl::Time now);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_REQUEST_HYGIENE_H_
