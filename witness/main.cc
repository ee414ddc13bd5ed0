// sello-witness: a C2SP tlog-witness that a regulator, a certifier or a buyers'
// association runs beside (never inside) the registry. It cosigns each checkpoint of the
// logs it is configured with only if it extends the last one it cosigned, keeps evidence
// of any log that shows it two histories, and serves that evidence to anyone.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/net_address.h"
#include "daemon/server/json_logger.h"
#include "daemon/tlog/cosignature.h"
#include "common/files.h"
#include "witness/http_server.h"
#include "witness/witness.h"
#include "witness/witness_store.h"

namespace {

using sello::service::LogError;
using sello::service::LogInfo;

struct WitnessOptions {
  std::string data_dir;
  std::string name;
  std::string listen = "127.0.0.1:7380";
  std::string address_file;
  std::vector<std::string> logs;
  std::string logs_file;
  std::string tls_cert, tls_key;
  bool insecure = false;
  std::string metrics_listen;
  size_t max_request_kb = 64;
  double rate_limit = 10;
  int rate_burst = 20;
  unsigned max_connections = 256;
  unsigned max_connections_per_address = 16;
  double idle_timeout = 30;
  int threads = 4;
};

int Fail(absl::string_view event, absl::string_view message) {
  LogError(event, {{"message", message}});
  return 1;
}

// "log <vkey> [<url>]" lines (the tlog-policy syntax, so a policy's log lines can be
// pasted) or bare vkeys, one a line; blank lines and '#' comments ignored.
absl::StatusOr<std::vector<std::string>> ReadLogsFile(const std::string& path) {
  absl::StatusOr<std::optional<std::string>> text = sello::storage::ReadFileIfExists(path);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  std::vector<std::string> keys;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(**text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields[0] == "log") fields.erase(fields.begin());
    if (fields.empty() || fields.size() > 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " line ", number, ": want \"log <vkey> [<url>]\""));
    }
    keys.emplace_back(fields[0]);
  }
  return keys;
}

// The cosigning key in DIR/witness.key (base64 of the Ed25519 seed, 0600), created on
// first start, and its verifier key in DIR/witness.pub. The name is part of the key id
// every policy pins, so a start with another --name than witness.pub's is refused.
absl::StatusOr<sello::domain::CosignatureSigner> LoadOrCreateKey(const std::string& dir,
                                                                 const std::string& name,
                                                                 bool* created) {
  const std::string key_path = dir + "/witness.key";
  const std::string pub_path = dir + "/witness.pub";
  absl::StatusOr<std::optional<std::string>> file = sello::storage::ReadFileIfExists(key_path);
  if (!file.ok()) return file.status();
  *created = !file->has_value();
  if (file->has_value()) {
    absl::StatusOr<std::optional<std::string>> pub = sello::storage::ReadFileIfExists(pub_path);
    if (!pub.ok()) return pub.status();
    std::string seed;
    if (!absl::Base64Unescape(absl::StripAsciiWhitespace(**file), &seed)) {
      return absl::DataLossError(absl::StrCat(key_path, ": not a base64 Ed25519 key"));
    }
    absl::StatusOr<sello::domain::CosignatureSigner> signer =
        sello::domain::CosignatureSigner::FromPrivateKey(name, seed);
    if (!signer.ok()) return signer.status();
    if (pub->has_value()) {
      const std::string pinned(absl::StripAsciiWhitespace(**pub));
      if (pinned != signer->VerifierKey()) {
        return absl::FailedPreconditionError(
            absl::StrCat(pub_path, " says ", pinned, " but --name=", name, " would make the key ",
                         signer->VerifierKey(),
                         ": the name is part of the key id that policies pin; start "
                         "with the name in ",
                         pub_path));
      }
      return signer;
    }
    if (absl::Status status =
            sello::storage::WriteFileAtomically(pub_path, signer->VerifierKey() + "\n", 0644);
        !status.ok()) {
      return status;
    }
    return signer;
  }
  absl::StatusOr<sello::domain::CosignatureSigner> signer =
      sello::domain::CosignatureSigner::Generate(name);
  if (!signer.ok()) return signer.status();
  if (absl::Status status = sello::storage::WriteFileAtomically(
          key_path, absl::Base64Escape(signer->raw_private_key()) + "\n", 0600);
      !status.ok()) {
    return status;
  }
  if (absl::Status status =
          sello::storage::WriteFileAtomically(pub_path, signer->VerifierKey() + "\n", 0644);
      !status.ok()) {
    return status;
  }
  return signer;
}

