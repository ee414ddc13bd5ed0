// The messages the load tool sends to servers other than sellod, and the typical sizes
// they imitate: a one-code VerifySeal request and its answer (the floor echoes messages of
// those sizes), and etcd KV Range and Put requests.
#ifndef SELLO_TESTS_BENCH_LOAD_BENCH_MESSAGES_H_
#define SELLO_TESTS_BENCH_LOAD_BENCH_MESSAGES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "sello/v1/seal.pb.h"
#include "tests/bench/proto/floor.pb.h"

namespace sello::load {

// A VerifySeal request for one code of the demo's format ("CSCS-7KQ2-M9XD-3WPA-B").
v1::VerifySealRequest TypicalVerifySealRequest();

// The answer sellod gives for one VALID seal of a demo-like registry: every field a
// verdict carries, with ids of the server's formats and names of the demo's lengths.
v1::VerifySealResponse TypicalVerifySealResponse();

// Echo messages whose serialised size is `bytes` (or the nearest size below it that a
// single bytes field can have).
bench::EchoRequest EchoRequestOfSize(size_t bytes);
bench::EchoResponse EchoResponseOfSize(size_t bytes);

// etcdserverpb.RangeRequest for `key` (or [key, range_end)), serialised.
std::string EtcdRangeRequest(const std::string& key, const std::string& range_end, int64_t limit,
                             bool serializable);

// etcdserverpb.PutRequest of `key` with a value of `value_size` bytes, serialised.
std::string EtcdPutRequest(const std::string& key, size_t value_size);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_BENCH_MESSAGES_H_
