// `sello-load raw`: the same fixed serialised request sent to any unary gRPC method with
// the generic stub, so the floor, etcd and sellod are driven by one client.
#ifndef SELLO_TESTS_BENCH_LOAD_RAW_WORKLOAD_H_
#define SELLO_TESTS_BENCH_LOAD_RAW_WORKLOAD_H_

#include <memory>
#include <string>

#include "tests/bench/load/runner.h"

namespace sello::load {

// Each call sends `request` (serialised bytes) to `method` ("/pkg.Service/Method"); any
// non-OK status is counted.
std::unique_ptr<Workload> NewRawWorkload(const LoadOptions& load, std::string method,
                                         const std::string& request);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_RAW_WORKLOAD_H_
