#include "client/label_sheet.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <qrencode.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace sello::client {
namespace {

constexpr double kMm = 72.0 / 25.4;
constexpr double kInch = 72.0;
// ISO/IEC 18004 §6.3.8: four modules of light margin around the symbol.
constexpr int kQuietModules = 4;

struct SurfaceCloser {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextCloser {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct QrCloser {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

absl::Status CairoStatus(cairo_status_t status, absl::string_view what) {
  if (status == CAIRO_STATUS_SUCCESS) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", cairo_status_to_string(status)));
}

// Draws the QR code of `url` as a `size`-point square (quiet zone included) at (x, y).
absl::Status DrawQr(cairo_t* cr, absl::string_view url, double x, double y, double size) {
  const std::string text(url);
  // Level M (15% of the symbol may be damaged): labels get scuffed in transport.
  std::unique_ptr<QRcode, QrCloser> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (code == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("label URL ", text, ": cannot be encoded as a QR code (too long?)"));
  }
  const int modules = code->width + 2 * kQuietModules;
  const double module = size / modules;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < code->width; ++row) {
    for (int column = 0; column < code->width; ++column) {
      if ((code->data[row * code->width + column] & 1) == 0) continue;
      cairo_rectangle(cr, x + (column + kQuietModules) * module, y + (row + kQuietModules) * module,
                      module, module);
    }
  }
  cairo_fill(cr);
  return absl::OkStatus();
}

// The font size, at most `size`, at which `text` fits in `width` points.
double FitSize(cairo_t* cr, absl::string_view text, double width, double size, const char* family,
               cairo_font_weight_t weight) {
  const std::string shown(text);
  cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL, weight);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, shown.c_str(), &extents);
  return extents.x_advance > width ? size * width / extents.x_advance : size;
}

// Shows `text` at (x, baseline) in at most `width` points, shrinking the font if needed.
void DrawText(cairo_t* cr, absl::string_view text, double x, double baseline, double width,
              double size, const char* family, cairo_font_weight_t weight) {
  const std::string shown(text);
  cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL, weight);
  cairo_set_font_size(cr, FitSize(cr, text, width, size, family, weight));
  cairo_move_to(cr, x, baseline);
  cairo_show_text(cr, shown.c_str());
}

absl::Status DrawLabel(cairo_t* cr, const SealLabel& label, double x, double y, double width,
                       double height) {
  const double pad = std::min(width, height) * 0.04;
  const double qr = height - 2 * pad;
  if (absl::Status status = DrawQr(cr, label.url, x + pad, y + pad, qr); !status.ok()) {
    return status;
  }
  const double text_x = x + 2 * pad + qr;
  const double text_width = x + width - pad - text_x;
  const double line = qr / 5;
  cairo_set_source_rgb(cr, 0, 0, 0);
  DrawText(cr, label.grade, text_x, y + pad + line * 1.1, text_width, line * 0.95, "DejaVu Sans",
           CAIRO_FONT_WEIGHT_BOLD);
  DrawText(cr, label.standard, text_x, y + pad + line * 2.2, text_width, line * 0.7, "DejaVu Sans",
           CAIRO_FONT_WEIGHT_NORMAL);
  // The code on two lines, in one size: the standard's prefix, then the serial.
  const size_t split = label.code.rfind('-', label.code.size() > 17 ? label.code.size() - 17 : 0);
  const std::string prefix = split == std::string::npos ? label.code : label.code.substr(0, split);
  const std::string serial = split == std::string::npos ? "" : label.code.substr(split + 1);
  const double size = std::min(
      FitSize(cr, prefix, text_width, line * 0.8, "DejaVu Sans Mono", CAIRO_FONT_WEIGHT_BOLD),
      FitSize(cr, serial, text_width, line * 0.8, "DejaVu Sans Mono", CAIRO_FONT_WEIGHT_BOLD));
  DrawText(cr, prefix, text_x, y + pad + line * 3.6, text_width, size, "DejaVu Sans Mono",
           CAIRO_FONT_WEIGHT_BOLD);
  DrawText(cr, serial, text_x, y + pad + line * 4.6, text_width, size, "DejaVu Sans Mono",
           CAIRO_FONT_WEIGHT_BOLD);
  return absl::OkStatus();
}

