#include "daemon/sellod_flags.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/net_address.h"
#include "daemon/server/config_check.h"
#include "daemon/server/json_logger.h"
#include "daemon/server/tls_files.h"

namespace sello::sellod {
namespace {

using service::LogError;

// Where the last signed checkpoint is kept by default: beside the data dir, outside it
// (DIR.checkpoint), so that a copy or restore of the data dir cannot take it along.
std::string DefaultCheckpointState(const std::string& data_dir) {
  std::error_code error;
  std::string dir = std::filesystem::absolute(data_dir, error).lexically_normal().string();
  if (error) dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".checkpoint";
}

// What to serve, where: the address, the data dir, the first start's association, the
// store's memory and disk.
void AddServeFlags(CLI::App& app, DaemonOptions& options) {
  app.add_option("--listen", options.listen, "HOST:PORT to serve gRPC on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--data-dir", options.data_dir,
                 "directory of the store, keys and admin.token (created if missing)")
      ->required();
  app.add_option("--address-file", options.address_file,
                 "write the bound HOST:PORT to this file once serving");
  app.add_option("--shutdown-grace", options.shutdown_grace_seconds,
                 "seconds calls in flight may run on after SIGINT/SIGTERM")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--bootstrap-org-id", options.bootstrap_org_id,
                 "first start only: the id of the association's organisation")
      ->capture_default_str();
  app.add_option("--bootstrap-org-name", options.bootstrap_org_name,
                 "first start only: the association's name")
      ->capture_default_str();
  app.add_option("--bootstrap-org-country", options.bootstrap_org_country,
                 "first start only: the association's country (ISO 3166-1 alpha-2)")
      ->capture_default_str();
  app.add_option("--log-origin", options.log_origin,
                 "the transparency log's name in its signed checkpoints (use your public "
                 "host name, e.g. registry.example.org/sello); fixed once the log exists")
      ->capture_default_str();
  app.add_option("--block-cache-mb", options.block_cache_mb,
                 "MiB of RocksDB block cache for reads (index and filter blocks included): "
                 "most of the daemon's memory besides 64 MiB of write buffers")
      ->check(CLI::Range(8, 1 << 20))
      ->capture_default_str();
  app.add_option("--max-disk-mb", options.max_disk_mb,
                 "MiB the store's tables and write-ahead log may take on disk (0: no limit). "
                 "A write that would cross it is refused whole (smaller ones go on); once it "
                 "is reached writes get RESOURCE_EXHAUSTED and health reports sello.write "
                 "NOT_SERVING while reads go on; a full disk is met the same way, and writes "
                 "resume by themselves once there is room")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 30))
      ->capture_default_str();
}

// TLS on the gRPC port (and the HTTP one), and the metrics' port.
void AddTlsFlags(CLI::App& app, DaemonOptions& options) {
  app.add_option("--tls-cert", options.tls_cert,
                 "serve TLS with this certificate chain (PEM); needs --tls-key")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", options.tls_key, "the TLS certificate's private key (PEM)")
      ->check(CLI::ExistingFile);
  app.add_option("--client-ca", options.client_ca,
                 "mutual TLS: require client certificates signed by this CA (PEM)")
      ->check(CLI::ExistingFile);
  app.add_flag("--insecure", options.insecure,
               "allow plaintext on a non-loopback --listen address (tokens would cross the "
               "network in the clear: only behind a TLS-terminating proxy)");
  app.add_option("--metrics-listen", options.metrics_listen,
                 "serve Prometheus metrics at http://HOST:PORT/metrics (IPv4; port 0 picks one; "
                 "off when empty)");
}

