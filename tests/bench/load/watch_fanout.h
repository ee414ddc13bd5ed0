// `sello-load watch`: N watchers on LogService.WatchEvents while a writer submits
// inspections; reports the writer like any scenario and, for the watchers, the events
// delivered per second and each event's delivery latency (its commit time in the log to
// its arrival at a watcher, on the same host clock).
#ifndef SELLO_TESTS_BENCH_LOAD_WATCH_FANOUT_H_
#define SELLO_TESTS_BENCH_LOAD_WATCH_FANOUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/bench/load/runner.h"
#include "tests/bench/load/stats.h"

namespace sello::load {

struct WatchOptions {
  int watchers = 100;
  int connections = 4;  // channels the watchers share
  // The watchers' token. Events it may not read arrive redacted, without a time, and are
  // counted but not timed.
  std::string token;
  double drain_seconds = 10;  // how long watchers may take to catch up after the writer
};

// Starts the watchers at the log's head, runs `writer` with `writer_load`, waits until every
// watcher has the last event written (or the drain time passes: "BEHIND"), then ends the
// watches. Also counted as errors: a gap or a repeat in a watcher's sequence ("GAP") and a
// watch ended by the server with any status.
absl::StatusOr<std::vector<Report>> RunWatchFanout(const LoadOptions& writer_load, Workload& writer,
                                                   const WatchOptions& options);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_WATCH_FANOUT_H_