// Where and how the witness serves: its data dir and name, the logs it witnesses, TLS.
void AddServeFlags(CLI::App& app, WitnessOptions& options) {
  app.add_option("--data-dir", options.data_dir,
                 "directory of the key and the state (created if missing)")
      ->required();
  app.add_option("--name", options.name,
                 "the witness's name in its cosignatures, a schema-less URL you control (e.g. "
                 "witness.regulator.example/sello); fixed once the key exists")
      ->required();
  app.add_option("--listen", options.listen,
                 "HOST:PORT to serve on (IPv4, [IPv6] or localhost); port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--address-file", options.address_file,
                 "write the bound HOST:PORT to this file once serving");
  app.add_option("--log", options.logs,
                 "a log to witness: its verifier key (the registry's DATA_DIR/log.pub; the key's "
                 "name is the log's origin); repeatable, and two keys of one origin are both "
                 "trusted (a key rotation)");
  app.add_option("--logs-file", options.logs_file,
                 "more logs, one \"log <vkey>\" line each (tlog-policy syntax; # comments)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-cert", options.tls_cert,
                 "serve HTTPS with this certificate chain (PEM); needs --tls-key")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", options.tls_key, "the TLS certificate's private key (PEM)")
      ->check(CLI::ExistingFile);
  app.add_flag("--insecure", options.insecure,
               "allow plaintext on a non-loopback --listen address (only behind a "
               "TLS-terminating proxy)");
}

// The metrics' port and the limits on requests and connections.
void AddLimitFlags(CLI::App& app, WitnessOptions& options) {
  app.add_option("--metrics-listen", options.metrics_listen,
                 "serve Prometheus metrics at http://HOST:PORT/metrics (off when empty)");
  app.add_option("--max-request-kb", options.max_request_kb,
                 "largest request body, KiB (larger: 413 without reading it)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--rate-limit", options.rate_limit,
                 "requests per second each client address may make (0: no limit; beyond, 429)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  app.add_option("--rate-burst", options.rate_burst,
                 "requests a client address may make at once before --rate-limit applies")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--max-connections", options.max_connections, "connections open at once")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  app.add_option("--max-connections-per-address", options.max_connections_per_address,
                 "connections open at once from one client address")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  app.add_option("--idle-timeout", options.idle_timeout,
                 "seconds before an idle connection is closed")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  app.add_option("--threads", options.threads, "threads serving requests")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
}

// Parses the command line into `options`: the exit code when the witness should stop
// here (--help: 0; a usage error: 2, logged), nullopt when it should go on.
std::optional<int> ParseFlags(int argc, char** argv, WitnessOptions& options) {
  CLI::App app{
      "sello-witness: a transparency log witness (C2SP tlog-witness, tlog-cosignature).\n\n"
      "Cosigns a log's checkpoints only when each extends the last one it cosigned, and\n"
      "keeps both checkpoints as evidence when a log shows it two histories.\n"
      "  POST /add-checkpoint   the witness protocol (200, 400, 403, 404, 409, 413, 422, 429)\n"
      "  GET  /evidence         the conflicts kept (JSON; `sello witness evidence`)\n"
      "  GET  /                 the cosignature key and what it holds per log\n"
      "On first start it creates its key (DATA_DIR/witness.key, mode 0600) and writes the\n"
      "verifier key that policies pin to DATA_DIR/witness.pub. SIGINT or SIGTERM stop it.",
      "sello-witness"};
  app.set_config("--config", "", "read options from this TOML/INI file (keys as the long flags)");
  AddServeFlags(app, options);
  AddLimitFlags(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    return Fail("usage", error.what()) + 1;
  }
  return std::nullopt;
}

