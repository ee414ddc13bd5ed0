// sello health.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/ascii.h"
#include "client/cli/cli.h"

namespace sello::cli {

void AddHealthCommand(CLI::App& app, Cli& cli) {
  auto wait = std::make_shared<double>(0);
  auto service = std::make_shared<std::string>();
  CLI::App* health =
      app.add_subcommand("health",
                         "check that sellod is serving (exit 0), is up but not serving (6), or "
                         "does not know the service asked about (3)");
  health
      ->add_option("--wait", *wait,
                   "wait up to this many seconds for it to serve (default: ask once)")
      ->check(CLI::NonNegativeNumber);
  health->add_option("--service", *service,
                     "ask about this service of the standard health service: \"\" (the "
                     "default) for the whole server, sello.write for writes (NOT_SERVING while "
                     "the store refuses them, e.g. its disk or --max-disk-mb is full)");
  OnRun(health, cli, [&cli, wait, service](client::Connection& connection) {
    grpc::Status status = *wait > 0 ? connection.WaitUntilServing(absl::Seconds(*wait), *service)
                                    : connection.CheckServing(*service);
    if (!status.ok()) return Fail("health", status);
    std::cout << "SERVING " << (service->empty() ? "" : *service + " ") << cli.global.server
              << "\n";
    return kExitOk;
  });
}

}  // namespace sello::cli
