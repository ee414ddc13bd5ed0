#include "tests/bench/load/bench_messages.h"

#include "absl/time/time.h"
#include "daemon/domain/time_convert.h"
#include "tests/bench/proto/etcd_kv.pb.h"

namespace sello::load {
namespace {

// The size of a message holding only a bytes field (number 1) of `payload` bytes.
size_t PaddedSize(size_t payload) {
  if (payload == 0) return 0;
  size_t varint = 1;
  for (size_t rest = payload >> 7; rest != 0; rest >>= 7) ++varint;
  return 1 + varint + payload;
}

// The longest payload whose padded message is at most `bytes`.
size_t PayloadFor(size_t bytes) {
  size_t payload = bytes;
  while (payload > 0 && PaddedSize(payload) > bytes) --payload;
  return payload;
}

}  // namespace

v1::VerifySealRequest TypicalVerifySealRequest() {
  v1::VerifySealRequest request;
  request.add_codes("CSCS-7KQ2-M9XD-3WPA-B");
  return request;
}

v1::VerifySealResponse TypicalVerifySealResponse() {
  const absl::Time issued = absl::FromUnixSeconds(1'790'000'000);
  v1::VerifySealResponse response;
  v1::SealVerdict* verdict = response.add_verdicts();
  verdict->set_code("CSCS-7KQ2-M9XD-3WPA-B");
  v1::Seal* seal = verdict->mutable_seal();
  seal->set_code("CSCS-7KQ2-M9XD-3WPA-B");
  seal->set_lot_id("lot-ca7u5cs9m3");
  seal->set_inspection_id("insp-k3m9x2a7qp");
  seal->set_firm_id("salmones-calbuco");
  seal->set_firm_name("Salmones Calbuco S.A.");
  seal->set_site_id("salmones-calbuco-pp");
  seal->set_site_name("Planta Calbuco");
  seal->set_certifier_id("certificadora-austral");
  seal->set_standard_id("CSCS");
  seal->set_standard_version(2);
  seal->set_grade(v1::PREMIUM);
  *seal->mutable_issue_time() = domain::ToProto(issued + absl::Nanoseconds(123'456'789));
  *seal->mutable_expire_time() = domain::ToProto(issued + absl::Hours(24 * 540));
  seal->set_status(v1::Seal::VALID);
  seal->set_issuance_id("iss-p4w8z2n6ka");
  seal->set_position(4321);
  return response;
}

bench::EchoRequest EchoRequestOfSize(size_t bytes) {
  bench::EchoRequest request;
  request.set_payload(std::string(PayloadFor(bytes), 'q'));
  return request;
}

bench::EchoResponse EchoResponseOfSize(size_t bytes) {
  bench::EchoResponse response;
  response.set_payload(std::string(PayloadFor(bytes), 'a'));
  return response;
}

std::string EtcdRangeRequest(const std::string& key, const std::string& range_end, int64_t limit,
                             bool serializable) {
  etcdserverpb::RangeRequest request;
  request.set_key(key);
  request.set_range_end(range_end);
  request.set_limit(limit);
  request.set_serializable(serializable);
  return request.SerializeAsString();
}

std::string EtcdPutRequest(const std::string& key, size_t value_size) {
  etcdserverpb::PutRequest request;
  request.set_key(key);
  request.set_value(std::string(value_size, 'v'));
  return request.SerializeAsString();
}

}  // namespace sello::load