// The checks across flags; then the logs to witness, from --log and --logs-file.
std::optional<int> CheckFlags(const WitnessOptions& options,
                              std::vector<sello::witness::WitnessedLog>& witnessed) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Fail("usage", "--tls-cert and --tls-key go together") + 1;
  }
  for (const auto& [flag, listen, allowed] :
       {std::tuple{"--listen", options.listen, !options.tls_cert.empty() || options.insecure},
        std::tuple{"--metrics-listen", options.metrics_listen, options.insecure}}) {
    if (!listen.empty() && !allowed && !sello::IsLoopbackAddress(listen)) {
      return Fail("usage", absl::StrCat("refusing plaintext on ", flag, " ", listen,
                                        ", which is not a loopback address: give --tls-cert and "
                                        "--tls-key, or --insecure behind a TLS-terminating "
                                        "proxy")) +
             1;
    }
  }
  std::vector<std::string> keys = options.logs;
  if (!options.logs_file.empty()) {
    absl::StatusOr<std::vector<std::string>> more = ReadLogsFile(options.logs_file);
    if (!more.ok()) return Fail("usage", more.status().message()) + 1;
    keys.insert(keys.end(), more->begin(), more->end());
  }
  absl::StatusOr<std::vector<sello::witness::WitnessedLog>> logs =
      sello::witness::LogsFromVerifierKeys(keys);
  if (!logs.ok()) return Fail("usage", logs.status().message()) + 1;
  if (logs->empty()) return Fail("usage", "no log to witness: give --log or --logs-file") + 1;
  if (absl::Status status = sello::domain::CheckKeyName(options.name); !status.ok()) {
    return Fail("usage", absl::StrCat("--name: ", status.message())) + 1;
  }

  witnessed = *std::move(logs);
  return std::nullopt;
}

// Signals are taken by sigwait() (in Run); block them before any thread starts.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The data dir (made and locked), the cosigning key, the state, and the witness over them.
std::optional<int> OpenWitness(const WitnessOptions& options,
                               std::vector<sello::witness::WitnessedLog> logs,
                               std::unique_ptr<sello::witness::Witness>& witness) {
  const std::string& dir = options.data_dir;
  if (absl::Status status = sello::storage::PrepareDataDir(dir); !status.ok()) {
    return Fail("data_dir_unusable", status.message());
  }
  if (absl::Status status = sello::storage::LockDataDir(dir, "sello-witness"); !status.ok()) {
    return Fail("data_dir_locked", status.message());
  }
  bool created = false;
  absl::StatusOr<sello::domain::CosignatureSigner> signer =
      LoadOrCreateKey(dir, options.name, &created);
  if (!signer.ok()) return Fail("witness_key_unusable", signer.status().message());
  LogInfo(created ? "witness_key_created" : "witness_key_loaded",
          {{"verifier_key", signer->VerifierKey()}, {"file", dir + "/witness.pub"}});
  absl::StatusOr<std::unique_ptr<sello::witness::WitnessStore>> store =
      sello::witness::WitnessStore::Open(dir + "/state");
  if (!store.ok()) return Fail("state_unreadable", store.status().message());
  for (const sello::witness::WitnessedLog& log : logs) {
    LogInfo("witnessing", {{"origin", log.origin}, {"keys", absl::StrCat(log.keys.size())}});
  }
  absl::StatusOr<std::unique_ptr<sello::witness::Witness>> created_witness =
      sello::witness::Witness::Create(*std::move(signer), std::move(logs), *std::move(store),
                                      [] { return absl::Now(); });
  if (!created_witness.ok()) return Fail("state_unreadable", created_witness.status().message());
  witness = *std::move(created_witness);
  return std::nullopt;
}

