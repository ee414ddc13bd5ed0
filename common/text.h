// Text helpers the rules, the daemon and the client share: counting characters of UTF-8
// text, quoting a value for an error message, and writing a number back as typed.
#ifndef SELLO_COMMON_TEXT_H_
#define SELLO_COMMON_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace sello {

// Length in characters (Unicode code points) of UTF-8 text: proto strings are UTF-8, and
// a title may be in Spanish.
size_t CharCount(absl::string_view text);

// A value as it appears in a message: quoted, C-escaped, and cut to 48 bytes with "..."
// inside the quotes when longer.
std::string Quote(absl::string_view value);

// The shortest text that reads back as the same double ("24", "0.5", "1e+30").
std::string FormatNumber(double value);

}  // namespace sello

#endif  // SELLO_COMMON_TEXT_H_
