// sellod: the Sello registry daemon. Opens the store in --data-dir, bootstraps it on
// first start, serves the gRPC API on --listen, and shuts down cleanly on SIGINT or
// SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/net_address.h"
#include "daemon/domain/access_policy.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/limits.h"
#include "daemon/domain/time_convert.h"
#include "daemon/http/connect_api.h"
#include "daemon/http/http_server.h"
#include "daemon/http/in_process_caller.h"
#include "daemon/http/log_tiles.h"
#include "daemon/http/public_pages.h"
#include "daemon/http/rate_limiter.h"
#include "daemon/http/router.h"
#include "daemon/service/auth.h"
#include "daemon/service/bootstrap.h"
#include "daemon/service/call_log.h"
#include "daemon/service/config_check.h"
#include "daemon/service/cosignature_collector.h"
#include "daemon/service/log.h"
#include "daemon/service/log_key.h"
#include "daemon/service/metrics.h"
#include "daemon/service/metrics_server.h"
#include "daemon/service/server.h"
#include "daemon/service/stats_service.h"
#include "daemon/service/tls_files.h"
#include "daemon/service/token_service.h"
#include "storage/files.h"
#include "storage/ledger.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "storage/transparency_log.h"

namespace {

struct DaemonOptions {
  std::string listen = "127.0.0.1:7443";
  std::string data_dir;
  std::string address_file;
  double shutdown_grace_seconds = 10;
  std::string bootstrap_org_id = "association";
  std::string bootstrap_org_name = "Association";
  std::string bootstrap_org_country = "CL";
  std::string log_origin = "sello.registry/log";
  // RocksDB's block cache (data, index and filter blocks of every table): the bulk of
  // the daemon's memory besides the memtables.
  size_t block_cache_mb = 256;
  // The most the store's data may take on disk, MiB (0: no limit).
  uint64_t max_disk_mb = 0;
  std::string tls_cert, tls_key, client_ca;
  bool insecure = false;
  std::string checkpoint_state;
  // Witnesses (service/cosignature_collector.h): off when the policy is empty.
  std::string witness_policy;
  double witness_timeout_s = 5;
  std::string witness_ca;
  bool accept_history_rollback = false;
  std::string begin_key_rotation;
  bool finish_key_rotation = false;
  double key_rotation_window_hours = 24;
  bool force_finish_key_rotation = false;
  std::string issue_admin_token;
  std::string restore_from;
  std::string metrics_listen;
  // The HTTP front (daemon/http/): the Connect JSON API, off when http_listen is empty.
  std::string http_listen;
  std::string http_address_file;
  std::vector<std::string> http_cors_origins;
  std::vector<std::string> http_trusted_proxies;
  double http_rate_limit = 20;
  double http_rate_burst = 100;
  double http_cache_max_age_s = 10;
  unsigned http_max_connections = 10'000;
  unsigned http_max_connections_per_address = 256;
  double http_idle_timeout_s = 60;
  double http_request_timeout_s = 30;
  std::string call_log = "principals";
  // Limits; see sello::service::ServerOptions.
  int max_message_kb = 1024;
  int max_metadata_kb = 8;
  int max_concurrent_streams = 100;
  int memory_quota_mb = 256;
  int max_threads = 256;
  int max_pending_writes = 1024;
  double default_deadline_s = 30;
  int max_watches = 64;
  int max_watches_per_principal = 8;
  int max_anonymous_watches = -1;  // default: half of max_watches
  int max_watches_per_address = 4;
  double max_connection_idle_s = 1800;
  double max_connection_age_s = 6 * 3600;
  double handshake_timeout_s = 10;
  sello::domain::RequestLimits request_limits;
  double appeal_deadline_days = absl::ToDoubleHours(sello::domain::kDefaultAppealDeadline) / 24;
};

}  // namespace

