// sello-load's HTTP scenarios, against sellod's HTTP front (--http-listen): VerifySeal as
// a Connect JSON POST over keep-alive HTTP/1.1 connections (one request in flight each,
// as HTTP/1.1 allows), measured like the gRPC scenarios; and idle connections held open,
// for the front's memory per connection.
#ifndef SELLO_TESTS_BENCH_LOAD_HTTP_LOAD_H_
#define SELLO_TESTS_BENCH_LOAD_HTTP_LOAD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/bench/load/read_workloads.h"
#include "tests/bench/load/stats.h"

namespace sello::load {

struct HttpLoadOptions {
  std::string server;  // HOST:PORT of the HTTP front (IPv4)
  int connections = 64;
  double duration_seconds = 5;
  double warmup_seconds = 1;
  // GET /seal/CODE (the HTML seal page, with its proof) instead of the JSON POST.
  bool seal_page = false;
};

// POST /sello.v1.SealService/VerifySeal with one random code per request (known codes
// mixed with unknown ones as `verify` says), each answer checked like the gRPC scenario's;
// or, with `seal_page`, GET /seal/CODE, each page checked for its verdict (404 and
// "not-found" for an unknown code).
absl::StatusOr<Report> RunHttpVerify(const HttpLoadOptions& options, const VerifyOptions& verify);

// Opens `connections` connections, makes one GetCheckpoint on each (so that each is a
// served keep-alive connection), then holds them idle for `hold_seconds`. The report
// counts the connections served (calls) and those refused or closed (errors).
absl::StatusOr<Report> HoldIdleConnections(const HttpLoadOptions& options, double hold_seconds);

// GET `path` (e.g. a full tile, "/tile/0/000") over keep-alive connections, one request in
// flight each; an answer that is not 200 with `expected_bytes` of body (when > 0) fails.
absl::StatusOr<Report> RunHttpGet(const HttpLoadOptions& options, const std::string& path,
                                  size_t expected_bytes);

// Cosigned freshness (sellod --witness-policy): `samples` times, creates an organisation
// (gRPC, `token` an ADMIN's) and, once the write is acknowledged, asks for its inclusion
// proof every `poll` until the checkpoint served (cosigned by the witness quorum) covers
// it. Each latency is from the acknowledgement to the first proof that succeeds.
absl::StatusOr<Report> RunCosignFreshness(const std::string& grpc_server, const std::string& token,
                                          int samples, absl::Duration poll, absl::Duration timeout);

// Raises this process's open-file limit to its hard limit (for thousands of sockets).
void RaiseOpenFileLimit();

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_HTTP_LOAD_H_
