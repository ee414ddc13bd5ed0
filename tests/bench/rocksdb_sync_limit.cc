// rocksdb_sync_limit: the ceiling for durable writes on this disk, straight into RocksDB
// with no gRPC and no Sello code in the way. N threads each write WriteBatches of the size
// of one SubmitInspection's commit (--puts puts of --value-bytes values) with
// WriteOptions::sync = true into a fresh database, for --duration seconds. RocksDB groups
// concurrent writers on its WAL (one leader writes and syncs for the group), so this is the
// concurrent sync-write limit that sellod's group commit is measured against.
//   rocksdb_sync_limit [--dir PARENT] [--threads 16] [--puts 60] [--value-bytes 100]
//       [--duration 5] [--warmup 1] [--json FILE]
// The database is made in a new directory under --dir (default: the system temp dir) and
// removed afterwards unless --keep. Prints writes/s, puts/s, latency percentiles, WAL syncs
// and write groups (RocksDB statistics), and writes the same as JSON in sello-load's
// format ({"ok": ..., "reports": [{...}]}) so that run.sh reads both alike.
// Exit status: 0 when every write succeeded, 1 otherwise, 2 for a usage error.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::string dir;
  int threads = 16;
  int puts = 60;
  size_t key_bytes = 24;
  size_t value_bytes = 100;
  double duration_seconds = 5;
  double warmup_seconds = 1;
  std::string json_file;
  bool keep = false;
};

// What one writer thread recorded in the measured window.
struct WriterResult {
  std::vector<int64_t> latencies_ns;
  int64_t failures = 0;
  std::string first_error;
};

// The shape of the figures sello-load reports, plus the WAL's own counters.
struct Summary {
  double seconds = 0;
  int64_t writes = 0;
  int64_t failures = 0;
  std::string first_error;
  int64_t p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  uint64_t wal_syncs = 0;     // rocksdb.wal.synced in the measured window
  uint64_t write_groups = 0;  // rocksdb.write.self: writes done by a group's leader
  uint64_t wal_bytes = 0;     // rocksdb.wal.bytes
  size_t batch_bytes = 0;     // WriteBatch::GetDataSize() of one write
};

// Keys are fixed-width and increasing per thread, as sellod's big-endian keys are; the
// value bytes are random so that nothing compresses away.
std::string Key(int thread, int64_t write, int put, size_t width) {
  char head[48];
  const int n = std::snprintf(head, sizeof(head), "%03d/%012lld/%03d", thread,
                              static_cast<long long>(write), put);
  std::string key(head, static_cast<size_t>(std::max(n, 0)));
  key.resize(std::max(width, key.size()), '.');
  return key;
}

void FillBatch(rocksdb::WriteBatch& batch, const Flags& flags, int thread, int64_t write,
               const std::string& values) {
  batch.Clear();
  for (int put = 0; put < flags.puts; ++put) {
    const size_t offset = (static_cast<size_t>(write) * 7919 + static_cast<size_t>(put) * 131) %
                          (values.size() - flags.value_bytes);
    batch
        .Put(Key(thread, write, put, flags.key_bytes),
             rocksdb::Slice(values.data() + offset, flags.value_bytes))
        .PermitUncheckedError();
  }
}

