// sello seal labels: printable sheets of seal labels, one per seal, each with the QR code
// of the seal's web page (client/label_sheet.h for the layouts).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/cli.h"
#include "client/label_sheet.h"
#include "daemon/domain/digital_link.h"

namespace sello::cli {
namespace {

std::string GradeText(v1::Grade grade) {
  switch (grade) {
    case v1::PREMIUM:
      return "Premium";
    case v1::GRADE_I:
      return "Grade I";
    case v1::INDUSTRIAL:
      return "Industrial";
    default:
      return "";
  }
}

// "labels [#########           ] 450/1000", redrawn in place on a terminal.
void ShowProgress(size_t done, size_t total) {
  constexpr size_t kWidth = 30;
  if (done != total && done % 25 != 0) return;
  const size_t filled = total == 0 ? kWidth : done * kWidth / total;
  std::cerr << "\rlabels [" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] "
            << done << "/" << total << (done == total ? "\n" : "") << std::flush;
}

// The options of `seal labels`, filled in by CLI11.
struct LabelOptions {
  std::string lot, issuance, base_url, gtin, format = "pdf", out, layout = "a4-3x8";
};

// The flags of `seal labels`, each with its help text.
void AddLabelFlags(CLI::App* labels, LabelOptions& options) {
  std::vector<std::string> layouts;
  for (const client::LabelLayout& layout : client::LabelLayouts()) {
    layouts.emplace_back(layout.name);
  }
  CLI::Option* lot = labels->add_option("--lot", options.lot, "every seal of this lot");
  CLI::Option* issuance =
      labels->add_option("--issuance", options.issuance, "every seal of this issuance");
  lot->excludes(issuance);
  labels
      ->add_option("--base-url", options.base_url,
                   "the registry's public web address the QR codes point to, e.g. "
                   "https://sello.example.org (sellod's --http-listen, or the proxy in front)")
      ->required();
  labels->add_option("--gtin", options.gtin,
                     "the product's GTIN (8, 12, 13 or 14 digits, check digit verified): the QR "
                     "codes hold GS1 Digital Link URIs");
  labels
      ->add_option("--format", options.format,
                   "pdf (every sheet a page) or svg (one file "
                   "per sheet: FILE, FILE-2.svg, ...)")
      ->check(CLI::IsMember({"pdf", "svg"}));
  labels
      ->add_option("--layout", options.layout,
                   "label stock: a4-3x8 (A4, 70 x 37 mm, 24 a sheet) or letter-3x10 (US "
                   "Letter, 2.625 x 1 in, 30 a sheet, Avery 5160)")
      ->check(CLI::IsMember(layouts));
  labels->add_option("--out", options.out, "the file to write")->required();
}

// Checks the options that CLI11 cannot: one of --lot and --issuance, the base URL (set in
// *base without its trailing slashes), the GTIN and the layout (set in *layout).
int CheckLabelOptions(const LabelOptions& options, std::string* base, client::LabelLayout* layout) {
  if (options.lot.empty() == options.issuance.empty()) {
    return Fail(kExitUsage, "seal labels: give --lot or --issuance");
  }
  *base = options.base_url;
  while (absl::EndsWith(*base, "/")) base->pop_back();
  if ((!absl::StartsWith(*base, "https://") && !absl::StartsWith(*base, "http://")) ||
      absl::StrContains(*base, "?") || absl::StrContains(*base, "#") ||
      absl::StrContains(*base, " ")) {
    return Fail(kExitUsage,
                "--base-url: must be an http:// or https:// address without a "
                "query or fragment, e.g. https://sello.example.org");
  }
  if (!options.gtin.empty()) {
    if (absl::Status status = domain::CheckGtin(options.gtin); !status.ok()) {
      return Fail(kExitUsage, absl::StrCat("--", status.message()));
    }
  }
  absl::StatusOr<client::LabelLayout> found = client::FindLabelLayout(options.layout);
  if (!found.ok()) return Fail(kExitUsage, std::string(found.status().message()));
  *layout = *std::move(found);
  return kExitOk;
}

// Every seal of the lot or the issuance, all pages; kExitNotFound when there is none.
int FetchLabelSeals(client::Connection& connection, const LabelOptions& options,
                    v1::ListSealsResponse* all) {
  v1::ListSealsRequest request;
  request.set_lot_id(options.lot);
  request.set_issuance_id(options.issuance);
  request.set_page_size(1000);
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.seals().ListSeals(context, r, page);
      },
      all);
  if (!status.ok()) return Fail("seal labels", status);
  if (all->seals_size() == 0) return Fail(kExitNotFound, "seal labels: no seals to print");
  return kExitOk;
}

