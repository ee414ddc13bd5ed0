// The transparency log as C2SP tlog-tiles on sellod's HTTP listener: /checkpoint (the
// checkpoint served as the latest: with --witness-policy, the newest one the quorum
// cosigned), hash tiles /tile/<L>/<N>[.p/<W>] from the stored tree nodes, and entry
// bundles /tile/entries/<N>[.p/<W>] (every event's leaf data, so only for ADMIN and
// REGULATOR tokens). Full tiles never change and are cacheable for a year by anyone, so a
// CDN or any static cache in front serves proofs without touching sellod; the checkpoint
// and partial tiles are cached for seconds; entry bundles privately only.
#ifndef SELLO_DAEMON_HTTP_LOG_TILES_H_
#define SELLO_DAEMON_HTTP_LOG_TILES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/http/http_exchange.h"
#include "daemon/http/rate_limiter.h"
#include "daemon/http/router.h"
#include "daemon/server/auth.h"
#include "daemon/tlog/transparency_log.h"
#include "storage/store.h"

namespace sello::http {

class LogTiles : public HttpHandler {
 public:
  struct Options {
    // How long caches may keep /checkpoint and partial tiles.
    absl::Duration short_max_age = absl::Seconds(2);
  };
  // Serves "/checkpoint" and the prefix "/tile/". None of the pointers is owned; `limiter`
  // may be null (a token that reads entry bundles is remembered there as good, so that a
  // regulator's mirror is not held to the anonymous rate).
  LogTiles(const storage::TransparencyLog* log, const storage::Store* store,
           const service::Authenticator* auth, RateLimiter* limiter, Options options)
      : log_(log), store_(store), auth_(auth), limiter_(limiter), options_(options) {}

  void Handle(const HttpRequest& request, Respond respond) override;

  // The answer to `request` (what Handle gives; for tests and the fuzz target).
  HttpResponse Answer(const HttpRequest& request) const;

 private:
  HttpResponse Checkpoint() const;
  HttpResponse Tile(const HttpRequest& request, absl::string_view path) const;
  // Tile's steps. The refusal (401 or 403) of a caller who may not read every event,
  // or nullopt; and the entry bundle of the `width` leaves from `first`.
  std::optional<HttpResponse> RefuseEntryReader(const HttpRequest& request) const;
  absl::StatusOr<std::string> EntryBundle(uint64_t first, int width) const;

  const storage::TransparencyLog* const log_;
  const storage::Store* const store_;
  const service::Authenticator* const auth_;
  RateLimiter* const limiter_;
  const Options options_;
};

// Routes "/checkpoint" and "/tile/" on `router` to `tiles`.
void RouteLogTiles(Router& router, LogTiles* tiles);

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_LOG_TILES_H_
