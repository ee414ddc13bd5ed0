// The web front's templates (daemon/web/templates/*.mustache) and static files
// (daemon/web/static/), compiled into sellod by embed_assets.cmake.
#ifndef SELLO_DAEMON_WEB_WEB_ASSETS_H_
#define SELLO_DAEMON_WEB_WEB_ASSETS_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sello::web {

struct Asset {
  absl::string_view name;  // path under daemon/web/, e.g. "static/proof.js"
  absl::string_view content;
};

// Every asset, in the order CMake lists them.
absl::Span<const Asset> Assets();

}  // namespace sello::web

#endif  // SELLO_DAEMON_WEB_WEB_ASSETS_H_