namespace {

using sello::service::LogError;
using sello::service::LogInfo;
using sello::service::LogWarning;

int Fail(absl::string_view event, absl::string_view message) {
  LogError(event, {{"message", message}});
  // A person at a terminal also gets it in plain words; a log pipeline (the journal, a
  // file) gets only the JSON line, so that every line parses.
  if (isatty(STDERR_FILENO) == 1) {
    std::fprintf(stderr, "sellod: %.*s\n", static_cast<int>(message.size()), message.data());
  }
  return 1;
}

// Creates the data dir if needed and checks that it is a writable directory.

// Where the last signed checkpoint is kept by default: beside the data dir, outside it
// (DIR.checkpoint), so that a copy or restore of the data dir cannot take it along.
std::string DefaultCheckpointState(const std::string& data_dir) {
  std::error_code error;
  std::string dir = std::filesystem::absolute(data_dir, error).lexically_normal().string();
  if (error) dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".checkpoint";
}

// Undoes a restore that did not reach serving (the store closed first: it is declared
// before the store), so that the same command can run again, e.g. with
// --accept-history-rollback as the refusal suggests.
class RestoreUndo {
 public:
  void Arm(std::string data_dir, std::vector<std::string> files) {
    data_dir_ = std::move(data_dir);
    files_ = std::move(files);
  }
  void Dismiss() { data_dir_.clear(); }
  ~RestoreUndo() {
    if (data_dir_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_ + "/db", ignored);
    for (const std::string& name : files_) std::filesystem::remove(data_dir_ + "/" + name, ignored);
    std::filesystem::remove(data_dir_ + "/checkpoint.note", ignored);
    LogWarning("restore_undone",
               {{"data_dir", data_dir_},
                {"message",
                 "the restore did not start: what it put in the data dir was removed; "
                 "run it again once the cause above is dealt with"}});
  }

 private:
  std::string data_dir_;
  std::vector<std::string> files_;
};

// The files a restore copies from `backup_dir` beside the store: the log key files
// (log_key.h, CopyLogKeyFiles) and the newest cosigned checkpoint (PutCosignedCheckpoint).
std::vector<std::string> LogKeyFileNames(const std::string& backup_dir) {
  std::vector<std::string> names = {"log.key", "log.pub", "log.next.key", "log.next.pub"};
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(backup_dir, error)) {
    std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "log.retired-")) names.push_back(std::move(name));
  }
  names.emplace_back(sello::service::kCosignedCheckpointFile);
  return names;
}

// The transparency log's gauges. The one to alert on is the age of the oldest unsigned
// event: the last checkpoint's age (exported before) grows on an idle registry, where
// nothing needs signing, so alerts on it fired every quiet night.
std::vector<sello::service::Metrics::Gauge> LogGauges(const sello::storage::Ledger& ledger,
                                                      const sello::storage::TransparencyLog& log) {
  const sello::v1::Checkpoint latest = log.Latest();
  const uint64_t tree_size = ledger.last_seq();
  const absl::StatusOr<absl::Duration> unsigned_age = log.UnsignedEventAge();
  return {{"sello_log_tree_size", "Events committed (the transparency log's tree size).",
           static_cast<double>(tree_size)},
          {"sello_checkpoint_size", "Tree size of the last signed checkpoint.",
           static_cast<double>(latest.size())},
          {"sello_checkpoint_timestamp_seconds",
           "Time of the last signed checkpoint (Unix seconds); a new one is signed only when "
           "events were added.",
           absl::ToDoubleSeconds(sello::domain::FromProto(latest.time()) - absl::UnixEpoch())},
          {"sello_unsigned_events", "Committed events no signed checkpoint covers yet.",
           static_cast<double>(tree_size > latest.size() ? tree_size - latest.size() : 0)},
          {"sello_unsigned_event_age_seconds",
           "Seconds the oldest event no signed checkpoint covers yet has waited (0 when every "
           "event is signed; signing takes under a second).",
           unsigned_age.ok() ? absl::ToDoubleSeconds(*unsigned_age)
                             : std::numeric_limits<double>::quiet_NaN()},
          {"sello_checkpoint_signing_ok", "1 when the log signs, 0 when it refuses.",
           log.signing_status().ok() ? 1.0 : 0.0}};
}

// Raises this process's open-file limit to its hard limit (an HTTP front serves up to
// --http-max-connections sockets beside RocksDB's files) and returns the limit.
rlim_t RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

// Said loudly: in the daemon's log (an error line, which alerting picks up) and, at a
// terminal, on stderr.
void Shout(absl::string_view event, const std::string& message) {
  LogError(event, {{"message", message}});
  if (isatty(STDERR_FILENO) == 1) std::fprintf(stderr, "sellod: WARNING: %s\n", message.c_str());
}

