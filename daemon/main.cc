// sellod: the Sello registry daemon. Opens the store in --data-dir, bootstraps it on
// first start, serves the gRPC API on --listen, and shuts down cleanly on SIGINT or
// SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/net_address.h"
#include "daemon/domain/access_policy.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/limits.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/auth.h"
#include "daemon/service/bootstrap.h"
#include "daemon/service/call_log.h"
#include "daemon/service/log.h"
#include "daemon/service/log_key.h"
#include "daemon/service/metrics.h"
#include "daemon/service/metrics_server.h"
#include "daemon/service/server.h"
#include "daemon/service/stats_service.h"
#include "storage/files.h"
#include "storage/ledger.h"
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
  bool accept_history_rollback = false;
  bool begin_key_rotation = false;
  bool finish_key_rotation = false;
  std::string restore_from;
  std::string metrics_listen;
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
absl::Status PrepareDataDir(const std::string& dir) {
  std::error_code error;
  if (std::filesystem::exists(dir, error) && !std::filesystem::is_directory(dir, error)) {
    return absl::UnavailableError(absl::StrCat("data dir ", dir, " is not a directory"));
  }
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("data dir ", dir, " cannot be created: ", error.message()));
  }
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::UnavailableError(absl::StrCat("data dir ", dir, " is not a directory"));
  }
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    return absl::UnavailableError(
        absl::StrCat("data dir ", dir, " is not writable: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Holds an exclusive lock on DIR/sellod.lock for the life of the process, so that two
// daemons never share a data dir. The file records the holder's pid for the message.
absl::Status LockDataDir(const std::string& dir) {
  const std::string path = dir + "/sellod.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    if (saved == EWOULDBLOCK) {
      std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "unknown";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", dir, " is already in use by another sellod (pid ", holder, ")"));
    }
    return absl::UnavailableError(absl::StrCat("cannot lock ", path, ": ", std::strerror(saved)));
  }
  const std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  // The descriptor stays open (and locked) until the process exits.
  return absl::OkStatus();
}