// The HTTP front (daemon/http/): off unless --http-listen.
void AddHttpFlags(CLI::App& app, DaemonOptions& options) {
  app.add_option("--http-listen", options.http_listen,
                 "serve the HTTP JSON API (the Connect protocol: POST /sello.v1.SERVICE/METHOD, "
                 "GET for public reads) on HOST:PORT; port 0 picks one; off when empty. TLS and "
                 "--insecure as for --listen");
  app.add_option("--http-address-file", options.http_address_file,
                 "write the bound HTTP HOST:PORT to this file once serving");
  app.add_option("--http-cors-origins", options.http_cors_origins,
                 "origins (https://app.example.org, comma-separated) whose pages may call the "
                 "HTTP API with a token; public calls without a token answer any origin")
      ->delimiter(',');
  app.add_option("--http-rate-limit", options.http_rate_limit,
                 "HTTP requests per second each client address may make without a known-good "
                 "token (pages and public calls; over it: 429 with Retry-After); 0: no limit")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  app.add_option("--http-rate-burst", options.http_rate_burst,
                 "HTTP requests a quiet client address may make at once before the rate applies")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  app.add_option("--http-cache-max-age", options.http_cache_max_age_s,
                 "seconds browsers and shared caches (a CDN) may keep a public GET's answer "
                 "(a suspended seal shows as such everywhere within this time)")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  app.add_option("--http-max-connections", options.http_max_connections,
                 "HTTP connections open at once, all clients together")
      ->check(CLI::Range(16u, 1'000'000u))
      ->capture_default_str();
  app.add_option("--http-max-connections-per-address", options.http_max_connections_per_address,
                 "HTTP connections one client address may hold (0: no limit, e.g. behind a "
                 "reverse proxy that has its own)")
      ->check(CLI::Range(0u, 1'000'000u))
      ->capture_default_str();
  app.add_option("--http-idle-timeout", options.http_idle_timeout_s,
                 "close an HTTP connection that sends nothing for this many seconds")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  app.add_option("--http-request-timeout", options.http_request_timeout_s,
                 "seconds a client has to send each whole HTTP request (line, headers, body) "
                 "after connecting or after the previous answer; slower ones are disconnected")
      ->check(CLI::Range(0.5, 86400.0))
      ->capture_default_str();
  app.add_option("--http-trusted-proxies", options.http_trusted_proxies,
                 "addresses or ranges (10.0.0.0/8, comma-separated) of reverse proxies or CDN "
                 "nodes whose X-Forwarded-For names the client (for the rate limit and the log)")
      ->delimiter(',');
}

// The access log, restoring, the last signed checkpoint, witnesses, key rotation and
// offline recovery.
void AddOperatorFlags(CLI::App& app, DaemonOptions& options) {
  app.add_option("--call-log", options.call_log,
                 "access log, one JSON line per call on stderr: none (server errors only), "
                 "errors (+ every failed call), principals (+ every call made with a token), "
                 "all (+ anonymous reads such as VerifySeal: costly at full rate)")
      ->check(CLI::IsMember({"none", "errors", "principals", "all"}))
      ->capture_default_str();
  app.add_option("--restore-from", options.restore_from,
                 "first restore the latest backup in this directory (from `sello admin "
                 "backup`) into the new, empty --data-dir, then serve it")
      ->check(CLI::ExistingDirectory);
  app.add_option("--checkpoint-state", options.checkpoint_state,
                 "where the last signed checkpoint is kept OUTSIDE the data dir (default: "
                 "beside it, DATA_DIR.checkpoint, mode 0600): a data dir that was copied, or "
                 "restored from an older backup, is then refused instead of signing a second "
                 "history. The store remembers it; moving it needs moving the file too");
  app.add_option("--witness-policy", options.witness_policy,
                 "collect witnesses' cosignatures: a C2SP tlog-policy file (log, witness NAME "
                 "VKEY URL, group, quorum) whose `log` line is this registry's key; each "
                 "checkpoint is submitted to every witness, and only checkpoints cosigned by "
                 "the quorum are served as the latest (GetCheckpoint, /checkpoint); the seal "
                 "pages embed the policy (without URLs) for the visitor's browser to check")
      ->check(CLI::ExistingFile);
  app.add_option("--witness-timeout", options.witness_timeout_s,
                 "seconds one submission to a witness may take (a slow witness never holds "
                 "back signing, nor the others)")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  app.add_option("--witness-ca", options.witness_ca,
                 "PEM file of the CA that https:// witnesses' certificates chain to (default: "
                 "the system's CAs)")
      ->check(CLI::ExistingFile);
  app.add_flag("--accept-history-rollback", options.accept_history_rollback,
               "continue from a log that does not extend the last signed checkpoint, or whose "
               "checkpoint state file is lost (after a deliberate restore); recorded in the log "
               "as an event and logged as an error");
  app.add_option("--begin-key-rotation", options.begin_key_rotation,
                 "start moving the log away from signing key KEY (its verifier key, as in "
                 "DATA_DIR/log.pub, or its 8-hex-digit id): a new key (log.next.key) is "
                 "announced in the log and co-signs every checkpoint until "
                 "--finish-key-rotation (see deploy/README.md). A no-op that says so once that "
                 "key's rotation is under way or finished");
  app.add_flag("--finish-key-rotation", options.finish_key_rotation,
               "end the rotation under way, once --key-rotation-window has passed since its "
               "begin: the next key signs alone from now on, the old verifier key is kept as "
               "log.retired-<id>.pub; no-op when none is under way");
  app.add_option("--key-rotation-window", options.key_rotation_window_hours,
                 "hours auditors get between a rotation's begin and its finish; a sooner "
                 "--finish-key-rotation is refused (logged) and the daemon serves on")
      ->check(CLI::Range(0.0, 24.0 * 3650))
      ->capture_default_str();
  app.add_flag("--force-finish-key-rotation", options.force_finish_key_rotation,
               "finish sooner than --key-rotation-window (a key that may be compromised); "
               "logged");
  app.add_option("--issue-admin-token", options.issue_admin_token,
                 "offline recovery: on a STOPPED registry, write a new ADMIN token for the "
                 "association to this file (0600; it must not exist), record it in the log "
                 "as token.created, and exit without serving");
}