// One label per seal, its QR code the seal's Digital Link with a GTIN, else /seal/CODE.
int ComposeLabels(const v1::ListSealsResponse& all, const std::string& base,
                  const std::string& gtin, std::vector<client::SealLabel>* sheet) {
  sheet->reserve(static_cast<size_t>(all.seals_size()));
  for (const v1::Seal& s : all.seals()) {
    client::SealLabel label;
    label.code = s.code();
    label.grade = GradeText(s.grade());
    label.standard = absl::StrCat(s.standard_id(), " v", s.standard_version());
    if (gtin.empty()) {
      label.url = absl::StrCat(base, "/seal/", s.code());
    } else {
      absl::StatusOr<std::string> url = domain::SealDigitalLink(base, gtin, s.lot_id(), s.code());
      if (!url.ok()) {
        return Fail(kExitUsage,
                    absl::StrCat("seal labels: ", s.code(), ": ", url.status().message(),
                                 " (print without --gtin: /seal/CODE takes every code)"));
      }
      label.url = *std::move(url);
    }
    sheet->push_back(std::move(label));
  }
  return kExitOk;
}

// Writes the sheets (progress on a terminal) and says on stderr what was written.
int WriteLabels(const std::vector<client::SealLabel>& sheet, const client::LabelLayout& layout,
                const LabelOptions& options) {
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  absl::StatusOr<std::vector<std::string>> written = client::WriteLabelSheets(
      sheet, layout,
      options.format == "svg" ? client::LabelFormat::kSvg : client::LabelFormat::kPdf, options.out,
      terminal ? ShowProgress : std::function<void(size_t, size_t)>());
  client::ReleaseLabelFontCaches();
  if (!written.ok()) return Fail("seal labels", written.status());
  const size_t per_sheet = static_cast<size_t>(layout.columns * layout.rows);
  std::cerr << "wrote " << sheet.size() << " labels on "
            << (sheet.size() + per_sheet - 1) / per_sheet << " " << layout.name
            << " sheets: " << absl::StrJoin(*written, ", ") << "\n";
  return kExitOk;
}

// seal labels: check the options, fetch the seals, compose their labels, write the sheets.
int SealLabels(client::Connection& connection, const Cli&, const LabelOptions& options) {
  std::string base;
  client::LabelLayout layout;
  if (int code = CheckLabelOptions(options, &base, &layout); code != kExitOk) return code;
  v1::ListSealsResponse all;
  if (int code = FetchLabelSeals(connection, options, &all); code != kExitOk) return code;
  std::vector<client::SealLabel> sheet;
  if (int code = ComposeLabels(all, base, options.gtin, &sheet); code != kExitOk) return code;
  return WriteLabels(sheet, layout, options);
}

}  // namespace

void AddSealLabelsCommand(CLI::App& seal, Cli& cli) {
  auto options = std::make_shared<LabelOptions>();
  CLI::App* labels = seal.add_subcommand(
      "labels",
      "print labels for a lot's or an issuance's seals (who may list them: the lot's FIRM, the "
      "issuing CERTIFIER, ADMIN): one label per seal with the QR code of its web page (the GS1 "
      "Digital Link /01/GTIN/10/LOT/21/CODE with --gtin, else /seal/CODE), the code, the grade "
      "and the standard, on sheets of label stock");
  AddLabelFlags(labels, *options);
  OnRun(labels, cli, options, SealLabels);
}

}  // namespace sello::cli
