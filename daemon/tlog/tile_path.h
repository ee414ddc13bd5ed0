// C2SP tlog-tiles resource paths: hash tiles "tile/<L>/<N>[.p/<W>]" and entry bundles
// "tile/entries/<N>[.p/<W>]", their strict parse and their format, and which tiles a
// tree of a given size holds. Pure.
//
// <L> is 0..63 without leading zeros; <N> is zero-padded 3-digit path elements, all but
// the last starting with "x" (1234067 is "x001/x234/067"); ".p/<W>" (W 1..255 without
// leading zeros) marks a partial tile. The n-th tile at level l holds the hashes of the
// tree nodes of height 8*l with indices n*256 .. n*256+W-1 (RFC 6962 MTH of 256^l leaves
// each); an entry bundle holds entries n*256 .. n*256+W-1, each a big-endian uint16
// length and the entry's bytes.
#ifndef SELLO_DAEMON_TLOG_TILE_PATH_H_
#define SELLO_DAEMON_TLOG_TILE_PATH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

inline constexpr int kTileHeight = 8;
inline constexpr int kTileWidth = 1 << kTileHeight;  // hashes in a full tile
inline constexpr int kMaxTileLevel = 63;

struct TilePath {
  bool entries = false;  // an entry bundle (level 0's entries) rather than a hash tile
  int level = 0;
  uint64_t index = 0;
  int width = kTileWidth;  // kTileWidth: a full tile

  friend bool operator==(const TilePath&, const TilePath&) = default;
};

// Parses the path after the prefix's "tile/" (e.g. "0/x001/234.p/7", "entries/000").
// INVALID_ARGUMENT saying what is wrong: every path has one spelling only.
absl::StatusOr<TilePath> ParseTilePath(absl::string_view path);
// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]".
std::string FormatTilePath(const TilePath& tile);

// Whether a tree of `tree_size` leaves holds the tile: every hash of it is the hash of a
// complete subtree within the first `tree_size` leaves (a partial tile of width W: the
// first W of them). Tiles beyond are not served yet (and a full tile only once full).
bool TreeHoldsTile(const TilePath& tile, uint64_t tree_size);

// The entry bundle of `entries` (each at most 65,535 bytes: INVALID_ARGUMENT naming the
// entry otherwise).
absl::StatusOr<std::string> FormatEntryBundle(const std::vector<std::string>& entries);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_TLOG_TILE_PATH_H_
