#include "daemon/http/log_tiles.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "daemon/domain/access_policy.h"
#include "daemon/tlog/tile_path.h"
#include "storage/records.h"

namespace sello::http {
namespace {

HttpResponse Text(int status, absl::string_view message, absl::string_view cache_control) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  response.SetHeader("Cache-Control", cache_control);
  response.body = absl::StrCat(message, "\n");
  return response;
}

std::string MaxAge(absl::Duration age) {
  return absl::StrCat("max-age=", absl::ToInt64Seconds(age));
}

}  // namespace

void RouteLogTiles(Router& router, LogTiles* tiles) {
  router.Handle("/checkpoint", tiles);
  router.HandlePrefix("/tile/", tiles);
}

void LogTiles::Handle(const HttpRequest& request, Respond respond) { respond(Answer(request)); }

HttpResponse LogTiles::Answer(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = Text(405, "the log's tiles are read with GET", "no-store");
    response.SetHeader("Allow", "GET, HEAD");
    return response;
  }
  const std::string& path = request.target.path;
  if (path == "/checkpoint") return Checkpoint();
  absl::string_view rest = path;
  if (absl::ConsumePrefix(&rest, "/tile/")) return Tile(request, rest);
  return Text(404, "not found", "no-store");
}

HttpResponse LogTiles::Checkpoint() const {
  absl::StatusOr<v1::Checkpoint> served = log_->Served();
  if (!served.ok()) return Text(503, served.status().message(), "no-store");
  HttpResponse response;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  response.SetHeader("Cache-Control", absl::StrCat("public, ", MaxAge(options_.short_max_age)));
  response.body = served->note();
  return response;
}

std::optional<HttpResponse> LogTiles::RefuseEntryReader(const HttpRequest& request) const {
  std::optional<domain::Principal> principal;
  if (const std::string* authorization = request.Header("authorization");
      authorization != nullptr) {
    absl::string_view secret = *authorization;
    absl::StatusOr<domain::Principal> resolved =
        absl::ConsumePrefix(&secret, "Bearer ")
            ? auth_->Resolve(secret)
            : absl::UnauthenticatedError("Authorization: expected \"Bearer <token>\"");
    if (!resolved.ok()) {
      if (limiter_ != nullptr) limiter_->ForgetToken(*authorization);
      HttpResponse response = Text(401, resolved.status().message(), "no-store");
      response.SetHeader("WWW-Authenticate", "Bearer");
      return response;
    }
    principal = *std::move(resolved);
  }
  if (absl::Status allowed =
          domain::AuthorizeLogMirror(principal.has_value() ? &*principal : nullptr);
      !allowed.ok()) {
    HttpResponse response =
        Text(absl::IsUnauthenticated(allowed) ? 401 : 403, allowed.message(), "no-store");
    if (absl::IsUnauthenticated(allowed)) response.SetHeader("WWW-Authenticate", "Bearer");
    return response;
  }
  if (limiter_ != nullptr) limiter_->RememberGoodToken(*request.Header("authorization"));
  return std::nullopt;
}

absl::StatusOr<std::string> LogTiles::EntryBundle(uint64_t first, int width) const {
  std::vector<std::string> entries;
  entries.reserve(width);
  for (int i = 0; i < width; ++i) {
    // Entry (leaf) n is event n + 1.
    absl::StatusOr<std::optional<std::string>> data =
        storage::LoadEventData(*store_, first + static_cast<uint64_t>(i) + 1);
    if (!data.ok()) return data.status();
    if (!data->has_value()) {
      return absl::InternalError(absl::StrCat("event ", first + i + 1, " is missing"));
    }
    entries.push_back(**std::move(data));
  }
  return domain::FormatEntryBundle(entries);
}

HttpResponse LogTiles::Tile(const HttpRequest& request, absl::string_view path) const {
  absl::StatusOr<domain::TilePath> tile = domain::ParseTilePath(path);
  if (!tile.ok()) return Text(400, tile.status().message(), "no-store");
  const bool full = tile->width == domain::kTileWidth;
  // Who may read every event, before anything is read.
  if (tile->entries) {
    if (std::optional<HttpResponse> refused = RefuseEntryReader(request); refused.has_value()) {
      return *std::move(refused);
    }
  }
  absl::StatusOr<v1::Checkpoint> served = log_->Served();
  if (!served.ok() || !domain::TreeHoldsTile(*tile, served->size())) {
    // Not yet (or never: a full tile of a tree that is not that large yet).
    return Text(404,
                absl::StrCat(domain::FormatTilePath(*tile), " is not in the log's tree of size ",
                             served.ok() ? served->size() : 0),
                "no-store");
  }
  const uint64_t first = tile->index * domain::kTileWidth;
  HttpResponse response;
  response.SetHeader("Content-Type", "application/octet-stream");
  if (tile->entries) {
    absl::StatusOr<std::string> bundle = EntryBundle(first, tile->width);
    if (!bundle.ok()) return Text(500, bundle.status().message(), "no-store");
    response.body = *std::move(bundle);
    // Never in a shared cache: a CDN would hand them to anyone.
    response.SetHeader("Cache-Control",
                       full ? "private, max-age=31536000, immutable"
                            : absl::StrCat("private, ", MaxAge(options_.short_max_age)));
    response.SetHeader("Vary", "Authorization");
    return response;
  }
  absl::StatusOr<std::string> hashes =
      log_->SubtreeHashes(domain::kTileHeight * tile->level, first, tile->width);
  if (!hashes.ok()) return Text(500, hashes.status().message(), "no-store");
  response.body = *std::move(hashes);
  response.SetHeader("Cache-Control",
                     full ? "public, max-age=31536000, immutable"
                          : absl::StrCat("public, ", MaxAge(options_.short_max_age)));
  return response;
}

}  // namespace sello::http