// Nearest rank: the smallest latency with at least p of the writes at or below it.
int64_t Rank(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto n = static_cast<double>(sorted.size());
  const auto index = static_cast<size_t>(std::max(1.0, std::ceil(p * n))) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

double Millis(int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool WriteJson(const std::string& path, const Flags& flags, const Summary& s,
               const std::string& db_dir) {
  const double writes_per_second = s.seconds > 0 ? static_cast<double>(s.writes) / s.seconds : 0;
  char body[2048];
  std::snprintf(
      body, sizeof(body),
      "{\n  \"ok\": %s,\n  \"reports\": [{\n"
      "    \"scenario\": \"rocksdb-sync-limit\",\n"
      "    \"connections\": %d,\n    \"in_flight\": 1,\n    \"seconds\": %.6f,\n"
      "    \"calls\": %lld,\n    \"items\": %lld,\n"
      "    \"calls_per_second\": %.3f,\n    \"items_per_second\": %.3f,\n"
      "    \"latency_ms\": {\"p50\": %.6f, \"p99\": %.6f, \"p99_9\": %.6f, \"max\": %.6f},\n"
      "    \"puts_per_write\": %d,\n    \"value_bytes\": %zu,\n    \"batch_bytes\": %zu,\n"
      "    \"wal_syncs\": %llu,\n    \"write_groups\": %llu,\n    \"wal_bytes\": %llu,\n"
      "    \"writes_per_sync\": %.3f,\n",
      s.failures == 0 ? "true" : "false", flags.threads, s.seconds,
      static_cast<long long>(s.writes), static_cast<long long>(s.writes) * flags.puts,
      writes_per_second, writes_per_second * flags.puts, Millis(s.p50_ns), Millis(s.p99_ns),
      Millis(s.p999_ns), Millis(s.max_ns), flags.puts, flags.value_bytes, s.batch_bytes,
      static_cast<unsigned long long>(s.wal_syncs), static_cast<unsigned long long>(s.write_groups),
      static_cast<unsigned long long>(s.wal_bytes),
      s.wal_syncs > 0 ? static_cast<double>(s.writes) / static_cast<double>(s.wal_syncs) : 0.0);
  std::string json = body;
  json += "    \"dir\": " + JsonString(db_dir) + ",\n    \"errors\": {";
  if (s.failures > 0) json += "\"WRITE_FAILED\": " + std::to_string(s.failures);
  json += "},\n    \"first_error\": {";
  if (s.failures > 0) json += "\"WRITE_FAILED\": " + JsonString(s.first_error);
  json += "},\n    \"notes\": []\n  }]\n}\n";
  std::ofstream out(path, std::ios::trunc);
  out << json;
  return static_cast<bool>(out);
}

// A fresh directory under `parent` for the database.
std::string MakeDatabaseDir(const std::string& parent) {
  std::error_code error;
  const std::filesystem::path base =
      parent.empty() ? std::filesystem::temp_directory_path(error) : std::filesystem::path(parent);
  std::filesystem::create_directories(base, error);
  std::string pattern = (base / "rocksdb-sync-limit-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

rocksdb::Options DatabaseOptions(const std::shared_ptr<rocksdb::Statistics>& statistics) {
  // The write-path settings of sellod's store (storage/rocks_store.cc), so that the limit
  // is the one sellod works under.
  rocksdb::Options db;
  db.create_if_missing = true;
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  db.max_total_wal_size = 64 << 20;
  db.db_write_buffer_size = 64 << 20;
  db.write_buffer_size = 16 << 20;
  db.level_compaction_dynamic_level_bytes = true;
  db.statistics = statistics;
  return db;
}

int Run(int argc, char** argv) {
  Flags flags;
  CLI::App app{
      "rocksdb_sync_limit: concurrent sync=true WriteBatches straight into RocksDB, the "
      "ceiling for durable writes on this disk"};
  app.add_option("--dir", flags.dir,
                 "parent directory of the fresh database (same filesystem as the daemon's "
                 "data dir; default: the system temp dir)");
  app.add_option("--threads", flags.threads, "concurrent writers")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--puts", flags.puts, "puts per WriteBatch (one SubmitInspection: ~60)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  app.add_option("--key-bytes", flags.key_bytes, "bytes of each key")
      ->capture_default_str()
      ->check(CLI::Range(20, 1024));
  app.add_option("--value-bytes", flags.value_bytes, "bytes of each value")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--duration", flags.duration_seconds, "seconds measured after the warm-up")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", flags.warmup_seconds, "seconds of writes not recorded first")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--json", flags.json_file, "also write the report as JSON to this file");
  app.add_flag("--keep", flags.keep, "keep the database directory afterwards");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }

  const std::string db_dir = MakeDatabaseDir(flags.dir);
  if (db_dir.empty()) {
    std::fprintf(stderr, "rocksdb_sync_limit: cannot create a directory under %s\n",
                 flags.dir.empty() ? "the temp dir" : flags.dir.c_str());
    return 1;
  }
  std::shared_ptr<rocksdb::Statistics> statistics = rocksdb::CreateDBStatistics();
  rocksdb::DB* raw_db = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(DatabaseOptions(statistics), db_dir, &raw_db);
  if (!opened.ok()) {
    std::fprintf(stderr, "rocksdb_sync_limit: cannot open %s: %s\n", db_dir.c_str(),
                 opened.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);

  std::string values(1 << 20, '\0');
  {
    std::mt19937_64 random(42);
    for (char& c : values) c = static_cast<char>(random());
  }
  if (values.size() <= flags.value_bytes) values.resize(flags.value_bytes * 2 + 1, 'v');

  Summary summary;
  {
    rocksdb::WriteBatch batch;
    FillBatch(batch, flags, 0, 0, values);
    summary.batch_bytes = batch.GetDataSize();
  }

  const Clock::time_point start = Clock::now();
  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  const Clock::time_point measure_from = start + to_duration(flags.warmup_seconds);
  const Clock::time_point stop_at = measure_from + to_duration(flags.duration_seconds);
  std::vector<WriterResult> results(static_cast<size_t>(flags.threads));
  std::vector<Clock::time_point> last_completion(results.size(), measure_from);
  std::atomic<bool> failed_open{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < flags.threads; ++t) {
    writers.emplace_back([&, t] {
      WriterResult& result = results[static_cast<size_t>(t)];
      rocksdb::WriteBatch batch;
      rocksdb::WriteOptions options;
      options.sync = true;
      for (int64_t write = 0;; ++write) {
        FillBatch(batch, flags, t, write, values);
        const Clock::time_point began = Clock::now();
        if (began >= stop_at) break;
        const rocksdb::Status status = db->Write(options, &batch);
        const Clock::time_point done = Clock::now();
        if (began < measure_from) continue;
        result.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(done - began).count());
        last_completion[static_cast<size_t>(t)] = done;
        if (!status.ok()) {
          if (result.failures++ == 0) result.first_error = status.ToString();
          failed_open.store(true);
          break;  // a failed sync leaves RocksDB read-only: every later write fails too
        }
      }
    });
  }
  // The WAL counters are read at the edges of the measured window.
  std::this_thread::sleep_until(measure_from);
  const uint64_t syncs_before = statistics->getTickerCount(rocksdb::WAL_FILE_SYNCED);
  const uint64_t groups_before = statistics->getTickerCount(rocksdb::WRITE_DONE_BY_SELF);
  const uint64_t bytes_before = statistics->getTickerCount(rocksdb::WAL_FILE_BYTES);
  for (std::thread& writer : writers) writer.join();
  summary.wal_syncs = statistics->getTickerCount(rocksdb::WAL_FILE_SYNCED) - syncs_before;
  summary.write_groups = statistics->getTickerCount(rocksdb::WRITE_DONE_BY_SELF) - groups_before;
  summary.wal_bytes = statistics->getTickerCount(rocksdb::WAL_FILE_BYTES) - bytes_before;

  std::vector<int64_t> latencies;
  Clock::time_point last = measure_from;
  for (size_t i = 0; i < results.size(); ++i) {
    WriterResult& result = results[i];
    latencies.insert(latencies.end(), result.latencies_ns.begin(), result.latencies_ns.end());
    if (result.failures > 0 && summary.failures == 0) summary.first_error = result.first_error;
    summary.failures += result.failures;
    last = std::max(last, last_completion[i]);
  }
  std::sort(latencies.begin(), latencies.end());
  summary.writes = static_cast<int64_t>(latencies.size()) - summary.failures;
  summary.seconds = std::chrono::duration<double>(last - measure_from).count();
  summary.p50_ns = Rank(latencies, 0.50);
  summary.p99_ns = Rank(latencies, 0.99);
  summary.p999_ns = Rank(latencies, 0.999);
  summary.max_ns = latencies.empty() ? 0 : latencies.back();

  const rocksdb::Status closed = db->Close();
  db.reset();
  if (!flags.keep) {
    std::error_code error;
    std::filesystem::remove_all(db_dir, error);
  }

  const double writes_per_second =
      summary.seconds > 0 ? static_cast<double>(summary.writes) / summary.seconds : 0;
  std::printf("%-18s %10s %7s %10s %11s %12s %9s %9s %9s %9s %7s\n", "scenario", "threads",
              "seconds", "writes", "writes/s", "puts/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
              "errors");
  std::printf(
      "%-18s %10d %7.2f %10lld %11.1f %12.1f %9.3f %9.3f %9.3f %9.3f %7lld\n", "rocksdb-sync-limit",
      flags.threads, summary.seconds, static_cast<long long>(summary.writes), writes_per_second,
      writes_per_second * flags.puts, Millis(summary.p50_ns), Millis(summary.p99_ns),
      Millis(summary.p999_ns), Millis(summary.max_ns), static_cast<long long>(summary.failures));
  std::printf(
      "    WriteBatch of %d puts, %zu bytes; %llu WAL syncs and %llu write groups for %lld "
      "writes (%.1f writes per sync); %s%s\n",
      flags.puts, summary.batch_bytes, static_cast<unsigned long long>(summary.wal_syncs),
      static_cast<unsigned long long>(summary.write_groups), static_cast<long long>(summary.writes),
      summary.wal_syncs > 0
          ? static_cast<double>(summary.writes) / static_cast<double>(summary.wal_syncs)
          : 0.0,
      flags.keep ? "kept " : "database in ", db_dir.c_str());
  if (!flags.json_file.empty() && !WriteJson(flags.json_file, flags, summary, db_dir)) {
    std::fprintf(stderr, "rocksdb_sync_limit: cannot write %s\n", flags.json_file.c_str());
    return 1;
  }
  if (summary.failures > 0 || failed_open.load()) {
    std::printf("FAILED: %lld failed writes (first: %s)\n",
                static_cast<long long>(summary.failures), summary.first_error.c_str());
    return 1;
  }
  if (!closed.ok()) {
    std::printf("FAILED: closing the database: %s\n", closed.ToString().c_str());
    return 1;
  }
  std::printf("ok: %lld durable writes, no errors\n", static_cast<long long>(summary.writes));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rocksdb_sync_limit: fatal: %s\n", error.what());
    return 1;
  }
}