// Writes waiting, watches, and how much one call may ask for.
void AddQueueFlags(CLI::App& app, DaemonOptions& options) {
  app.add_option("--max-pending-writes", options.max_pending_writes,
                 "writes (submissions, corrections, seal issues) admitted and not yet answered; "
                 "beyond, RESOURCE_EXHAUSTED at once instead of an ever longer queue")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--default-deadline", options.default_deadline_s,
                 "seconds a write may wait to be durable when its client set no deadline; "
                 "then it is answered DEADLINE_EXCEEDED (it may still be committed)")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  app.add_option("--max-watches", options.max_watches,
                 "WatchEvents streams open at once (each holds a server thread); beyond, "
                 "RESOURCE_EXHAUSTED")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  app.add_option("--max-watches-per-principal", options.max_watches_per_principal,
                 "WatchEvents streams one token may hold open; beyond, RESOURCE_EXHAUSTED")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  app.add_option("--max-anonymous-watches", options.max_anonymous_watches,
                 "WatchEvents streams without a token open at once (0: none; default half of "
                 "--max-watches); the rest of --max-watches is kept for token holders")
      ->check(CLI::Range(0, 1 << 16));
  app.add_option("--max-watches-per-address", options.max_watches_per_address,
                 "WatchEvents streams without a token one client address may hold open")
      ->check(CLI::Range(0, 1 << 16))
      ->capture_default_str();
  app.add_option("--max-page-size", options.request_limits.max_page_size,
                 "items per page of a list call at most (a larger page_size is cut to this)")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--max-codes-per-verification", options.request_limits.max_codes_per_verification,
                 "seal codes one VerifySeal (or seal status change) may name; beyond, "
                 "INVALID_ARGUMENT")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--max-seals-per-issuance", options.request_limits.max_seals_per_issuance,
                 "seals one IssueSeals call may ask for (each call is one atomic write); "
                 "beyond, INVALID_ARGUMENT")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--appeal-deadline-days", options.appeal_deadline_days,
                 "days the association has to decide an appeal, from its filing (fractions "
                 "allowed); each appeal's deadline is set when it is filed, and open appeals "
                 "past it are listed by `sello appeal list --overdue`")
      ->check(CLI::Range(0.00001, 3650.0))
      ->capture_default_str();
}

