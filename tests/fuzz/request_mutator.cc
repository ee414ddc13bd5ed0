#include "tests/fuzz/request_mutator.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "tests/fuzz/service_world.h"

// libFuzzer's own byte-level mutation, for string contents.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace sello::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kMaxDepth = 6;
constexpr size_t kMaxMutatedString = 128;

// One field of one message: what a mutation changes.
struct Slot {
  Message* message;
  const FieldDescriptor* field;
};

void CollectSlots(Message& message, int depth, std::vector<Slot>& slots) {
  if (depth > kMaxDepth) return;
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    slots.push_back({&message, field});
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        CollectSlots(*reflection->MutableRepeatedMessage(&message, field, j), depth + 1, slots);
      }
    } else if (reflection->HasField(message, field)) {
      CollectSlots(*reflection->MutableMessage(&message, field), depth + 1, slots);
    }
  }
}

template <typename T>
T Pick(std::minstd_rand& random, std::initializer_list<T> values) {
  return *(values.begin() + random() % values.size());
}

// old + delta, wrapping around (signed overflow would be undefined behaviour).
template <typename T>
T Plus(T old, int delta) {
  using Unsigned = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<Unsigned>(old) + static_cast<Unsigned>(delta));
}

template <typename T>
T EdgeInteger(std::minstd_rand& random, T old) {
  using Limits = std::numeric_limits<T>;
  return Pick<T>(
      random, {T(0), T(1), T(2), Plus(old, 1), Plus(old, -1), T(100), T(1000), T(1001),
               Limits::max(), Limits::min(), T(Limits::max() / 2 + 1), static_cast<T>(random())});
}

int64_t Seconds(std::minstd_rand& random, int64_t old) {
  // Around "now" (service_world.h), the calendar's edges, and wherever it was.
  const int64_t day = 86400;
  return Pick<int64_t>(random,
                       {kTimeMarker, kTimeMarker - day, kTimeMarker + day, kTimeMarker - 400 * day,
                        kTimeMarker + 40 * day, 0, -1, -62135596800, 253402300799, 253402300800,
                        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                        Plus(old, 1), Plus(old, -1)});
}

double EdgeDouble(std::minstd_rand& random) {
  using Limits = std::numeric_limits<double>;
  return Pick<double>(random, {0.0, -0.0, 1, -1, 20, 24, 24.000001, 36, 48, 48.5, 1e308, -1e308,
                               Limits::infinity(), -Limits::infinity(), Limits::quiet_NaN(),
                               Limits::denorm_min(), static_cast<double>(random()) / 1000});
}

std::string NewString(const std::vector<std::string>& words, std::minstd_rand& random,
                      const std::string& old) {
  switch (random() % 8) {
    case 0:
    case 1: {  // libFuzzer's byte mutations of the current value
      std::string bytes = old;
      bytes.resize(kMaxMutatedString);
      const size_t size =
          LLVMFuzzerMutate(reinterpret_cast<uint8_t*>(bytes.data()),
                           std::min(old.size(), kMaxMutatedString), kMaxMutatedString);
      bytes.resize(size);
      return bytes;
    }
    case 2:
      return Pick<std::string>(random, {"", std::string(300, 'x'), std::string(5000, 'y'),
                                        std::string("a\0b", 3), "\xff\xfe", "../../etc"});
    default:
      return words.empty() ? std::string() : words[random() % words.size()];
  }
}

// A new value for a singular field (or one element of a repeated one, `index` >= 0).
void SetValue(Message& message, const FieldDescriptor* field, int index,
              const std::vector<std::string>& words, std::minstd_rand& random) {
  const Reflection* r = message.GetReflection();
  const bool repeated = index >= 0;
  const bool seconds = message.GetDescriptor() == google::protobuf::Timestamp::descriptor() &&
                       field->name() == "seconds";
  switch (field->cpp_type()) {
#define SELLO_SET(TYPE, Name, value)                                                           \
  do {                                                                                         \
    const TYPE old =                                                                           \
        repeated ? r->GetRepeated##Name(message, field, index) : r->Get##Name(message, field); \
    (void)old;                                                                                 \
    if (repeated) {                                                                            \
      r->SetRepeated##Name(&message, field, index, value);                                     \
    } else {                                                                                   \
      r->Set##Name(&message, field, value);                                                    \
    }                                                                                          \
  } while (false)
    case FieldDescriptor::CPPTYPE_INT32:
      SELLO_SET(int32_t, Int32, EdgeInteger<int32_t>(random, old));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      SELLO_SET(int64_t, Int64, seconds ? Seconds(random, old) : EdgeInteger<int64_t>(random, old));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      SELLO_SET(uint32_t, UInt32, EdgeInteger<uint32_t>(random, old));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      SELLO_SET(uint64_t, UInt64, EdgeInteger<uint64_t>(random, old));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      SELLO_SET(double, Double, EdgeDouble(random));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      SELLO_SET(float, Float, static_cast<float>(EdgeDouble(random)));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      SELLO_SET(bool, Bool, !old);
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      // Proto3 enums are open: numbers the enum does not name are valid on the wire, and
      // every request's cleaning refuses them (request_hygiene.h); one in a few is one.
      const int count = field->enum_type()->value_count();
      const int number = static_cast<int>(random() % (count + 2)) - 1;
      SELLO_SET(int, EnumValue, number);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      SELLO_SET(std::string, String, NewString(words, random, old));
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
#undef SELLO_SET
  }
}

void MutateSlot(const Slot& slot, const std::vector<std::string>& words, std::minstd_rand& random) {
  Message& message = *slot.message;
  const FieldDescriptor* field = slot.field;
  const Reflection* r = message.GetReflection();
  const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
  if (field->is_repeated()) {
    const int size = r->FieldSize(message, field);
    switch (random() % 4) {
      case 0:
        if (size > 0) {
          r->RemoveLast(&message, field);
          return;
        }
        break;
      case 1:
        if (size > 1) {
          r->SwapElements(&message, field, 0, size - 1);
          return;
        }
        break;
      case 2:
        if (size > 0 && !is_message) {
          SetValue(message, field, static_cast<int>(random() % size), words, random);
          return;
        }
        break;
      default:
        break;
    }
    // Add an element: a copy of an existing message (or an empty one), a new value.
    if (is_message) {
      Message* added = r->AddMessage(&message, field);
      if (size > 0) added->CopyFrom(r->GetRepeatedMessage(message, field, random() % size));
      return;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        r->AddInt32(&message, field, 0);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        r->AddInt64(&message, field, 0);
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        r->AddUInt32(&message, field, 0);
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        r->AddUInt64(&message, field, 0);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        r->AddDouble(&message, field, 0);
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        r->AddFloat(&message, field, 0);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        r->AddBool(&message, field, false);
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        r->AddEnumValue(&message, field, 0);
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        r->AddString(&message, field, "");
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
    SetValue(message, field, size, words, random);
    return;
  }
  if (is_message) {
    if (r->HasField(message, field) && random() % 2 == 0) {
      r->ClearField(&message, field);
    } else {
      r->MutableMessage(&message, field);
    }
    return;
  }
  if (random() % 8 == 0) {
    r->ClearField(&message, field);
    return;
  }
  SetValue(message, field, -1, words, random);
}

}  // namespace

void MutateMessage(Message& message, const std::vector<std::string>& words,
                   std::minstd_rand& random) {
  std::vector<Slot> slots;
  CollectSlots(message, 0, slots);
  if (slots.empty()) return;
  MutateSlot(slots[random() % slots.size()], words, random);
}

}  // namespace sello::fuzz
