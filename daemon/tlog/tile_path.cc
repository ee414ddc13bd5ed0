#include "daemon/tlog/tile_path.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sello::domain {
namespace {

// Decimal without leading zeros, at most `max`.
bool ParseSmall(absl::string_view text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

// <N> as path elements ("x001", "x234", "067"), already split.
absl::StatusOr<uint64_t> ParseIndex(const std::vector<absl::string_view>& elements) {
  uint64_t index = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    absl::string_view element = elements[i];
    const bool last = i + 1 == elements.size();
    if (!last) {
      if (!absl::ConsumePrefix(&element, "x")) {
        return absl::InvalidArgumentError(
            absl::StrCat("tile index element '", elements[i], "' must start with x"));
      }
      if (i == 0 && element == "000") {
        return absl::InvalidArgumentError("tile index: a leading x000 element is not canonical");
      }
    }
    if (element.size() != 3 || !absl::ascii_isdigit(static_cast<unsigned char>(element[0])) ||
        !absl::ascii_isdigit(static_cast<unsigned char>(element[1])) ||
        !absl::ascii_isdigit(static_cast<unsigned char>(element[2]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("tile index element '", elements[i], "' is not 3 digits"));
    }
    const uint64_t digits = static_cast<uint64_t>((element[0] - '0') * 100 +
                                                  (element[1] - '0') * 10 + (element[2] - '0'));
    if (index > (std::numeric_limits<uint64_t>::max() - digits) / 1000) {
      return absl::InvalidArgumentError("tile index: too large");
    }
    index = index * 1000 + digits;
  }
  return index;
}

}  // namespace

absl::StatusOr<TilePath> ParseTilePath(absl::string_view path) {
  std::vector<absl::string_view> elements = absl::StrSplit(path, '/');
  TilePath tile;
  if (elements.size() < 2) return absl::InvalidArgumentError("tile path: too short");
  if (elements[0] == "entries") {
    tile.entries = true;
  } else {
    uint64_t level = 0;
    if (!ParseSmall(elements[0], kMaxTileLevel, &level)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tile level '", elements[0], "' is not a number from 0 to 63 without leading zeros"));
    }
    tile.level = static_cast<int>(level);
  }
  elements.erase(elements.begin());
  // A partial tile: the last index element ends in ".p", then the width.
  if (elements.size() >= 2 && absl::EndsWith(elements[elements.size() - 2], ".p")) {
    uint64_t width = 0;
    if (!ParseSmall(elements.back(), kTileWidth - 1, &width) || width == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("tile width '", elements.back(),
                       "' is not a number from 1 to 255 without leading zeros"));
    }
    tile.width = static_cast<int>(width);
    elements.pop_back();
    elements.back().remove_suffix(2);
  }
  absl::StatusOr<uint64_t> index = ParseIndex(elements);
  if (!index.ok()) return index.status();
  tile.index = *index;
  return tile;
}

std::string FormatTilePath(const TilePath& tile) {
  std::string index = absl::StrFormat("%03d", tile.index % 1000);
  for (uint64_t rest = tile.index / 1000; rest > 0; rest /= 1000) {
    index = absl::StrFormat("x%03d/%s", rest % 1000, index);
  }
  return absl::StrCat("tile/", tile.entries ? "entries" : absl::StrCat(tile.level), "/", index,
                      tile.width == kTileWidth ? "" : absl::StrCat(".p/", tile.width));
}

bool TreeHoldsTile(const TilePath& tile, uint64_t tree_size) {
  const int level = tile.entries ? 0 : tile.level;
  // Nodes of height 8*level the tree holds complete: tree_size / 256^level.
  const int shift = kTileHeight * level;
  const uint64_t nodes = shift >= 64 ? 0 : tree_size >> shift;
  const uint64_t first = tile.index;
  if (first > (std::numeric_limits<uint64_t>::max() >> kTileHeight)) return false;
  // The tile's last node, n*256 + W - 1, must be among them.
  return (first << kTileHeight) + static_cast<uint64_t>(tile.width) <= nodes;
}

absl::StatusOr<std::string> FormatEntryBundle(const std::vector<std::string>& entries) {
  std::string bundle;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string& entry = entries[i];
    if (entry.size() > 0xFFFF) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " of the bundle is ",
                                                     entry.size(),
                                                     " bytes; a bundle carries 65,535 at most"));
    }
    bundle.push_back(static_cast<char>(entry.size() >> 8));
    bundle.push_back(static_cast<char>(entry.size() & 0xFF));
    bundle += entry;
  }
  return bundle;
}

}  // namespace sello::domain