absl::Status WriteAddressFile(const std::string& path, const std::string& address) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << address << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", temp));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", temp, " to ", path));
  }
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
                 "Beyond it writes get RESOURCE_EXHAUSTED and health reports sello.write "
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
                 "keep a copy of the last signed checkpoint here too, OUTSIDE the data dir: "
                 "a data dir restored from a stale backup is then refused, not forked");
  app.add_flag("--accept-history-rollback", options.accept_history_rollback,
               "continue from a log that does not extend the last signed checkpoint (after a "
               "deliberate restore); recorded in the log as an event");
  app.add_flag("--begin-key-rotation", options.begin_key_rotation,
               "start moving the log to a new signing key: a new key (log.next.key) is "
               "announced in the log and co-signs every checkpoint until "
               "--finish-key-rotation (see deploy/README.md); no-op while one is under way");
  app.add_flag("--finish-key-rotation", options.finish_key_rotation,
               "end the rotation under way: the next key signs alone from now on, the old "
               "verifier key is kept as log.retired-<id>.pub; no-op when none is under way");
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
                 "largest request accepted, KiB (RESOURCE_EXHAUSTED above)")
      ->check(CLI::Range(64, 64 << 10))
      ->capture_default_str();
  app.add_option("--max-metadata-kb", options.max_metadata_kb,
                 "largest set of request headers, KiB (token included)")
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
  const std::string& data_dir = options.data_dir;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Fail("usage", "--tls-cert and --tls-key go together") + 1;
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

  // Signals are taken by sigwait() below; block them before any thread starts so that
  // no gRPC or RocksDB thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (absl::Status status = PrepareDataDir(data_dir); !status.ok()) {
    return Fail("data_dir_unusable", status.message());
  }
  if (absl::Status status = LockDataDir(data_dir); !status.ok()) {
    return Fail("data_dir_locked", status.message());
  }
  if (!options.restore_from.empty()) {
    // The store, then the log's key pair that signed its checkpoints.
    if (absl::Status status =
            sello::storage::RestoreRocksBackup(options.restore_from, data_dir + "/db");
        !status.ok()) {
      return Fail("restore_failed", status.ToString());
    }
    if (absl::StatusOr<bool> copied =
            sello::service::CopyLogKeyFiles(options.restore_from, data_dir);
        !copied.ok()) {
      return Fail("restore_failed", copied.status().ToString());
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

  bool key_created = false;
  absl::StatusOr<sello::domain::NoteSigner> signer =
      sello::service::LoadOrCreateLogKey(data_dir + "/log.key", options.log_origin, &key_created);
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
           .accept_rollback = options.accept_history_rollback,
           .on_signing_error = [](const absl::Status& status) {
             LogError("checkpoint_signing_refused", {{"message", status.ToString()}});
           }});
  if (!log.ok()) {
    return Fail("log_open_failed",
                absl::StrCat(log.status().ToString(),
                             log.status().code() == absl::StatusCode::kFailedPrecondition
                                 ? " (if you restored this data dir on purpose, start once with "
                                   "--accept-history-rollback: it is recorded in the log)"
                                 : ""));
  }
  if (absl::Status status = (*log)->signing_status(); !status.ok()) {
    LogError("checkpoint_signing_refused", {{"message", status.ToString()}});
  }
  absl::StatusOr<std::string> rotation = sello::service::ApplyKeyRotation(
      data_dir, options.log_origin, **log, options.begin_key_rotation, options.finish_key_rotation);
  if (!rotation.ok()) return Fail("key_rotation_failed", rotation.status().ToString());
  if (!rotation->empty()) {
    LogInfo("key_rotation", {{"step", *rotation},
                             {"verifier_key", (*log)->VerifierKey()},
                             {"next_verifier_key", (*log)->NextVerifierKey()}});
  } else if (options.finish_key_rotation) {
    LogWarning("key_rotation", {{"step", "none under way: --finish-key-rotation did nothing"}});
  }
  (*log)->Start();

  sello::service::Authenticator auth(**store);
  // The flag's values are checked by CLI11; the parse cannot fail here.
  const sello::service::CallLog call_log(sello::service::ParseCallLogLevel(options.call_log)
                                             .value_or(sello::service::CallLogLevel::kAll));
  sello::service::CallTimer call_timer;
  // Synchronous writes (ADMIN's, mostly) wait for durability no longer than that either.
  (*ledger)->SetMaxWait(absl::Seconds(options.default_deadline_s));
  sello::service::Admission admission(
      {.max_pending_writes = options.max_pending_writes, .max_watches = options.max_watches});
  std::vector<std::string> methods;
  for (const auto& rule : sello::domain::AccessTable()) methods.emplace_back(rule.method);
  sello::service::Metrics metrics(methods);
  (*ledger)->SetCommitObserver(
      [&metrics](uint64_t changes, absl::Duration write) { metrics.RecordCommit(changes, write); });
  std::unique_ptr<sello::service::MetricsServer> metrics_server;
  if (!options.metrics_listen.empty()) {
    sello::storage::Store* const raw_store = store->get();
    sello::storage::Ledger* const raw_ledger = ledger->get();
    sello::storage::TransparencyLog* const raw_log = log->get();
    absl::StatusOr<std::unique_ptr<sello::service::MetricsServer>> started =
        sello::service::MetricsServer::Start(
            options.metrics_listen, [&metrics, raw_store, raw_ledger, raw_log] {
              const sello::v1::Checkpoint latest = raw_log->Latest();
              std::vector<sello::service::Metrics::Gauge> gauges = {
                  {"sello_log_tree_size", "Events committed (the transparency log's tree size).",
                   static_cast<double>(raw_ledger->last_seq())},
                  {"sello_checkpoint_size", "Tree size of the last signed checkpoint.",
                   static_cast<double>(latest.size())},
                  {"sello_checkpoint_age_seconds", "Seconds since the last signed checkpoint.",
                   absl::ToDoubleSeconds(absl::Now() - sello::domain::FromProto(latest.time()))},
                  {"sello_checkpoint_signing_ok", "1 when the log signs, 0 when it refuses.",
                   raw_log->signing_status().ok() ? 1.0 : 0.0}};
              for (sello::storage::Store::Figure& figure : raw_store->Figures()) {
                gauges.push_back({absl::StrCat("sello_rocksdb_", figure.name),
                                  std::move(figure.help), figure.value, figure.counter});
              }
              return metrics.Render(gauges);
            });
    if (!started.ok()) return Fail("metrics_listen_failed", started.status().ToString());
    metrics_server = *std::move(started);
    LogInfo("metrics_listening", {{"address", metrics_server->address()}});
  }
  absl::StatusOr<std::unique_ptr<sello::service::Server>> server = sello::service::Server::Start(
      server_options,
      {store->get(), ledger->get(), &auth, &metrics, &call_log, &admission, &call_timer,
       absl::Seconds(options.default_deadline_s), options.request_limits,
       absl::Hours(24) * options.appeal_deadline_days},
      log->get());
  if (!server.ok()) return Fail("listen_failed", server.status().message());
  LogInfo("listening", {{"address", (*server)->address()}, {"data_dir", data_dir}});
  if (const std::string& path = options.address_file; !path.empty()) {
    if (absl::Status status = WriteAddressFile(path, (*server)->address()); !status.ok()) {
      return Fail("address_file_failed", status.message());
    }
  }

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  LogInfo("shutting_down", {{"signal", strsignal(signal_number)}});
  (*ledger)->Close();  // ends watches and the signer's waits
  (*server)->Shutdown(absl::Seconds(options.shutdown_grace_seconds));
  server->reset();
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