// gRPC's limits per request and per connection.
void AddConnectionFlags(CLI::App& app, DaemonOptions& options) {
  app.add_option("--max-message-kb", options.max_message_kb,
                 "largest request accepted, KiB (above: RESOURCE_EXHAUSTED naming this flag, "
                 "logged and counted like any call)")
      ->check(CLI::Range(64, 64 << 10))
      ->capture_default_str();
  app.add_option("--max-metadata-kb", options.max_metadata_kb,
                 "largest set of request headers, KiB (token included; above: "
                 "RESOURCE_EXHAUSTED naming this flag, logged and counted)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--max-concurrent-streams", options.max_concurrent_streams,
                 "calls in flight per connection")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--memory-quota-mb", options.memory_quota_mb,
                 "memory gRPC may use for all connections' buffers, MiB")
      ->check(CLI::Range(16, 1 << 16))
      ->capture_default_str();
  app.add_option("--max-threads", options.max_threads,
                 "threads serving synchronous calls (more calls wait or get RESOURCE_EXHAUSTED)")
      ->check(CLI::Range(4, 4096))
      ->capture_default_str();
  app.add_option("--max-connection-idle", options.max_connection_idle_s,
                 "close a connection idle this many seconds")
      ->check(CLI::Range(1.0, 1e7))
      ->capture_default_str();
  app.add_option("--max-connection-age", options.max_connection_age_s,
                 "close a connection after this many seconds (clients reconnect; watches "
                 "resume), after a 60 s grace for calls in flight")
      ->check(CLI::Range(10.0, 1e7))
      ->capture_default_str();
  app.add_option("--handshake-timeout", options.handshake_timeout_s,
                 "close a connection that has not finished its TLS and HTTP/2 handshake within "
                 "this many seconds (idle connections that never speak)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
}

// CLI11 ignores keys it does not know: a misspelt one would leave its option at the
// default without a word. Every key of the --config file must be one of the long flags.
std::optional<int> CheckConfigFile(const CLI::App& app) {
  const CLI::Option* config = app.get_config_ptr();
  if (config == nullptr || config->count() == 0) return std::nullopt;
  const std::string path = config->as<std::string>();
  std::vector<std::string> known;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) known.push_back(name);
  }
  absl::StatusOr<std::optional<std::string>> text = sello::storage::ReadFileIfExists(path);
  if (!text.ok() || !text->has_value()) {
    return Fail("usage", absl::StrCat("--config: cannot read ", path)) + 1;
  }
  if (absl::Status status = sello::service::CheckConfigKeys(path, **text, known); !status.ok()) {
    return Fail("config_unknown_key", status.message()) + 1;
  }
  return std::nullopt;
}

// The checks across flags, and the defaults that depend on others.
std::optional<int> CheckFlags(DaemonOptions& options) {
  // The flag used to be a bare switch: a configuration written then says true or false.
  if (options.begin_key_rotation == "false") options.begin_key_rotation.clear();
  if (options.begin_key_rotation == "true") {
    return Fail("usage",
                "--begin-key-rotation names the key to rotate away from (the content of "
                "DATA_DIR/log.pub, or its 8-hex-digit id), so that, left in the configuration, "
                "it never starts a second rotation; see deploy/README.md, \"The signing key\"") +
           1;
  }
  if (options.checkpoint_state.empty()) {
    options.checkpoint_state = DefaultCheckpointState(options.data_dir);
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Fail("usage", "--tls-cert and --tls-key go together") + 1;
  }
  if (options.max_anonymous_watches < 0) options.max_anonymous_watches = options.max_watches / 2;
  if (options.max_anonymous_watches >= options.max_watches) {
    return Fail("usage", absl::StrCat("--max-anonymous-watches (", options.max_anonymous_watches,
                                      ") must be below --max-watches (", options.max_watches,
                                      "): token holders need room to watch")) +
           1;
  }
  if (!options.client_ca.empty() && options.tls_cert.empty()) {
    return Fail("usage", "--client-ca needs --tls-cert and --tls-key (mutual TLS is TLS)") + 1;
  }
  if (options.tls_cert.empty() && !options.insecure && !sello::IsLoopbackAddress(options.listen)) {
    return Fail("usage",
                absl::StrCat("refusing plaintext on ", options.listen,
                             ", which is not a loopback address: give --tls-cert and --tls-key, "
                             "or --insecure behind a TLS-terminating proxy")) +
           1;
  }
  if (!options.http_listen.empty() && options.tls_cert.empty() && !options.insecure &&
      !sello::IsLoopbackAddress(options.http_listen)) {
    return Fail("usage",
                absl::StrCat("refusing plaintext HTTP on ", options.http_listen,
                             ", which is not a loopback address: give --tls-cert and --tls-key, "
                             "or --insecure behind a TLS-terminating proxy")) +
           1;
  }
  return std::nullopt;
}

}  // namespace

