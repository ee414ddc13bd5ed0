// sellod: the Sello registry daemon. Reads its flags (sellod_flags.h), opens the store in
// --data-dir (bootstrapping it on first start) and the transparency log over it, serves
// the gRPC API on --listen (and the HTTP front, the metrics), and shuts down cleanly on
// SIGINT or SIGTERM.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/files.h"
#include "daemon/domain/access_policy.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/time_convert.h"
#include "daemon/http/connect_api.h"
#include "daemon/http/http_server.h"
#include "daemon/http/in_process_caller.h"
#include "daemon/http/log_tiles.h"
#include "daemon/http/public_pages.h"
#include "daemon/http/rate_limiter.h"
#include "daemon/http/router.h"
#include "daemon/sellod_flags.h"
#include "daemon/server/access_record.h"
#include "daemon/server/admission.h"
#include "daemon/server/auth.h"
#include "daemon/server/bootstrap.h"
#include "daemon/server/call_timer.h"
#include "daemon/server/json_logger.h"
#include "daemon/server/metrics.h"
#include "daemon/server/metrics_server.h"
#include "daemon/server/server.h"
#include "daemon/service/stats_service.h"
#include "daemon/service/token_service.h"
#include "daemon/tlog/cosignature_collector.h"
#include "daemon/tlog/log_key.h"
#include "daemon/tlog/transparency_log.h"
#include "storage/ledger.h"
#include "storage/records.h"
#include "storage/rocks_store.h"

