// sello watch: follows the registry's events as they happen. Resumes by itself after a
// lost connection (from the last event it printed: no gap, no duplicate), and with
// --from after a restart of the command.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/cli/cli.h"
#include "google/protobuf/util/json_util.h"

namespace sello::cli {
namespace {

struct WatchOptions {
  uint64_t from = 1;
  std::vector<std::string> kinds;
  std::string organisation;
  std::string site;
  uint64_t count = 0;
  bool retry = true;
};

void PrintEvent(const Cli& cli, const v1::LoggedEvent& logged) {
  const v1::Event& event = logged.event();
  cli.printer().PrintStreamed(event, [&] {
    std::cout << "#" << event.seq() << "  " << ShowTime(event.time()) << "  " << event.kind()
              << "  " << (event.subjects_size() > 0 ? event.subjects(0) : "") << "  by "
              << (event.actor_organisation_id().empty() ? "sellod" : event.actor_organisation_id())
              << "\n";
  });
}

}  // namespace

void AddWatchCommand(CLI::App& app, Cli& cli) {
  auto options = std::make_shared<WatchOptions>();
  CLI::App* watch =
      app.add_subcommand("watch", "print events as they happen (only those your token may read)");
  watch->add_option("--from", options->from, "start at this event number (resume with last+1)")
      ->capture_default_str();
  watch->add_option("--kind", options->kinds,
                    "only this kind of event; a trailing '.' matches a prefix "
                    "(e.g. standard_version.); repeatable");
  watch->add_option("--org", options->organisation, "only events concerning this organisation");
  watch->add_option("--site", options->site, "only events concerning this site");
  watch->add_option("--count", options->count, "exit after this many events (default: never)");
  watch->add_flag("!--no-retry", options->retry,
                  "exit when the connection is lost instead of resuming");
  OnRun(watch, cli, [&cli, options](client::Connection& connection) {
    uint64_t next = std::max<uint64_t>(options->from, 1);
    uint64_t printed = 0;
    absl::Duration backoff = absl::Milliseconds(200);
    for (;;) {
      v1::WatchEventsRequest request;
      request.set_from_seq(next);
      for (const auto& kind : options->kinds) request.add_kinds(kind);
      request.set_organisation_id(options->organisation);
      request.set_site_id(options->site);
      std::unique_ptr<grpc::ClientContext> context = connection.NewStreamContext();
      auto reader = connection.log().WatchEvents(context.get(), request);
      v1::WatchEventsResponse item;
      while (reader->Read(&item)) {
        backoff = absl::Milliseconds(200);
        if (!item.has_event()) continue;  // heartbeat
        PrintEvent(cli, item.event());
        next = item.event().seq() + 1;
        if (options->count > 0 && ++printed >= options->count) {
          context->TryCancel();
          reader->Finish();
          return kExitOk;
        }
      }
      const grpc::Status status = reader->Finish();
      const bool transient = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                             status.error_code() == grpc::StatusCode::CANCELLED ||
                             status.error_code() == grpc::StatusCode::OK;
      if (!options->retry || !transient) {
        if (status.ok()) return kExitOk;
        Fail("watch", status);
        std::cerr << "sello: watch: resume with --from " << next << "\n";
        return ExitCodeFor(status.error_code());
      }
      std::cerr << "sello: watch: connection lost (" << status.error_message()
                << "); resuming from #" << next << "\n";
      // Wait for the server to come back (health), bounded by the backoff.
      (void)connection.WaitUntilServing(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }
  });
}

}  // namespace sello::cli