// The HTTP server's settings, with the TLS files read.
std::optional<int> LoadServerOptions(const WitnessOptions& options,
                                     sello::witness::HttpServerOptions& server_options) {
  server_options.listen = options.listen;
  for (const auto& [path, pem] : {std::pair{&options.tls_cert, &server_options.tls_cert_pem},
                                  {&options.tls_key, &server_options.tls_key_pem}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::optional<std::string>> read = sello::storage::ReadFileIfExists(*path);
    if (!read.ok() || !read->has_value()) {
      return Fail("tls_file_unreadable", absl::StrCat("cannot read ", *path));
    }
    *pem = **read;
  }
  server_options.max_body_bytes = options.max_request_kb << 10;
  server_options.rate_per_second = options.rate_limit;
  server_options.rate_burst = options.rate_burst;
  server_options.max_connections = options.max_connections;
  server_options.max_connections_per_address = options.max_connections_per_address;
  server_options.idle_timeout = absl::Seconds(options.idle_timeout);
  server_options.threads = options.threads;
  return std::nullopt;
}

// The witness's three resources (C2SP tlog-witness, and what it holds).
sello::witness::HttpAnswer Route(sello::witness::Witness& witness,
                                 const sello::witness::HttpRequest& request) {
  using sello::witness::HttpAnswer;
  const auto only = [&](absl::string_view method) -> std::optional<HttpAnswer> {
    if (request.method == method) return std::nullopt;
    return HttpAnswer{405, "text/plain; charset=utf-8",
                      absl::StrCat(request.path, ": use ", method, "\n")};
  };
  if (request.path == "/add-checkpoint") {
    if (auto refused = only("POST")) return *refused;
    return witness.AddCheckpoint(request.body);
  }
  if (request.path == "/evidence") {
    if (auto refused = only("GET")) return *refused;
    return witness.Evidence();
  }
  if (request.path == "/") {
    if (auto refused = only("GET")) return *refused;
    return witness.Describe();
  }
  return HttpAnswer{404, "text/plain; charset=utf-8",
                    "not found: POST /add-checkpoint, GET /evidence or GET /\n"};
}

// --metrics-listen: the witness's figures and the main server's refusals at /metrics.
absl::StatusOr<std::unique_ptr<sello::witness::HttpServer>> StartMetrics(
    const std::string& listen, sello::witness::Witness& w,
    sello::witness::HttpServer& main_server) {
  sello::witness::HttpServerOptions metrics_options;
  metrics_options.listen = listen;
  metrics_options.threads = 1;
  metrics_options.max_connections = 16;
  return sello::witness::HttpServer::Start(
      metrics_options, [&w, &main_server](const sello::witness::HttpRequest& request) {
        if (request.method != "GET" || request.path != "/metrics") {
          return sello::witness::HttpAnswer{404, "text/plain", "not found: GET /metrics\n"};
        }
        return sello::witness::HttpAnswer{
            200, "text/plain; version=0.0.4",
            absl::StrCat(w.Metrics(),
                         "# HELP sello_witness_rate_limited_total Requests answered 429.\n"
                         "# TYPE sello_witness_rate_limited_total counter\n"
                         "sello_witness_rate_limited_total ",
                         main_server.rate_limited(), "\n")};
      });
}

// The witness's servers; `metrics` stays empty without --metrics-listen.
std::optional<int> Serve(const WitnessOptions& options,
                         const sello::witness::HttpServerOptions& server_options,
                         sello::witness::Witness& w,
                         std::unique_ptr<sello::witness::HttpServer>& server,
                         std::unique_ptr<sello::witness::HttpServer>& metrics) {
  absl::StatusOr<std::unique_ptr<sello::witness::HttpServer>> started =
      sello::witness::HttpServer::Start(
          server_options,
          [&w](const sello::witness::HttpRequest& request) { return Route(w, request); });
  if (!started.ok()) return Fail("listen_failed", started.status().message());
  server = *std::move(started);
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<sello::witness::HttpServer>> metrics_started =
        StartMetrics(options.metrics_listen, w, *server);
    if (!metrics_started.ok()) {
      return Fail("metrics_listen_failed", metrics_started.status().message());
    }
    metrics = *std::move(metrics_started);
    LogInfo("metrics_listening", {{"address", metrics->address()}});
  }
  LogInfo("listening",
          {{"address", server->address()}, {"tls", options.tls_cert.empty() ? "off" : "on"}});
  if (!options.address_file.empty()) {
    if (absl::Status status =
            sello::storage::WriteAddressFile(options.address_file, server->address());
        !status.ok()) {
      return Fail("address_file_unwritable", status.message());
    }
  }
  return std::nullopt;
}

}  // namespace

int Run(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  WitnessOptions options;
  if (std::optional<int> exit_code = ParseFlags(argc, argv, options)) return *exit_code;
  std::vector<sello::witness::WitnessedLog> logs;
  if (std::optional<int> failed = CheckFlags(options, logs)) return *failed;
  const sigset_t signals = BlockStopSignals();
  std::unique_ptr<sello::witness::Witness> witness;
  if (std::optional<int> failed = OpenWitness(options, std::move(logs), witness)) return *failed;
  sello::witness::HttpServerOptions server_options;
  if (std::optional<int> failed = LoadServerOptions(options, server_options)) return *failed;
  std::unique_ptr<sello::witness::HttpServer> server;
  std::unique_ptr<sello::witness::HttpServer> metrics;
  if (std::optional<int> failed = Serve(options, server_options, *witness, server, metrics)) {
    return *failed;
  }
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  LogInfo("shutting_down", {{"signal", strsignal(signal_number)}});
  metrics.reset();
  server.reset();
  LogInfo("stopped");
  return 0;
}

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "sello-witness: fatal: %s\n", error.what());
    return 1;
  }
}
