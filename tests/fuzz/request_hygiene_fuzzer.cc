// Fuzz target: the cleaning every request gets before its handler
// (daemon/domain/request_hygiene.h), on arbitrary bytes parsed as any RPC's request. Input:
// the service target's (byte 0 picks the method, byte 1 is ignored, the rest is the
// request), so its corpus seeds this one. Properties: no crash; afterwards no unknown
// field is left at any depth; an accepted request has only enum values the schema defines,
// and cleaning it again accepts it unchanged.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "daemon/domain/request_hygiene.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/service_world.h"

namespace sello::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Every message inside `message` has no unknown fields; with `enums`, every enum value is
// one the schema defines.
void CheckClean(const Message& message, bool enums) {
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  SELLO_FUZZ_CHECK(reflection.GetUnknownFields(message).empty(),
                   message.GetDescriptor()->full_name());
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const int count = field->is_repeated() ? reflection.FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        CheckClean(field->is_repeated() ? reflection.GetRepeatedMessage(message, field, i)
                                        : reflection.GetMessage(message, field),
                   enums);
      } else if (enums && field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
        const int value = field->is_repeated() ? reflection.GetRepeatedEnumValue(message, field, i)
                                               : reflection.GetEnumValue(message, field);
        SELLO_FUZZ_CHECK(field->enum_type()->FindValueByNumber(value) != nullptr,
                         field->full_name());
      }
    }
  }
}

}  // namespace
}  // namespace sello::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sello::fuzz;
  if (size < 2) return 0;
  const auto& methods = FuzzedMethods();
  const google::protobuf::MethodDescriptor& method = *methods[data[0] % methods.size()];
  std::unique_ptr<google::protobuf::Message> request = NewRequest(method);
  if (!request->ParseFromArray(data + 2, static_cast<int>(size - 2))) return 0;
  // A fixed "now": the outcome depends on the input alone.
  const absl::Time now = absl::FromUnixSeconds(1'796'000'000);
  const absl::Status status = sello::domain::CleanRequest(*request, now);
  CheckClean(*request, status.ok());
  if (status.ok()) {
    const std::string cleaned = request->SerializeAsString();
    SELLO_FUZZ_CHECK(sello::domain::CleanRequest(*request, now).ok(), "cleaning twice");
    SELLO_FUZZ_CHECK(request->SerializeAsString() == cleaned, "cleaning twice changed it");
  } else {
    SELLO_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, status.ToString());
  }
  return 0;
}