int Fail(absl::string_view event, absl::string_view message) {
  LogError(event, {{"message", message}});
  // A person at a terminal also gets it in plain words; a log pipeline (the journal, a
  // file) gets only the JSON line, so that every line parses.
  if (isatty(STDERR_FILENO) == 1) {
    std::fprintf(stderr, "sellod: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  return 1;
}

std::optional<int> ParseFlags(int argc, char** argv, DaemonOptions& options) {
  CLI::App app{
      "sellod: the Sello registry daemon.\n\n"
      "On first start in an empty data dir it creates the bootstrap ADMIN token and writes\n"
      "it to DATA_DIR/admin.token (mode 0600). SIGINT or SIGTERM stop it cleanly.",
      "sellod"};
  app.set_config("--config", "", "read options from this TOML/INI file (keys as the long flags)");
  AddServeFlags(app, options);
  AddTlsFlags(app, options);
  AddHttpFlags(app, options);
  AddOperatorFlags(app, options);
  AddQueueFlags(app, options);
  AddConnectionFlags(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help answers on stdout; a bad flag is logged like any other failure.
    if (error.get_exit_code() == 0) return app.exit(error);
    return Fail("usage", error.what()) + 1;
  }
  if (std::optional<int> exit_code = CheckConfigFile(app)) return exit_code;
  return CheckFlags(options);
}

std::optional<service::ServerOptions> LoadServerOptions(const DaemonOptions& options) {
  sello::service::ServerOptions server_options;
  server_options.listen_address = options.listen;
  server_options.data_dir = options.data_dir;
  server_options.max_message_bytes = options.max_message_kb << 10;
  server_options.max_metadata_bytes = options.max_metadata_kb << 10;
  server_options.max_concurrent_streams = options.max_concurrent_streams;
  server_options.memory_quota_bytes = int64_t{options.memory_quota_mb} << 20;
  server_options.max_threads = options.max_threads;
  server_options.max_connection_idle = absl::Seconds(options.max_connection_idle_s);
  server_options.max_connection_age = absl::Seconds(options.max_connection_age_s);
  server_options.handshake_timeout = absl::Seconds(options.handshake_timeout_s);
  for (const auto& [path, pem] : {std::pair{&options.tls_cert, &server_options.tls_cert_pem},
                                  {&options.tls_key, &server_options.tls_key_pem},
                                  {&options.client_ca, &server_options.client_ca_pem}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::optional<std::string>> read = sello::storage::ReadFileIfExists(*path);
    if (!read.ok() || !read->has_value()) {
      Fail("tls_file_unreadable", absl::StrCat("cannot read ", *path));
      return std::nullopt;
    }
    *pem = **read;
  }
  // Before anything is created: gRPC would only fail to listen, after the data dir, the
  // store, the log's key and admin.token were made, and say nothing of why.
  if (!options.tls_cert.empty()) {
    if (absl::Status status =
            sello::service::CheckTlsFiles({.cert_path = options.tls_cert,
                                           .cert_pem = server_options.tls_cert_pem,
                                           .key_path = options.tls_key,
                                           .key_pem = server_options.tls_key_pem,
                                           .client_ca_path = options.client_ca,
                                           .client_ca_pem = server_options.client_ca_pem});
        !status.ok()) {
      Fail("tls_files_invalid", status.message());
      return std::nullopt;
    }
  }
  return server_options;
}

}  // namespace sello::sellod
