// Printable seal labels: one label per seal, with the QR code of the seal's web address
// (its GS1 Digital Link, or /seal/CODE), the code in text, the grade and the standard,
// laid out on sheets of common label stock. QR codes from libqrencode, PDF and SVG from
// Cairo.
//
// Layouts (every measure from the stock's data sheet):
//   a4-3x8       A4 (210 x 297 mm), 3 columns x 8 rows of 70 x 37 mm labels, no gaps,
//                0.5 mm top margin (Avery 3474 / L7173-style "24 per sheet").
//   letter-3x10  US Letter (8.5 x 11 in), 3 x 10 labels of 2.625 x 1 in, 0.5 in top and
//                0.1875 in side margins, 0.125 in between columns (Avery 5160).
// A PDF holds every sheet as a page; SVG has no pages, so sheet N > 1 goes to FILE-N.svg.
#ifndef SELLO_CLIENT_LABEL_SHEET_H_
#define SELLO_CLIENT_LABEL_SHEET_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::client {

struct SealLabel {
  std::string url;       // what the QR code holds
  std::string code;      // printed as text
  std::string grade;     // "Premium", "Grade I", "Industrial"
  std::string standard;  // "CSCS v2"
};

struct LabelLayout {
  absl::string_view name;
  double page_width = 0, page_height = 0;  // points (1/72 in)
  int columns = 0, rows = 0;
  double label_width = 0, label_height = 0;  // points
  double margin_left = 0, margin_top = 0;    // points, to the first label
  double gap_x = 0, gap_y = 0;               // points, between labels
};

// Every layout, the default first.
const std::vector<LabelLayout>& LabelLayouts();
// The layout named `name`; INVALID_ARGUMENT listing the names otherwise.
absl::StatusOr<LabelLayout> FindLabelLayout(absl::string_view name);

enum class LabelFormat { kPdf, kSvg };

// Writes `labels` to `path` (and, for SVG, FILE-2.svg, ... for further sheets). Calls
// `progress(done, total)` as labels are drawn (may be empty). Returns the files written.
// INVALID_ARGUMENT for a URL too long for a QR code; INTERNAL when Cairo cannot write.
absl::StatusOr<std::vector<std::string>> WriteLabelSheets(
    const std::vector<SealLabel>& labels, const LabelLayout& layout, LabelFormat format,
    const std::string& path, const std::function<void(size_t, size_t)>& progress);

// Frees Cairo's and fontconfig's process-wide caches (they live until exit otherwise,
// which leak checkers report). Call once, when no more sheets will be drawn.
void ReleaseLabelFontCaches();

}  // namespace sello::client

#endif  // SELLO_CLIENT_LABEL_SHEET_H_
