// sello: the command-line client for Sello, for daily work and audits.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli/cli.h"
#include "client/standard_file.h"
#include "common/net_address.h"

namespace sello::cli {

std::unique_ptr<client::Connection> Cli::Connect(int* exit_code) const {
  client::ConnectionOptions options;
  options.server = global.server;
  options.token = global.token;
  options.timeout = absl::Seconds(global.timeout_seconds);
  if (options.token.empty() && !global.token_file.empty()) {
    std::ifstream in(global.token_file);
    std::string token;
    if (!in || !std::getline(in, token)) {
      *exit_code = Fail(kExitUsage, absl::StrCat("--token-file: cannot read ", global.token_file));
      return nullptr;
    }
    options.token = std::string(absl::StripAsciiWhitespace(token));
  }
  if (global.cert_file.empty() != global.key_file.empty()) {
    *exit_code = Fail(kExitUsage, "--cert and --key go together");
    return nullptr;
  }
  options.tls =
      !global.ca_file.empty() || !global.cert_file.empty() || !global.tls_server_name.empty();
  options.tls_server_name = global.tls_server_name;
  for (const auto& [flag, path, pem] : {std::tuple{"--ca", &global.ca_file, &options.ca_pem},
                                        {"--cert", &global.cert_file, &options.cert_pem},
                                        {"--key", &global.key_file, &options.key_pem}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> read = client::ReadFile(*path);
    if (!read.ok()) {
      *exit_code = Fail(kExitUsage, absl::StrCat(flag, ": ", read.status().message()));
      return nullptr;
    }
    *pem = *std::move(read);
  }
  if (!options.tls && !options.token.empty() && !IsLoopbackAddress(options.server)) {
    *exit_code =
        Fail(kExitUsage, absl::StrCat("refusing to send a token in plaintext to ", options.server,
                                      ": give --ca (TLS), or use a loopback address"));
    return nullptr;
  }
  return std::make_unique<client::Connection>(options);
}

void OnRun(CLI::App* command, Cli& cli, std::function<int(client::Connection&)> body) {
  command->callback([&cli, body = std::move(body)] {
    cli.run = [&cli, body] {
      int exit_code = kExitOk;
      std::unique_ptr<client::Connection> connection = cli.Connect(&exit_code);
      if (connection == nullptr) return exit_code;
      return body(*connection);
    };
  });
}

void OnRun(CLI::App* command, Cli& cli, int (*verb)(client::Connection&, const Cli&)) {
  OnRun(command, cli,
        [&cli, verb](client::Connection& connection) { return verb(connection, cli); });
}

// The options before the command: server, credentials, output, TLS.
void AddGlobalOptions(CLI::App& app, GlobalOptions& global) {
  app.add_option("--server", global.server, "sellod address HOST:PORT")
      ->envname("SELLO_SERVER")
      ->capture_default_str();
  app.add_option("--token", global.token, "bearer token")->envname("SELLO_TOKEN");
  app.add_option("--token-file", global.token_file,
                 "read the bearer token from this file (e.g. DATA_DIR/admin.token)")
      ->envname("SELLO_TOKEN_FILE");
  app.add_option("-o,--output", global.output, "output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", global.timeout_seconds, "deadline of each call, in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--ca", global.ca_file, "TLS: trust this CA for the server (PEM)")
      ->envname("SELLO_CA");
  app.add_option("--cert", global.cert_file,
                 "mutual TLS: this client's certificate chain (PEM); needs --key")
      ->envname("SELLO_CERT");
  app.add_option("--key", global.key_file, "mutual TLS: the client certificate's key (PEM)")
      ->envname("SELLO_KEY");
  app.add_option("--tls-server-name", global.tls_server_name,
                 "TLS: the name the server's certificate must be for (default: the host of "
                 "--server), e.g. registry.example.org when --server is an IP address; "
                 "implies TLS")
      ->envname("SELLO_TLS_SERVER_NAME");
}

// The command groups, in the order `sello --help` lists them.
void AddCommandGroups(CLI::App& app, Cli& cli) {
  AddOrgCommands(app, cli);
  AddSiteCommands(app, cli);
  AddTokenCommands(app, cli);
  AddStandardCommands(app, cli);
  AddHealthCommand(app, cli);
  AddDemoCommands(app, cli);
  AddAccreditCommands(app, cli);
  AddLotCommands(app, cli);
  AddInspectCommands(app, cli);
  AddSealCommands(app, cli);
  AddNormCommands(app, cli);
  AddComplyCommands(app, cli);
  AddAppealCommands(app, cli);
  AddStatsCommands(app, cli);
  AddAdminCommands(app, cli);
  AddAuditCommands(app, cli);
  AddWatchCommand(app, cli);
  AddWitnessCommands(app, cli);
}

}  // namespace sello::cli

int Run(int argc, char** argv) {
  using namespace sello::cli;
  Cli cli;
  CLI::App app{
      "sello: the Sello quality-certification registry client.\n\n"
      "Exit codes: 0 ok, 1 other error, 2 usage, 3 not found, 4 denied or unauthenticated,\n"
      "5 invalid input or state, 6 unavailable, 7 the registry misbehaved (audit evidence).",
      "sello"};
  app.fallthrough();
  app.require_subcommand(1);
  AddGlobalOptions(app, cli.global);

  AddCommandGroups(app, cli);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  cli.output_printer = NewPrinter(cli.global.output);
  if (!cli.run) {
    std::cerr << app.help();
    return kExitUsage;
  }
  return cli.run();
}

int main(int argc, char** argv) {
  // Nothing below should throw; if the standard library does (e.g. out of memory), say
  // so plainly rather than abort with a core dump.
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "sello: fatal: %s\n", error.what());
    return 1;
  }
}