std::string SheetPath(const std::string& path, LabelFormat format, int sheet) {
  if (format == LabelFormat::kPdf || sheet == 1) return path;
  absl::string_view stem = path;
  const bool svg = absl::ConsumeSuffix(&stem, ".svg");
  return absl::StrCat(stem, "-", sheet, svg ? ".svg" : "");
}

}  // namespace

const std::vector<LabelLayout>& LabelLayouts() {
  static const auto* const kLayouts = new std::vector<LabelLayout>{
      {.name = "a4-3x8",
       .page_width = 210 * kMm,
       .page_height = 297 * kMm,
       .columns = 3,
       .rows = 8,
       .label_width = 70 * kMm,
       .label_height = 37 * kMm,
       .margin_left = 0,
       .margin_top = 0.5 * kMm},
      {.name = "letter-3x10",
       .page_width = 8.5 * kInch,
       .page_height = 11 * kInch,
       .columns = 3,
       .rows = 10,
       .label_width = 2.625 * kInch,
       .label_height = 1 * kInch,
       .margin_left = 0.1875 * kInch,
       .margin_top = 0.5 * kInch,
       .gap_x = 0.125 * kInch},
  };
  return *kLayouts;
}

absl::StatusOr<LabelLayout> FindLabelLayout(absl::string_view name) {
  std::vector<absl::string_view> names;
  for (const LabelLayout& layout : LabelLayouts()) {
    if (layout.name == name) return layout;
    names.push_back(layout.name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--layout: '", name, "' is not one of ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<std::vector<std::string>> WriteLabelSheets(
    const std::vector<SealLabel>& labels, const LabelLayout& layout, LabelFormat format,
    const std::string& path, const std::function<void(size_t, size_t)>& progress) {
  const size_t per_sheet = static_cast<size_t>(layout.columns * layout.rows);
  const int sheets =
      std::max<int>(1, static_cast<int>((labels.size() + per_sheet - 1) / per_sheet));
  std::vector<std::string> written;
  std::unique_ptr<cairo_surface_t, SurfaceCloser> surface;
  std::unique_ptr<cairo_t, ContextCloser> cr;
  size_t done = 0;
  for (int sheet = 1; sheet <= sheets; ++sheet) {
    if (surface == nullptr || format == LabelFormat::kSvg) {
      if (cr != nullptr) {
        cr.reset();
        cairo_surface_finish(surface.get());
        if (absl::Status status = CairoStatus(cairo_surface_status(surface.get()), written.back());
            !status.ok()) {
          return status;
        }
      }
      const std::string file = SheetPath(path, format, sheet);
      surface.reset(
          format == LabelFormat::kPdf
              ? cairo_pdf_surface_create(file.c_str(), layout.page_width, layout.page_height)
              : cairo_svg_surface_create(file.c_str(), layout.page_width, layout.page_height));
      if (absl::Status status = CairoStatus(cairo_surface_status(surface.get()), file);
          !status.ok()) {
        return status;
      }
      if (format == LabelFormat::kPdf) {
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                       "Sello seal labels");
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR,
                                       "sello seal labels");
      }
      cr.reset(cairo_create(surface.get()));
      written.push_back(file);
    }
    for (size_t slot = 0; slot < per_sheet && done < labels.size(); ++slot, ++done) {
      const int column = static_cast<int>(slot) % layout.columns;
      const int row = static_cast<int>(slot) / layout.columns;
      const double x = layout.margin_left + column * (layout.label_width + layout.gap_x);
      const double y = layout.margin_top + row * (layout.label_height + layout.gap_y);
      if (absl::Status status =
              DrawLabel(cr.get(), labels[done], x, y, layout.label_width, layout.label_height);
          !status.ok()) {
        return status;
      }
      if (progress) progress(done + 1, labels.size());
    }
    if (format == LabelFormat::kPdf) cairo_show_page(cr.get());
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (absl::Status status = CairoStatus(cairo_surface_status(surface.get()), written.back());
      !status.ok()) {
    return status;
  }
  return written;
}

void ReleaseLabelFontCaches() {
  cairo_debug_reset_static_data();
  FcFini();
}

}  // namespace sello::client