namespace sello::sellod {
namespace {

using service::LogError;
using service::LogInfo;
using service::LogWarning;

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
  names.emplace_back(service::kCosignedCheckpointFile);
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

// What sellod holds while it runs, in the order it makes them. Members are destroyed in
// reverse: the gRPC server first, the HTTP front's parts after it (they outlive the calls
// it makes to them), ..., the store, and last the restore's undo, which needs the store
// closed.
struct Daemon {
  RestoreUndo restore_undo;
  std::unique_ptr<storage::Store> store;
  storage::SystemClock clock;
  std::unique_ptr<storage::Ledger> ledger;
  std::unique_ptr<storage::TransparencyLog> log;
  std::unique_ptr<service::CosignatureCollector> cosigning;
  std::unique_ptr<service::Authenticator> auth;
  std::unique_ptr<const service::AccessRecorder> access_recorder;
  std::unique_ptr<service::CallTimer> call_timer;
  std::unique_ptr<service::Admission> admission;
  std::unique_ptr<service::Metrics> metrics;
  std::unique_ptr<http::HttpServer> http_server;
  std::unique_ptr<service::MetricsServer> metrics_server;
  std::unique_ptr<http::InProcessCaller> http_caller;
  std::unique_ptr<http::RateLimiter> http_limiter;
  std::unique_ptr<http::ConnectApi> http_api;
  std::unique_ptr<http::LogTiles> http_tiles;
  std::unique_ptr<http::PublicPages> http_pages;
  http::Router http_router;
  // What the HTTP front's in-process calls prove themselves with (daemon/server/call.h).
  std::string http_front_key;
  std::unique_ptr<service::Server> server;
};

// Signals are taken by sigwait() (WaitForStopSignal); they are blocked before any thread
// starts so that no gRPC or RocksDB thread receives them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Makes and locks the data dir; with --restore-from, first restores the backup into it.
std::optional<int> OpenDataDir(const DaemonOptions& options, Daemon& daemon) {
  const std::string& data_dir = options.data_dir;
  if (absl::Status status = storage::PrepareDataDir(data_dir); !status.ok()) {
    return Fail("data_dir_unusable", status.message());
  }
  if (absl::Status status = storage::LockDataDir(data_dir, "sellod"); !status.ok()) {
    return Fail("data_dir_locked", status.message());
  }
  if (options.restore_from.empty()) return std::nullopt;
  // The store, then the log's key pair that signed its checkpoints.
  if (absl::Status status = storage::RestoreRocksBackup(options.restore_from, data_dir + "/db");
      !status.ok()) {
    return Fail("restore_failed", status.ToString());
  }
  daemon.restore_undo.Arm(data_dir, LogKeyFileNames(options.restore_from));
  absl::StatusOr<bool> copied = service::CopyLogKeyFiles(options.restore_from, data_dir);
  if (!copied.ok()) return Fail("restore_failed", copied.status().ToString());
  // The newest cosigned checkpoint the backup kept (served again if it still holds).
  absl::StatusOr<std::optional<std::string>> cosigned = storage::ReadFileIfExists(
      absl::StrCat(options.restore_from, "/", service::kCosignedCheckpointFile));
  if (absl::Status status = cosigned.ok() ? service::PutCosignedCheckpoint(data_dir, *cosigned)
                                          : cosigned.status();
      !status.ok()) {
    return Fail("restore_failed", status.ToString());
  }
  LogInfo("restored", {{"from", options.restore_from}, {"data_dir", data_dir}});
  return std::nullopt;
}

// Opens the store and its ledger, bootstraps them on first start, and brings the
// statistics and the version indexes up to date.
std::optional<int> OpenStore(const DaemonOptions& options, Daemon& daemon) {
  const std::string& data_dir = options.data_dir;
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::OpenRocksStore({.path = data_dir + "/db",
                               .block_cache_bytes = options.block_cache_mb << 20,
                               .max_space_bytes = options.max_disk_mb << 20,
                               .file_system = nullptr});
  if (!store.ok()) return Fail("store_open_failed", store.status().ToString());
  daemon.store = *std::move(store);
  absl::StatusOr<std::unique_ptr<storage::Ledger>> ledger =
      storage::Ledger::Open(daemon.store.get(), &daemon.clock);
  if (!ledger.ok()) return Fail("ledger_open_failed", ledger.status().ToString());
  daemon.ledger = *std::move(ledger);
  LogInfo("store_opened",
          {{"path", data_dir + "/db"}, {"last_event", absl::StrCat(daemon.ledger->last_seq())}});
  absl::StatusOr<bool> bootstrapped =
      service::BootstrapIfNeeded(*daemon.store, *daemon.ledger,
                                 {.data_dir = data_dir,
                                  .organisation_id = options.bootstrap_org_id,
                                  .organisation_name = options.bootstrap_org_name,
                                  .country = options.bootstrap_org_country});
  if (!bootstrapped.ok()) return Fail("bootstrap_failed", bootstrapped.status().ToString());
  if (absl::Status status = service::EnsureAggregates(*daemon.store); !status.ok()) {
    return Fail("statistics_failed", status.ToString());
  }
  absl::StatusOr<std::optional<size_t>> indexed = storage::EnsureVersionIndexes(*daemon.store);
  if (!indexed.ok()) return Fail("indexes_failed", indexed.status().ToString());
  if (indexed->has_value()) {
    LogInfo("version_indexes_built", {{"records", absl::StrCat(**indexed)}});
  }
  return std::nullopt;
}

// Why a log that signed checkpoints gets no new key, and what to do instead.
std::string LogKeyMissingMessage(const DaemonOptions& options, uint64_t events) {
  const bool restoring = !options.restore_from.empty();
  const std::string& data_dir = options.data_dir;
  // A log that signed checkpoints is pinned by its auditors under its key: a new key
  // would leave every one of them unable to check anything.
  return absl::StrCat(
      restoring ? absl::StrCat("the backup in ", options.restore_from, " has no log.key")
                : absl::StrCat(data_dir, "/log.key is missing"),
      ", yet this log holds ", events,
      " events under signed checkpoints: sellod will not make a new key for it (every "
      "auditor pins the key that signed them). Copy log.key and log.pub from the original "
      "data dir, or from a backup folder of this registry (`sello admin backup` copies them "
      "beside the store), into ",
      restoring ? options.restore_from : data_dir,
      ", then start again. If the key is lost for good, the log cannot go on under its "
      "name: a new key for an existing log comes only through --begin-key-rotation, "
      "which needs the current one");
}

// The log's signing key from DATA_DIR/log.key, made on first start (never for a log
// that signed checkpoints), its verifier key written to DATA_DIR/log.pub.
std::optional<int> LoadLogKey(const DaemonOptions& options, Daemon& daemon,
                              std::optional<domain::NoteSigner>& key) {
  const std::string& data_dir = options.data_dir;
  absl::StatusOr<bool> has_history =
      storage::TransparencyLog::HasSignedCheckpoint(*daemon.store, data_dir + "/checkpoint.note");
  if (!has_history.ok()) return Fail("store_open_failed", has_history.status().ToString());
  bool key_created = false;
  absl::StatusOr<domain::NoteSigner> signer = service::LoadOrCreateLogKey(
      data_dir + "/log.key", options.log_origin, &key_created, /*may_create=*/!*has_history);
  if (!signer.ok() && absl::IsFailedPrecondition(signer.status())) {
    return Fail("log_key_missing", LogKeyMissingMessage(options, daemon.ledger->last_seq()));
  }
  if (!signer.ok()) return Fail("log_key_failed", signer.status().ToString());
  const std::string verifier_key = signer->VerifierKey();
  if (absl::Status status =
          storage::WriteFileAtomically(data_dir + "/log.pub", verifier_key + "\n", 0644);
      !status.ok()) {
    return Fail("log_key_failed", status.ToString());
  }
  LogInfo(key_created ? "log_key_created" : "log_key_loaded",
          {{"verifier_key", verifier_key}, {"public_key_file", data_dir + "/log.pub"}});
  key = *std::move(signer);
  return std::nullopt;
}

// What an operator can do when the log refuses to open: `status` says why.
std::string LogOpenAdvice(const absl::Status& status, bool restoring) {
  const bool rollback = status.code() == absl::StatusCode::kFailedPrecondition &&
                        absl::StrContains(status.message(), "refusing to sign");
  if (rollback && restoring) {
    return absl::StrCat(
        ". This backup is older than what the registry signed and published. The restore "
        "was undone. If the newer history is lost for good and you mean to roll the registry "
        "back to this backup, run the same command again with --accept-history-rollback: it "
        "is recorded in the log, every event after the backup is gone, and auditors who saw "
        "the newer checkpoints will see a fork: tell them first (deploy/README.md, "
        "\"Restoring an older backup\")");
  }
  if (rollback) {
    return ". This data dir is older than the history this registry signed and published (a "
           "copy, or a backup, put in its place). Your options: put back the data dir that "
           "signed that checkpoint and start it; or, if it is lost for good, start this one once "
           "with --accept-history-rollback: it is recorded in the log, and auditors who saw the "
           "newer checkpoints will see a fork: tell them first (deploy/README.md, \"Restoring "
           "an older backup\")";
  }
  return "";
}

// Opens the transparency log over the ledger with `key` (its checks of the last signed
// checkpoint included), and says what it found.
std::optional<int> OpenLog(const DaemonOptions& options, Daemon& daemon, domain::NoteSigner key) {
  const bool restoring = !options.restore_from.empty();
  absl::StatusOr<std::unique_ptr<storage::TransparencyLog>> log = storage::TransparencyLog::Open(
      daemon.store.get(), daemon.ledger.get(), std::move(key), &daemon.clock,
      {.checkpoint_file = options.data_dir + "/checkpoint.note",
       .checkpoint_state_file = options.checkpoint_state,
       .restoring = restoring,
       .accept_rollback = options.accept_history_rollback,
       .on_signing_error = [](const absl::Status& status) {
         LogError("checkpoint_signing_refused", {{"message", status.ToString()}});
       }});
  if (!log.ok()) {
    return Fail("log_open_failed",
                absl::StrCat(log.status().ToString(), LogOpenAdvice(log.status(), restoring)));
  }
  daemon.log = *std::move(log);
  LogInfo("checkpoint_state",
          {{"path", options.checkpoint_state}, {"status", daemon.log->state_file_report()}});
  if (const uint64_t abandoned = daemon.log->rollback_accepted_from(); abandoned > 0) {
    Shout(
        "history_rollback_accepted",
        absl::StrCat("THE PUBLIC HISTORY WAS ROLLED BACK (--accept-history-rollback): checkpoint ",
                     abandoned, " was signed and published, and this log continues from ",
                     daemon.ledger->last_seq() - 1,
                     " events; every event after that is gone. Recorded in the log as "
                     "log.history_rollback_accepted. Tell every auditor and relying party: "
                     "their tools will report a fork until they re-baseline "
                     "(deploy/README.md, \"Restoring an older backup\")"));
  }
  if (absl::Status status = daemon.log->signing_status(); !status.ok()) {
    LogError("checkpoint_signing_refused", {{"message", status.ToString()}});
  }
  return std::nullopt;
}

// --begin-key-rotation, --finish-key-rotation: the step asked for, if any, and what came
// of it.
std::optional<int> RotateLogKey(const DaemonOptions& options, Daemon& daemon) {
  absl::StatusOr<service::KeyRotationOutcome> rotation =
      service::ApplyKeyRotation(options.data_dir, options.log_origin, *daemon.log,
                                {.begin_from = options.begin_key_rotation,
                                 .finish = options.finish_key_rotation,
                                 .window = absl::Seconds(options.key_rotation_window_hours * 3600),
                                 .force = options.force_finish_key_rotation});
  if (!rotation.ok()) return Fail("key_rotation_failed", rotation.status().ToString());
  if (!rotation->forced.empty()) Shout("key_rotation_forced", rotation->forced);
  if (!rotation->step.empty()) {
    LogInfo("key_rotation", {{"step", rotation->step},
                             {"verifier_key", daemon.log->VerifierKey()},
                             {"next_verifier_key", daemon.log->NextVerifierKey()}});
  }
  for (const std::string& no_op : rotation->no_ops) {
    LogWarning("key_rotation", {{"step", "none"}, {"message", no_op}});
  }
  if (!rotation->finish_refused.empty()) {
    LogError("key_rotation_finish_refused", {{"message", rotation->finish_refused}});
  }
  return std::nullopt;
}

// Everything sellod opens before it serves: the data dir, the store, the log and its key.
std::optional<int> Open(const DaemonOptions& options, Daemon& daemon) {
  if (std::optional<int> failed = OpenDataDir(options, daemon)) return failed;
  if (std::optional<int> failed = OpenStore(options, daemon)) return failed;
  std::optional<domain::NoteSigner> key;
  if (std::optional<int> failed = LoadLogKey(options, daemon, key)) return failed;
  if (std::optional<int> failed = OpenLog(options, daemon, *std::move(key))) return failed;
  return RotateLogKey(options, daemon);
}

// Offline recovery (--issue-admin-token): one recorded token, covered by a signed
// checkpoint, and no serving.
int IssueAdminTokenAndStop(const DaemonOptions& options, Daemon& daemon) {
  if (absl::Status status =
          IssueAdminToken(*daemon.store, *daemon.ledger, options.issue_admin_token);
      !status.ok()) {
    return Fail("admin_token_failed", status.ToString());
  }
  if (absl::Status status = daemon.log->SignNow(); !status.ok()) {
    return Fail("checkpoint_signing_refused", status.ToString());
  }
  daemon.restore_undo.Dismiss();
  daemon.log.reset();
  daemon.ledger->Close();
  daemon.ledger.reset();
  daemon.store.reset();
  LogInfo("stopped");
  return 0;
}

// --witness-policy: collects witnesses' cosignatures on each checkpoint the log signs.
std::optional<int> StartCosigning(const DaemonOptions& options, Daemon& daemon) {
  if (options.witness_policy.empty()) return std::nullopt;
  absl::StatusOr<std::optional<std::string>> policy_text =
      storage::ReadFileIfExists(options.witness_policy);
  if (!policy_text.ok() || !policy_text->has_value()) {
    daemon.log->Stop();
    return Fail("witness_policy_failed",
                absl::StrCat("--witness-policy: cannot read ", options.witness_policy));
  }
  service::CosignatureCollectorOptions cosigning_options;
  cosigning_options.policy_text = **policy_text;
  cosigning_options.policy_file = options.witness_policy;
  cosigning_options.cosigned_file =
      absl::StrCat(options.data_dir, "/", service::kCosignedCheckpointFile);
  cosigning_options.http.timeout = absl::Seconds(options.witness_timeout_s);
  cosigning_options.http.ca_file = options.witness_ca;
  absl::StatusOr<std::unique_ptr<service::CosignatureCollector>> started =
      service::CosignatureCollector::Start(daemon.log.get(), std::move(cosigning_options));
  if (!started.ok()) {
    daemon.log->Stop();
    return Fail("witness_policy_failed", started.status().message());
  }
  daemon.cosigning = *std::move(started);
  LogInfo("witness_policy",
          {{"path", options.witness_policy},
           {"witnesses", absl::StrCat(daemon.cosigning->policy().witnesses().size())},
           {"quorum", daemon.cosigning->policy().DescribeQuorum()}});
  return std::nullopt;
}

// What every call goes through besides its handler (daemon/server/call.h): the
// authenticator, the access record, deadlines, admission and the metrics.
void MakeCallPath(const DaemonOptions& options, Daemon& daemon) {
  daemon.auth = std::make_unique<service::Authenticator>(*daemon.store);
  // The flag's values are checked by CLI11; the parse cannot fail here.
  daemon.access_recorder = std::make_unique<const service::AccessRecorder>(
      service::ParseCallLogLevel(options.call_log).value_or(service::CallLogLevel::kAll));
  daemon.call_timer = std::make_unique<service::CallTimer>();
  // Synchronous writes (ADMIN's, mostly) wait for durability no longer than that either.
  daemon.ledger->SetMaxWait(absl::Seconds(options.default_deadline_s));
  daemon.admission = std::make_unique<service::Admission>(
      service::Admission::Limits{.max_pending_writes = options.max_pending_writes,
                                 .max_watches = options.max_watches,
                                 .max_watches_per_principal = options.max_watches_per_principal,
                                 .max_anonymous_watches = options.max_anonymous_watches,
                                 .max_watches_per_address = options.max_watches_per_address});
  std::vector<std::string> methods;
  for (const auto& rule : domain::AccessTable()) methods.emplace_back(rule.method);
  daemon.metrics = std::make_unique<service::Metrics>(methods);
  daemon.ledger->SetCommitObserver(
      [metrics = daemon.metrics.get()](uint64_t changes, absl::Duration write) {
        metrics->RecordCommit(changes, write);
      });
}

// --metrics-listen: Prometheus text at /metrics, read when scraped.
std::optional<int> StartMetricsServer(const DaemonOptions& options, Daemon& daemon) {
  if (options.metrics_listen.empty()) return std::nullopt;
  absl::StatusOr<std::unique_ptr<service::MetricsServer>> started =
      service::MetricsServer::Start(options.metrics_listen, [&daemon] {
        std::vector<service::Metrics::Gauge> gauges = LogGauges(*daemon.ledger, *daemon.log);
        for (storage::Store::Figure& figure : daemon.store->Figures()) {
          gauges.push_back({absl::StrCat("sello_rocksdb_", figure.name), std::move(figure.help),
                            figure.value, figure.counter});
        }
        std::string text = daemon.metrics->Render(gauges);
        if (daemon.http_server != nullptr) text += daemon.http_server->RenderMetrics();
        if (daemon.cosigning != nullptr) text += daemon.cosigning->RenderMetrics();
        return text;
      });
  if (!started.ok()) return Fail("metrics_listen_failed", started.status().ToString());
  daemon.metrics_server = *std::move(started);
  LogInfo("metrics_listening", {{"address", daemon.metrics_server->address()}});
  return std::nullopt;
}

// The gRPC server over the services, on --listen.
std::optional<int> StartGrpcServer(const DaemonOptions& options,
                                   const service::ServerOptions& server_options, Daemon& daemon) {
  absl::StatusOr<std::unique_ptr<service::Server>> server = service::Server::Start(
      server_options,
      {daemon.store.get(),
       daemon.ledger.get(),
       daemon.auth.get(),
       daemon.metrics.get(),
       daemon.access_recorder.get(),
       daemon.admission.get(),
       daemon.call_timer.get(),
       absl::Seconds(options.default_deadline_s),
       options.request_limits,
       daemon.http_front_key,
       {.max_message_bytes = static_cast<uint64_t>(server_options.max_message_bytes),
        .max_metadata_bytes = static_cast<uint64_t>(server_options.max_metadata_bytes)},
       absl::Hours(24) * options.appeal_deadline_days},
      daemon.log.get());
  if (!server.ok()) return Fail("listen_failed", server.status().message());
  daemon.server = *std::move(server);
  daemon.restore_undo.Dismiss();
  LogInfo("listening", {{"address", daemon.server->address()}, {"data_dir", options.data_dir}});
  return std::nullopt;
}

// The HTTP front's handlers: the Connect API over the services (in process), the log's
// tiles, and the public pages.
void RouteHttp(const DaemonOptions& options, const service::ServerOptions& server_options,
               Daemon& daemon) {
  daemon.http_caller = std::make_unique<http::InProcessCaller>(daemon.server->InProcessChannel(),
                                                               daemon.http_front_key);
  daemon.http_limiter = std::make_unique<http::RateLimiter>(http::RateLimiter::Options{
      .requests_per_second = options.http_rate_limit, .burst = options.http_rate_burst});
  http::ConnectApi::Options api_options;
  for (const auto& rule : domain::AccessTable()) {
    if (rule.is_public) api_options.public_methods.insert(std::string(rule.method));
  }
  api_options.cors_origins = options.http_cors_origins;
  api_options.cache_max_age = absl::Seconds(options.http_cache_max_age_s);
  api_options.max_message_bytes = static_cast<size_t>(server_options.max_message_bytes);
  daemon.http_api = std::make_unique<http::ConnectApi>(
      std::move(api_options), daemon.http_caller.get(), daemon.http_limiter.get());
  daemon.http_router.HandlePrefix(absl::StrCat("/", http::kApiPackage, "."), daemon.http_api.get());
  daemon.http_tiles = std::make_unique<http::LogTiles>(
      daemon.log.get(), daemon.store.get(), daemon.auth.get(), daemon.http_limiter.get(),
      http::LogTiles::Options{.short_max_age = std::min(absl::Seconds(options.http_cache_max_age_s),
                                                        absl::Seconds(5))});
  http::RouteLogTiles(daemon.http_router, daemon.http_tiles.get());
  // The public pages (/, /seal/CODE, the GS1 Digital Link form, ...): public_pages.h.
  daemon.http_pages = std::make_unique<http::PublicPages>(
      http::PublicPages::Options{
          .cache_max_age = absl::Seconds(options.http_cache_max_age_s),
          .witness_policy = daemon.cosigning != nullptr
                                ? daemon.cosigning->policy().FormatForVerifiers()
                                : std::string()},
      daemon.http_caller.get());
  daemon.http_pages->Register(daemon.http_router);
}

// The HTTP server's settings: TLS and the request limits as for gRPC, and at most as many
// connections as the open-file limit leaves room for.
http::HttpServerOptions HttpServerOptionsFrom(const DaemonOptions& options,
                                              const service::ServerOptions& server_options) {
  http::HttpServerOptions http_options;
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
  return http_options;
}

// --http-listen: the HTTP front, once the gRPC server it calls in process serves.
std::optional<int> StartHttpFront(const DaemonOptions& options,
                                  const service::ServerOptions& server_options, Daemon& daemon) {
  if (options.http_listen.empty()) return std::nullopt;
  RouteHttp(options, server_options, daemon);
  absl::StatusOr<std::unique_ptr<http::HttpServer>> started =
      http::HttpServer::Start(HttpServerOptionsFrom(options, server_options), &daemon.http_router,
                              daemon.http_limiter.get());
  if (!started.ok()) return Fail("http_listen_failed", started.status().message());
  daemon.http_server = *std::move(started);
  LogInfo("http_listening", {{"address", daemon.http_server->address()},
                             {"url", absl::StrCat(options.tls_cert.empty() ? "http://" : "https://",
                                                  daemon.http_server->address(), "/")}});
  if (!options.client_ca.empty()) {
    LogWarning("http_client_certificates",
               {{"message",
                 "--client-ca applies to gRPC only: HTTP clients are not asked for "
                 "certificates (tokens authenticate them)"}});
  }
  if (const std::string& path = options.http_address_file; !path.empty()) {
    if (absl::Status status = storage::WriteAddressFile(path, daemon.http_server->address());
        !status.ok()) {
      daemon.http_server.reset();  // before the handlers it dispatches to go
      return Fail("address_file_failed", status.message());
    }
  }
  return std::nullopt;
}

// Starts signing and serving: the witnesses' collector, the call path, the metrics, the
// gRPC server and the HTTP front; then writes --address-file.
std::optional<int> Serve(const DaemonOptions& options, const service::ServerOptions& server_options,
                         Daemon& daemon) {
  daemon.log->Start();
  if (std::optional<int> failed = StartCosigning(options, daemon)) return failed;
  MakeCallPath(options, daemon);
  if (std::optional<int> failed = StartMetricsServer(options, daemon)) return failed;
  if (!options.http_listen.empty()) {
    daemon.http_front_key = absl::BytesToHexString(domain::RandomBytes(16));
  }
  if (std::optional<int> failed = StartGrpcServer(options, server_options, daemon)) {
    return failed;
  }
  if (std::optional<int> failed = StartHttpFront(options, server_options, daemon)) {
    return failed;
  }
  if (const std::string& path = options.address_file; !path.empty()) {
    if (absl::Status status = storage::WriteAddressFile(path, daemon.server->address());
        !status.ok()) {
      return Fail("address_file_failed", status.message());
    }
  }
  return std::nullopt;
}

void WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  LogInfo("shutting_down", {{"signal", strsignal(signal_number)}});
}

// Stops in the order that lets every call in flight finish and every event be signed.
void Shutdown(const DaemonOptions& options, Daemon& daemon) {
  daemon.ledger->Close();  // ends watches and the signer's waits
  // HTTP: no new connections; the gRPC shutdown then ends the calls it made in process
  // (each answers its client), and the HTTP server stops before the services go.
  if (daemon.http_server != nullptr) daemon.http_server->StopAccepting();
  daemon.server->Shutdown(absl::Seconds(options.shutdown_grace_seconds));
  daemon.metrics_server.reset();
  if (daemon.http_server != nullptr) daemon.http_server->Stop(absl::Seconds(5));
  daemon.http_server.reset();
  daemon.http_api.reset();
  daemon.http_tiles.reset();
  daemon.http_caller.reset();
  daemon.server.reset();
  if (daemon.cosigning != nullptr) daemon.cosigning->Stop();
  daemon.log->Stop();  // signs what the last calls committed
  daemon.log.reset();
  const storage::Ledger::CommitCounts commits = daemon.ledger->commit_counts();
  LogInfo("commits", {{"writes_acknowledged", absl::StrCat(commits.changes)},
                      {"fsyncs", absl::StrCat(commits.groups)}});
  daemon.ledger.reset();
  daemon.store.reset();  // closes RocksDB cleanly
  LogInfo("stopped");
}

int Run(int argc, char** argv) {
  // Debian's abseil is built without NDEBUG, so every absl::Mutex (gRPC's too) would run
  // the deadlock detector: about 7 % of a VerifySeal's instructions (callgrind).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  service::RouteGrpcLogsHere();
  DaemonOptions options;
  if (std::optional<int> exit_code = ParseFlags(argc, argv, options)) return *exit_code;
  std::optional<service::ServerOptions> server_options = LoadServerOptions(options);
  if (!server_options.has_value()) return 1;
  const sigset_t signals = BlockStopSignals();
  Daemon daemon;
  if (std::optional<int> failed = Open(options, daemon)) return *failed;
  if (!options.issue_admin_token.empty()) return IssueAdminTokenAndStop(options, daemon);
  if (std::optional<int> failed = Serve(options, *server_options, daemon)) return *failed;
  WaitForStopSignal(signals);
  Shutdown(options, daemon);
  return 0;
}

}  // namespace
}  // namespace sello::sellod

int main(int argc, char** argv) {
  // Nothing below should throw; if the standard library does (e.g. out of memory), say
  // so plainly rather than abort with a core dump.
  try {
    return sello::sellod::Run(argc, argv);
  } catch (const std::exception& error) {
    return sello::sellod::Fail("fatal", error.what());
  }
}
