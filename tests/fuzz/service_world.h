// The service-handler fuzz target's world: the real services over a real RocksDB store in
// a scratch directory, served in process (no port), with a fixture of organisations,
// tokens for every role, a published standard, a lot, an inspection, seals, a norm and an
// appeal. Requests name the fixture's records through placeholders ("$LOT"), which are
// replaced before a request is sent, so that seeds stay valid across worlds whose
// server-chosen ids differ.
#ifndef SELLO_TESTS_FUZZ_SERVICE_WORLD_H_
#define SELLO_TESTS_FUZZ_SERVICE_WORLD_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sello::fuzz {

// Who calls: the first five are the fixture's tokens and no token at all.
enum class Caller : uint8_t { kAdmin, kCertifier, kFirm, kRegulator, kAnonymous, kUnknownToken };
inline constexpr int kCallers = 6;

// Every RPC the target calls, in the services' declaration order (stable while the protos
// are). The first byte of an input picks one.
const std::vector<const google::protobuf::MethodDescriptor*>& FuzzedMethods();
// "/sello.v1.TokenService/CreateToken".
std::string FullMethodName(const google::protobuf::MethodDescriptor& method);
// The method of that full name (nullptr when it is not fuzzed).
const google::protobuf::MethodDescriptor* FindFuzzedMethod(absl::string_view full_name);
// A new, empty request of `method`'s input type.
std::unique_ptr<google::protobuf::Message> NewRequest(
    const google::protobuf::MethodDescriptor& method);

// Timestamps whose seconds are within kTimeMarkerRange of kTimeMarker mean "now" plus the
// difference when sent: seeds can say "yesterday" and stay valid.
inline constexpr int64_t kTimeMarker = 2'000'000'000;
inline constexpr int64_t kTimeMarkerRange = 400LL * 86400;

// The placeholders requests may use (the fixture sets each).
const std::vector<std::string>& PlaceholderNames();

// One fixture step: `caller` sends `request` (text format, with placeholders) to
// `method`; when `capture` is set, the response field at `field` (a path of field names,
// "token.id"; "codes" takes a repeated field's first element) becomes that placeholder.
struct FixtureStep {
  Caller caller;
  const char* method;
  std::string request;
  const char* capture = nullptr;
  const char* field = nullptr;
};
const std::vector<FixtureStep>& FixtureSteps();
// More requests for the seed corpus: reads and changes of the fixture's records, at
// least one per method.
const std::vector<FixtureStep>& SeedRequests();

// A fuzz input: method index, caller, serialized request.
std::string EncodeInput(const google::protobuf::MethodDescriptor& method, Caller caller,
                        const google::protobuf::Message& request);
// `text` (text format, placeholders as literal strings) parsed as `method`'s request;
// aborts when it does not parse (the tables above are ours).
std::unique_ptr<google::protobuf::Message> ParseRequestText(
    const google::protobuf::MethodDescriptor& method, absl::string_view text);

class ServiceWorld {
 public:
  // Opens a new store in `dir` (which must be empty), starts the services and runs the
  // fixture. Aborts on any failure: without its world the target tests nothing.
  explicit ServiceWorld(const std::string& dir);
  ~ServiceWorld();
  ServiceWorld(const ServiceWorld&) = delete;
  ServiceWorld& operator=(const ServiceWorld&) = delete;

  // Sends `request` (serialized bytes, sent as they are unless placeholders in them had
  // to be replaced) to `method` as `caller`; returns the status and, when OK, the
  // serialized response (a server-streaming call returns its first message).
  grpc::Status Call(const google::protobuf::MethodDescriptor& method, Caller caller,
                    absl::string_view request, std::string* response = nullptr);

  // Replaces placeholders and marked timestamps in `message`; true when it changed.
  bool Substitute(google::protobuf::Message& message) const;

  // Events committed so far: how much the store has grown.
  uint64_t events() const;

 private:
  struct Parts;
  void RunFixture();
  grpc::Status CallUnary(const std::string& name, Caller caller, const std::string& request,
                         std::string* response);
  grpc::Status CallStreaming(const std::string& name, Caller caller, const std::string& request,
                             std::string* response);
  void Authorize(grpc::ClientContext& context, Caller caller) const;

  std::unique_ptr<Parts> parts_;
  std::map<std::string, std::string> placeholders_;
};

}  // namespace sello::fuzz

#endif  // SELLO_TESTS_FUZZ_SERVICE_WORLD_H_