// --issue-admin-token: a new ADMIN token for the association, on a stopped registry
// (the data dir's lock proves no daemon runs), written to `path` (0600, never
// overwritten) and recorded as a token.created event like any other.
absl::Status IssueAdminToken(sello::storage::Store& store, sello::storage::Ledger& ledger,
                             const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return absl::AlreadyExistsError(
        absl::StrCat("--issue-admin-token: ", path, " exists; name a new file"));
  }
  absl::StatusOr<std::optional<std::string>> bootstrap =
      store.Get(sello::storage::Table::kMeta, "bootstrap");
  if (!bootstrap.ok()) return bootstrap.status();
  if (!bootstrap->has_value()) {
    return absl::FailedPreconditionError(
        "--issue-admin-token: this data dir was never bootstrapped (start it once normally)");
  }
  absl::StatusOr<std::optional<sello::internal::StoredToken>> first =
      sello::storage::LoadRecord<sello::internal::StoredToken>(
          store, sello::storage::Table::kTokens, **bootstrap);
  if (!first.ok()) return first.status();
  if (!first->has_value()) {
    return absl::DataLossError(absl::StrCat("the bootstrap token ", **bootstrap, " is missing"));
  }
  const std::string organisation_id = (*first)->token().organisation_id();
  sello::v1::Token token;
  absl::Status status = ledger.Apply(
      sello::service::DaemonPrincipal(), [&](sello::storage::Transaction& tx) -> absl::Status {
        absl::StatusOr<std::optional<sello::v1::Organisation>> association =
            sello::storage::LoadRecord<sello::v1::Organisation>(
                tx.store(), sello::storage::Table::kOrganisations, organisation_id);
        if (!association.ok()) return association.status();
        if (!association->has_value()) {
          return absl::DataLossError(absl::StrCat("organisation ", organisation_id, " is missing"));
        }
        absl::StatusOr<std::string> secret =
            sello::service::IssueToken(tx, **association, sello::v1::ADMIN,
                                       "offline recovery (sellod --issue-admin-token)", token);
        if (!secret.ok()) return secret.status();
        // The secret reaches the disk before the token exists.
        return sello::storage::WriteFileAtomically(path, *secret + "\n", 0600);
      });
  if (!status.ok()) return status;
  LogWarning("admin_token_issued_offline",
             {{"path", path},
              {"token_id", token.id()},
              {"organisation", organisation_id},
              {"note",
               "recorded in the log as token.created; revoke the ADMIN tokens that may "
               "have leaked (sello token list / token revoke)"}});
  return absl::OkStatus();
}

}  // namespace

