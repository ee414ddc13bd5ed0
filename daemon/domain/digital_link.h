// GS1 Digital Link 1.1 URIs for seals: the box's GTIN (AI 01), its lot (AI 10) and the
// seal code as its serial number (AI 21). Reading the path of such a URI (each segment
// percent-decoded on its own, as the standard says, so that an encoded '/' inside a lot
// stays inside it), checking the GTIN's check digit, and writing the URI a label prints.
// Pure: no I/O.
//
// AI 21 holds at most 20 characters of GS1's character set 82; a seal code goes there
// without its hyphens ("CSCS-7KQ2-M9XD-3WPA-B" -> "CSCS7KQ2M9XD3WPAB"): seal codes read
// hyphens as layout (seal_code.h), so the serial is the code. A code whose standard id
// makes it longer than 20 characters has no Digital Link form; /seal/CODE serves it.
#ifndef SELLO_DAEMON_DOMAIN_DIGITAL_LINK_H_
#define SELLO_DAEMON_DOMAIN_DIGITAL_LINK_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

// AI 10 and AI 21 values: at most this many characters.
inline constexpr size_t kDigitalLinkMaxValueLength = 20;

struct DigitalLink {
  std::string gtin;    // 14 digits (GTIN-8, -12 and -13 are padded with leading zeros)
  std::string lot;     // AI 10; empty when the URI has none
  std::string serial;  // AI 21
};

// OK when `gtin` is 8, 12, 13 or 14 digits whose last is the GS1 check digit (mod 10,
// weights 3 and 1 from the right). INVALID_ARGUMENT "gtin: ..." naming the problem and,
// for a wrong check digit, the one expected.
absl::Status CheckGtin(absl::string_view gtin);

// Parses the path of a Digital Link URI as it came on the wire (not yet percent-decoded):
// "/01/{gtin}[/10/{lot}]/21/{serial}" (a path prefix before "/01/" is allowed, as the
// standard allows; the path is matched from its "/01/"). Every value is percent-decoded
// on its own and must then be 1-20 characters of GS1's character set 82; the GTIN is
// checked. INVALID_ARGUMENT naming the AI and the problem otherwise.
absl::StatusOr<DigitalLink> ParseDigitalLinkPath(absl::string_view raw_path);

// The AI 21 form of a seal code: the code without hyphens or spaces, upper case.
// INVALID_ARGUMENT when that is longer than 20 characters (no Digital Link form).
absl::StatusOr<std::string> SealCodeAsSerial(absl::string_view code);

// The Digital Link URI of a seal: `base_url` (scheme and host, any trailing '/' ignored)
// then "/01/{gtin}/10/{lot}/21/{serial}", each value percent-encoded where it must be
// (everything but A-Z a-z 0-9 - . _ ~). `gtin` must pass CheckGtin (it is written as 14
// digits); an empty `lot` leaves out AI 10.
absl::StatusOr<std::string> SealDigitalLink(absl::string_view base_url, absl::string_view gtin,
                                            absl::string_view lot, absl::string_view code);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_DIGITAL_LINK_H_
