// sellod's command line: its flags (with their --help text), the checks across them,
// and the gRPC server settings they make. Used by daemon/main.cc only.
#ifndef SELLO_DAEMON_SELLOD_FLAGS_H_
#define SELLO_DAEMON_SELLOD_FLAGS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/limits.h"
#include "daemon/server/server_options.h"

namespace sello::sellod {

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
  // Witnesses (daemon/tlog/cosignature_collector.h): off when the policy is empty.
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

// Logs a failure to start as an error line (and, at a terminal, in plain words on
// stderr). Returns 1, sellod's exit code for it (usage errors add 1: 2).
int Fail(absl::string_view event, absl::string_view message);

// Parses the command line (and the --config file) into `options`, then checks the flags
// together and fills in their defaults. Returns the exit code when sellod should stop
// here (--help: 0; a usage error: 2, logged), nullopt when it should go on.
std::optional<int> ParseFlags(int argc, char** argv, DaemonOptions& options);

// The gRPC server's settings from `options`, with the TLS files read and checked before
// anything is created (gRPC would only fail to listen, after the data dir, the store, the
// log's key and admin.token were made, and say nothing of why). nullopt when a file is
// unreadable or invalid (logged).
std::optional<service::ServerOptions> LoadServerOptions(const DaemonOptions& options);

}  // namespace sello::sellod

#endif  // SELLO_DAEMON_SELLOD_FLAGS_H_