int Run(int argc, char** argv) {
  // Debian's abseil is built without NDEBUG, so every absl::Mutex (gRPC's too) would run
  // the deadlock detector: about 7 % of a VerifySeal's instructions (callgrind).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sello::service::RouteGrpcLogsHere();
  DaemonOptions options;
  CLI::App app{
      "sellod: the Sello registry daemon.\n\n"
      "On first start in an empty data dir it creates the bootstrap ADMIN token and writes\n"
      "it to DATA_DIR/admin.token (mode 0600). SIGINT or SIGTERM stop it cleanly.",
      "sellod"};
  app.set_config("--config", "", "read options from this TOML/INI file (keys as the long flags)");
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help answers on stdout; a bad flag is logged like any other failure.
    if (error.get_exit_code() == 0) return app.exit(error);
    return Fail("usage", error.what()) + 1;
  }
  if (CLI::Option* config = app.get_config_ptr(); config != nullptr && config->count() > 0) {
    // CLI11 ignores keys it does not know: a misspelt one would leave its option at the
    // default without a word. Every key must be one of the long flags.
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
  }
  // The flag used to be a bare switch: a configuration written then says true or false.
  if (options.begin_key_rotation == "false") options.begin_key_rotation.clear();
  if (options.begin_key_rotation == "true") {
    return Fail("usage",
                "--begin-key-rotation names the key to rotate away from (the content of "
                "DATA_DIR/log.pub, or its 8-hex-digit id), so that, left in the configuration, "
                "it never starts a second rotation; see deploy/README.md, \"The signing key\"") +
           1;
  }
  const std::string& data_dir = options.data_dir;
  if (options.checkpoint_state.empty()) {
    options.checkpoint_state = DefaultCheckpointState(data_dir);
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
  sello::service::ServerOptions server_options;
  server_options.listen_address = options.listen;
  server_options.data_dir = data_dir;
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
      return Fail("tls_file_unreadable", absl::StrCat("cannot read ", *path));
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
      return Fail("tls_files_invalid", status.message());
    }
  }

  // Signals are taken by sigwait() below; block them before any thread starts so that
  // no gRPC or RocksDB thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (absl::Status status = sello::storage::PrepareDataDir(data_dir); !status.ok()) {
    return Fail("data_dir_unusable", status.message());
  }
  if (absl::Status status = sello::storage::LockDataDir(data_dir, "sellod"); !status.ok()) {
    return Fail("data_dir_locked", status.message());
  }
  RestoreUndo restore_undo;
  const bool restoring = !options.restore_from.empty();
  if (restoring) {
    // The store, then the log's key pair that signed its checkpoints.
    if (absl::Status status =
            sello::storage::RestoreRocksBackup(options.restore_from, data_dir + "/db");
        !status.ok()) {
      return Fail("restore_failed", status.ToString());
    }
    restore_undo.Arm(data_dir, LogKeyFileNames(options.restore_from));
    absl::StatusOr<bool> copied = sello::service::CopyLogKeyFiles(options.restore_from, data_dir);
    if (!copied.ok()) return Fail("restore_failed", copied.status().ToString());
    // The newest cosigned checkpoint the backup kept (served again if it still holds).
    absl::StatusOr<std::optional<std::string>> cosigned = sello::storage::ReadFileIfExists(
        absl::StrCat(options.restore_from, "/", sello::service::kCosignedCheckpointFile));
    if (absl::Status status = cosigned.ok()
                                  ? sello::service::PutCosignedCheckpoint(data_dir, *cosigned)
                                  : cosigned.status();
        !status.ok()) {
      return Fail("restore_failed", status.ToString());
    }
    LogInfo("restored", {{"from", options.restore_from}, {"data_dir", data_dir}});
  }

  absl::StatusOr<std::unique_ptr<sello::storage::Store>> store =
      sello::storage::OpenRocksStore({.path = data_dir + "/db",
                                      .block_cache_bytes = options.block_cache_mb << 20,
                                      .max_space_bytes = options.max_disk_mb << 20,
                                      .file_system = nullptr});
  if (!store.ok()) return Fail("store_open_failed", store.status().ToString());
  sello::storage::SystemClock clock;
  absl::StatusOr<std::unique_ptr<sello::storage::Ledger>> ledger =
      sello::storage::Ledger::Open(store->get(), &clock);
  if (!ledger.ok()) return Fail("ledger_open_failed", ledger.status().ToString());
  LogInfo("store_opened",
          {{"path", data_dir + "/db"}, {"last_event", absl::StrCat((*ledger)->last_seq())}});

  absl::StatusOr<bool> bootstrapped =
      sello::service::BootstrapIfNeeded(**store, **ledger,
                                        {.data_dir = data_dir,
                                         .organisation_id = options.bootstrap_org_id,
                                         .organisation_name = options.bootstrap_org_name,
                                         .country = options.bootstrap_org_country});
  if (!bootstrapped.ok()) return Fail("bootstrap_failed", bootstrapped.status().ToString());
  if (absl::Status status = sello::service::EnsureAggregates(**store); !status.ok()) {
    return Fail("statistics_failed", status.ToString());
  }
  absl::StatusOr<std::optional<size_t>> indexed = sello::storage::EnsureVersionIndexes(**store);
  if (!indexed.ok()) return Fail("indexes_failed", indexed.status().ToString());
  if (indexed->has_value()) {
    LogInfo("version_indexes_built", {{"records", absl::StrCat(**indexed)}});
  }

  absl::StatusOr<bool> has_history =
      sello::storage::TransparencyLog::HasSignedCheckpoint(**store, data_dir + "/checkpoint.note");
  if (!has_history.ok()) return Fail("store_open_failed", has_history.status().ToString());
  bool key_created = false;
  absl::StatusOr<sello::domain::NoteSigner> signer = sello::service::LoadOrCreateLogKey(
      data_dir + "/log.key", options.log_origin, &key_created, /*may_create=*/!*has_history);
  if (!signer.ok() && absl::IsFailedPrecondition(signer.status())) {
    // A log that signed checkpoints is pinned by its auditors under its key: a new key
    // would leave every one of them unable to check anything.
    return Fail(
        "log_key_missing",
        absl::StrCat(
            restoring ? absl::StrCat("the backup in ", options.restore_from, " has no log.key")
                      : absl::StrCat(data_dir, "/log.key is missing"),
            ", yet this log holds ", (*ledger)->last_seq(),
            " events under signed checkpoints: sellod will not make a new key for it (every "
            "auditor pins the key that signed them). Copy log.key and log.pub from the original "
            "data dir, or from a backup folder of this registry (`sello admin backup` copies them "
            "beside the store), into ",
            restoring ? options.restore_from : data_dir,
            ", then start again. If the key is lost for good, the log cannot go on under its "
            "name: a new key for an existing log comes only through --begin-key-rotation, "
            "which needs the current one"));
  }
  if (!signer.ok()) return Fail("log_key_failed", signer.status().ToString());
  const std::string verifier_key = signer->VerifierKey();
  if (absl::Status status =
          sello::storage::WriteFileAtomically(data_dir + "/log.pub", verifier_key + "\n", 0644);
      !status.ok()) {
    return Fail("log_key_failed", status.ToString());
  }
  LogInfo(key_created ? "log_key_created" : "log_key_loaded",
          {{"verifier_key", verifier_key}, {"public_key_file", data_dir + "/log.pub"}});
  absl::StatusOr<std::unique_ptr<sello::storage::TransparencyLog>> log =
      sello::storage::TransparencyLog::Open(
          store->get(), ledger->get(), *std::move(signer), &clock,
          {.checkpoint_file = data_dir + "/checkpoint.note",
           .checkpoint_state_file = options.checkpoint_state,
           .restoring = restoring,
           .accept_rollback = options.accept_history_rollback,
           .on_signing_error = [](const absl::Status& status) {
             LogError("checkpoint_signing_refused", {{"message", status.ToString()}});
           }});
  if (!log.ok()) {
    const bool rollback = log.status().code() == absl::StatusCode::kFailedPrecondition &&
                          absl::StrContains(log.status().message(), "refusing to sign");
    std::string advice;
    if (rollback && restoring) {
      advice = absl::StrCat(
          ". This backup is older than what the registry signed and published. The restore "
          "was undone. If the newer history is lost for good and you mean to roll the registry "
          "back to this backup, run the same command again with --accept-history-rollback: it "
          "is recorded in the log, every event after the backup is gone, and auditors who saw "
          "the newer checkpoints will see a fork: tell them first (deploy/README.md, "
          "\"Restoring an older backup\")");
    } else if (rollback) {
      advice =
          ". This data dir is older than the history this registry signed and published (a "
          "copy, or a backup, put in its place). Your options: put back the data dir that "
          "signed that checkpoint and start it; or, if it is lost for good, start this one once "
          "with --accept-history-rollback: it is recorded in the log, and auditors who saw the "
          "newer checkpoints will see a fork: tell them first (deploy/README.md, \"Restoring "
          "an older backup\")";
    }
    return Fail("log_open_failed", absl::StrCat(log.status().ToString(), advice));
  }
  LogInfo("checkpoint_state",
          {{"path", options.checkpoint_state}, {"status", (*log)->state_file_report()}});
  if (const uint64_t abandoned = (*log)->rollback_accepted_from(); abandoned > 0) {
    Shout(
        "history_rollback_accepted",
        absl::StrCat("THE PUBLIC HISTORY WAS ROLLED BACK (--accept-history-rollback): checkpoint ",
                     abandoned, " was signed and published, and this log continues from ",
                     (*ledger)->last_seq() - 1,
                     " events; every event after that is gone. Recorded in the log as "
                     "log.history_rollback_accepted. Tell every auditor and relying party: "
                     "their tools will report a fork until they re-baseline "
                     "(deploy/README.md, \"Restoring an older backup\")"));
  }
  if (absl::Status status = (*log)->signing_status(); !status.ok()) {
    LogError("checkpoint_signing_refused", {{"message", status.ToString()}});
  }
  absl::StatusOr<sello::service::KeyRotationOutcome> rotation = sello::service::ApplyKeyRotation(
      data_dir, options.log_origin, **log,
      {.begin_from = options.begin_key_rotation,
       .finish = options.finish_key_rotation,
       .window = absl::Seconds(options.key_rotation_window_hours * 3600),
       .force = options.force_finish_key_rotation});
  if (!rotation.ok()) return Fail("key_rotation_failed", rotation.status().ToString());
  if (!rotation->forced.empty()) Shout("key_rotation_forced", rotation->forced);
  if (!rotation->step.empty()) {
    LogInfo("key_rotation", {{"step", rotation->step},
                             {"verifier_key", (*log)->VerifierKey()},
                             {"next_verifier_key", (*log)->NextVerifierKey()}});
  }
  for (const std::string& no_op : rotation->no_ops) {
    LogWarning("key_rotation", {{"step", "none"}, {"message", no_op}});
  }
  if (!rotation->finish_refused.empty()) {
    LogError("key_rotation_finish_refused", {{"message", rotation->finish_refused}});
  }
  if (!options.issue_admin_token.empty()) {
    // Offline recovery: one recorded token, covered by a signed checkpoint, and no serving.
    if (absl::Status status = IssueAdminToken(**store, **ledger, options.issue_admin_token);
        !status.ok()) {
      return Fail("admin_token_failed", status.ToString());
    }
    if (absl::Status status = (*log)->SignNow(); !status.ok()) {
      return Fail("checkpoint_signing_refused", status.ToString());
    }
    restore_undo.Dismiss();
    log->reset();
    (*ledger)->Close();
    ledger->reset();
    store->reset();
    LogInfo("stopped");
    return 0;
  }
  (*log)->Start();
  std::unique_ptr<sello::service::CosignatureCollector> cosigning;
  if (!options.witness_policy.empty()) {
    absl::StatusOr<std::optional<std::string>> policy_text =
        sello::storage::ReadFileIfExists(options.witness_policy);
    if (!policy_text.ok() || !policy_text->has_value()) {
      (*log)->Stop();
      return Fail("witness_policy_failed",
                  absl::StrCat("--witness-policy: cannot read ", options.witness_policy));
    }
    sello::service::CosignatureCollectorOptions cosigning_options;
    cosigning_options.policy_text = **policy_text;
    cosigning_options.policy_file = options.witness_policy;
    cosigning_options.cosigned_file =
        absl::StrCat(data_dir, "/", sello::service::kCosignedCheckpointFile);
    cosigning_options.http.timeout = absl::Seconds(options.witness_timeout_s);
    cosigning_options.http.ca_file = options.witness_ca;
    absl::StatusOr<std::unique_ptr<sello::service::CosignatureCollector>> started =
        sello::service::CosignatureCollector::Start(log->get(), std::move(cosigning_options));
    if (!started.ok()) {
      (*log)->Stop();
      return Fail("witness_policy_failed", started.status().message());
    }
    cosigning = *std::move(started);
    LogInfo("witness_policy", {{"path", options.witness_policy},
                               {"witnesses", absl::StrCat(cosigning->policy().witnesses().size())},
                               {"quorum", cosigning->policy().DescribeQuorum()}});
  }

  sello::service::Authenticator auth(**store);
  // The flag's values are checked by CLI11; the parse cannot fail here.
  const sello::service::CallLog call_log(sello::service::ParseCallLogLevel(options.call_log)
                                             .value_or(sello::service::CallLogLevel::kAll));
  sello::service::CallTimer call_timer;
  // Synchronous writes (ADMIN's, mostly) wait for durability no longer than that either.
  (*ledger)->SetMaxWait(absl::Seconds(options.default_deadline_s));
  sello::service::Admission admission(
      {.max_pending_writes = options.max_pending_writes,
       .max_watches = options.max_watches,
       .max_watches_per_principal = options.max_watches_per_principal,
       .max_anonymous_watches = options.max_anonymous_watches,
       .max_watches_per_address = options.max_watches_per_address});
  std::vector<std::string> methods;
  for (const auto& rule : sello::domain::AccessTable()) methods.emplace_back(rule.method);
  sello::service::Metrics metrics(methods);
  (*ledger)->SetCommitObserver(
      [&metrics](uint64_t changes, absl::Duration write) { metrics.RecordCommit(changes, write); });
  std::unique_ptr<sello::http::HttpServer> http_server;
  std::unique_ptr<sello::service::MetricsServer> metrics_server;
  if (!options.metrics_listen.empty()) {
    sello::storage::Store* const raw_store = store->get();
    sello::storage::Ledger* const raw_ledger = ledger->get();
    sello::storage::TransparencyLog* const raw_log = log->get();
    absl::StatusOr<std::unique_ptr<sello::service::MetricsServer>> started =
        sello::service::MetricsServer::Start(
            options.metrics_listen,
            [&metrics, &http_server, &cosigning, raw_store, raw_ledger, raw_log] {
              std::vector<sello::service::Metrics::Gauge> gauges = LogGauges(*raw_ledger, *raw_log);
              for (sello::storage::Store::Figure& figure : raw_store->Figures()) {
                gauges.push_back({absl::StrCat("sello_rocksdb_", figure.name),
                                  std::move(figure.help), figure.value, figure.counter});
              }
              std::string text = metrics.Render(gauges);
              if (http_server != nullptr) text += http_server->RenderMetrics();
              if (cosigning != nullptr) text += cosigning->RenderMetrics();
              return text;
            });
    if (!started.ok()) return Fail("metrics_listen_failed", started.status().ToString());
    metrics_server = *std::move(started);
    LogInfo("metrics_listening", {{"address", metrics_server->address()}});
  }
  // The HTTP front's parts, declared before the gRPC server so that they outlive the
  // calls it makes to it (see the shutdown order below).
  std::unique_ptr<sello::http::InProcessCaller> http_caller;
  std::unique_ptr<sello::http::RateLimiter> http_limiter;
  std::unique_ptr<sello::http::ConnectApi> http_api;
  std::unique_ptr<sello::http::LogTiles> http_tiles;
  std::unique_ptr<sello::http::PublicPages> http_pages;
  sello::http::Router http_router;
  // What the HTTP front's in-process calls prove themselves with (service/call.h).
  const std::string http_front_key = options.http_listen.empty()
                                         ? std::string()
                                         : absl::BytesToHexString(sello::domain::RandomBytes(16));
  absl::StatusOr<std::unique_ptr<sello::service::Server>> server = sello::service::Server::Start(
      server_options,
      {store->get(),
       ledger->get(),
       &auth,
       &metrics,
       &call_log,
       &admission,
       &call_timer,
       absl::Seconds(options.default_deadline_s),
       options.request_limits,
       http_front_key,
       {.max_message_bytes = static_cast<uint64_t>(server_options.max_message_bytes),
        .max_metadata_bytes = static_cast<uint64_t>(server_options.max_metadata_bytes)},
       absl::Hours(24) * options.appeal_deadline_days},
      log->get());
  if (!server.ok()) return Fail("listen_failed", server.status().message());
  restore_undo.Dismiss();
  LogInfo("listening", {{"address", (*server)->address()}, {"data_dir", data_dir}});
  if (!options.http_listen.empty()) {
    http_caller = std::make_unique<sello::http::InProcessCaller>((*server)->InProcessChannel(),
                                                                 http_front_key);
    http_limiter = std::make_unique<sello::http::RateLimiter>(sello::http::RateLimiter::Options{
        .requests_per_second = options.http_rate_limit, .burst = options.http_rate_burst});
    sello::http::ConnectApi::Options api_options;
    for (const auto& rule : sello::domain::AccessTable()) {
      if (rule.is_public) api_options.public_methods.insert(std::string(rule.method));
    }
    api_options.cors_origins = options.http_cors_origins;
    api_options.cache_max_age = absl::Seconds(options.http_cache_max_age_s);
    api_options.max_message_bytes = static_cast<size_t>(server_options.max_message_bytes);
    http_api = std::make_unique<sello::http::ConnectApi>(std::move(api_options), http_caller.get(),
                                                         http_limiter.get());
    http_router.HandlePrefix(absl::StrCat("/", sello::http::kApiPackage, "."), http_api.get());
    http_tiles = std::make_unique<sello::http::LogTiles>(
        log->get(), store->get(), &auth, http_limiter.get(),
        sello::http::LogTiles::Options{
            .short_max_age =
                std::min(absl::Seconds(options.http_cache_max_age_s), absl::Seconds(5))});
    sello::http::RouteLogTiles(http_router, http_tiles.get());
    // The public pages (/, /seal/CODE, the GS1 Digital Link form, ...): public_pages.h.
    http_pages = std::make_unique<sello::http::PublicPages>(
        sello::http::PublicPages::Options{
            .cache_max_age = absl::Seconds(options.http_cache_max_age_s),
            .witness_policy =
                cosigning != nullptr ? cosigning->policy().FormatForVerifiers() : std::string()},
        http_caller.get());
    http_pages->Register(http_router);
    sello::http::HttpServerOptions http_options;
    http_options.listen = options.http_listen;
    http_options.tls_cert_pem = server_options.tls_cert_pem;
    http_options.tls_key_pem = server_options.tls_key_pem;
    http_options.max_header_bytes = static_cast<size_t>(server_options.max_metadata_bytes);
    http_options.max_body_bytes = static_cast<size_t>(server_options.max_message_bytes);
    http_options.max_body_memory_bytes = static_cast<size_t>(server_options.memory_quota_bytes);
    http_options.max_connections = options.http_max_connections;
    http_options.max_connections_per_address = options.http_max_connections_per_address;
    http_options.idle_timeout = absl::Seconds(options.http_idle_timeout_s);
    http_options.request_timeout = absl::Seconds(options.http_request_timeout_s);
    http_options.trusted_proxies = options.http_trusted_proxies;
    // Sockets beyond the open-file limit would fail RocksDB's opens too: keep a reserve.
    constexpr rlim_t kReservedFiles = 1024;
    const rlim_t files = RaiseFileLimit();
    if (files < http_options.max_connections + kReservedFiles) {
      http_options.max_connections =
          static_cast<unsigned>(files > 2 * kReservedFiles ? files - kReservedFiles : files / 2);
      LogWarning("http_connections_capped",
                 {{"max_connections", absl::StrCat(http_options.max_connections)},
                  {"open_file_limit", absl::StrCat(files)}});
    }
    absl::StatusOr<std::unique_ptr<sello::http::HttpServer>> started =
        sello::http::HttpServer::Start(std::move(http_options), &http_router, http_limiter.get());
    if (!started.ok()) return Fail("http_listen_failed", started.status().message());
    http_server = *std::move(started);
    LogInfo("http_listening",
            {{"address", http_server->address()},
             {"url", absl::StrCat(options.tls_cert.empty() ? "http://" : "https://",
                                  http_server->address(), "/")}});
    if (!options.client_ca.empty()) {
      LogWarning("http_client_certificates",
                 {{"message",
                   "--client-ca applies to gRPC only: HTTP clients are not asked for "
                   "certificates (tokens authenticate them)"}});
    }
    if (const std::string& path = options.http_address_file; !path.empty()) {
      if (absl::Status status = sello::storage::WriteAddressFile(path, http_server->address());
          !status.ok()) {
        http_server.reset();  // before the handlers it dispatches to go
        return Fail("address_file_failed", status.message());
      }
    }
  }
  if (const std::string& path = options.address_file; !path.empty()) {
    if (absl::Status status = sello::storage::WriteAddressFile(path, (*server)->address());
        !status.ok()) {
      return Fail("address_file_failed", status.message());
    }
  }

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  LogInfo("shutting_down", {{"signal", strsignal(signal_number)}});
  (*ledger)->Close();  // ends watches and the signer's waits
  // HTTP: no new connections; the gRPC shutdown then ends the calls it made in process
  // (each answers its client), and the HTTP server stops before the services go.
  if (http_server != nullptr) http_server->StopAccepting();
  (*server)->Shutdown(absl::Seconds(options.shutdown_grace_seconds));
  metrics_server.reset();
  if (http_server != nullptr) http_server->Stop(absl::Seconds(5));
  http_server.reset();
  http_api.reset();
  http_tiles.reset();
  http_caller.reset();
  server->reset();
  if (cosigning != nullptr) cosigning->Stop();
  (*log)->Stop();  // signs what the last calls committed
  log->reset();
  const sello::storage::Ledger::CommitCounts commits = (*ledger)->commit_counts();
  LogInfo("commits", {{"writes_acknowledged", absl::StrCat(commits.changes)},
                      {"fsyncs", absl::StrCat(commits.groups)}});
  ledger->reset();
  store->reset();  // closes RocksDB cleanly
  LogInfo("stopped");
  return 0;
}

int main(int argc, char** argv) {
  // Nothing below should throw; if the standard library does (e.g. out of memory), say
  // so plainly rather than abort with a core dump.
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    return Fail("fatal", error.what());
  }
}
