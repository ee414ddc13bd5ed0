// Fuzz target: arbitrary bytes as the serialized request of every RPC, sent to the real
// services over a real RocksDB store (service_world.h). Input: byte 0 picks the method
// (FuzzedMethods()), byte 1 the caller (a token of each role, none, an unknown one), the
// rest is the request. A structure-aware mutator (request_mutator.h) keeps most mutants
// parseable. The world is rebuilt from scratch every so often, so that neither the store
// nor the memory it takes grows without bound over a long run.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "tests/fuzz/request_mutator.h"
#include "tests/fuzz/scratch_dir.h"
#include "tests/fuzz/service_world.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace sello::fuzz {
namespace {

// When to move to a new world: after this many events in its log (some calls' cost grows
// with the store, and so do RocksDB's memtables), or this many inputs.
constexpr uint64_t kMaxEvents = 5'000;
constexpr int kMaxInputs = 5'000;

// A world with its directory (removed after the world is closed).
struct DirAndWorld {
  ScratchDir dir{"service"};
  ServiceWorld world{dir.path()};
};

// The current world, and the next one built (and the last one closed) on other threads:
// building and closing a world take longer than one input may.
class Target {
 public:
  Target() : current_(std::make_unique<DirAndWorld>()) {}

  ServiceWorld& world() {
    ++inputs_;
    const bool worn = current_->world.events() > kMaxEvents || inputs_ > kMaxInputs;
    if (worn && !next_.valid()) {
      next_ = std::async(std::launch::async, [] { return std::make_unique<DirAndWorld>(); });
    }
    if (next_.valid() && next_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      if (retiring_.joinable()) retiring_.join();
      retiring_ = std::thread([old = std::move(current_)]() mutable { old.reset(); });
      current_ = next_.get();
      inputs_ = 0;
    }
    return current_->world;
  }

  // Closes every world, so that none is half built or half closed while the process
  // exits (and LeakSanitizer's check at exit sees what they left behind).
  void Close() {
    if (next_.valid()) next_.get().reset();
    if (retiring_.joinable()) retiring_.join();
    current_.reset();
  }

 private:
  std::unique_ptr<DirAndWorld> current_;
  std::future<std::unique_ptr<DirAndWorld>> next_;
  std::thread retiring_;
  int inputs_ = 0;
};

Target* target = nullptr;

// Strings the mutator puts into requests: the placeholders, the fixture's own ids, and
// the shapes of the subjects, months and codes the API reads.
const std::vector<std::string>& Words() {
  static const auto* words = [] {
    auto* list = new std::vector<std::string>(PlaceholderNames());
    for (const char* word : {"fz-cert",
                             "fz-cert2",
                             "fz-firm",
                             "fz-reg",
                             "fz-site",
                             "association",
                             "TST",
                             "TST@1",
                             "harvest",
                             "H1",
                             "B1",
                             "L1",
                             "processing_plant",
                             "Los Lagos",
                             "CL",
                             "fz-1",
                             "fz-seals",
                             "organisation/fz-firm",
                             "site/fz-site",
                             "standard_version/TST@1",
                             "standard_version/TST@2",
                             "token/x",
                             "2033-01",
                             "2033-12",
                             "1970-01",
                             "9999-12",
                             "standard_version.",
                             "inspection.",
                             "seal.",
                             "Bearer",
                             "TST-0000-0000-0000-0"}) {
      list->push_back(word);
    }
    return list;
  }();
  return *words;
}

}  // namespace
}  // namespace sello::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // -detect_leaks=0 (before the command line's flags, which still win): LeakSanitizer's
  // checks between inputs race the threads that build and close worlds, and gRPC's, and
  // report memory in flight (e.g. inside pthread_getattr_np as a thread starts). Leaks
  // are left to LeakSanitizer's check at exit, which fails the run, once every world
  // is closed.
  static std::vector<char*> args(*argv, *argv + *argc);
  static char no_leak_checks_between_inputs[] = "-detect_leaks=0";
  args.insert(args.begin() + 1, no_leak_checks_between_inputs);
  args.push_back(nullptr);
  *argc = static_cast<int>(args.size()) - 1;
  *argv = args.data();
  // As sellod: Debian's abseil would otherwise run its deadlock detector on every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sello::fuzz::target = new sello::fuzz::Target();
  // On a thread of its own: by the time exit handlers run, the main thread's
  // thread_local objects (the store keeps some) are already destroyed.
  std::atexit([] { std::thread([] { sello::fuzz::target->Close(); }).join(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sello::fuzz;
  if (size < 2) return 0;
  const auto& methods = FuzzedMethods();
  const auto& method = *methods[data[0] % methods.size()];
  const auto caller = static_cast<Caller>(data[1] % kCallers);
  target->world().Call(method, caller,
                       absl::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  using namespace sello::fuzz;
  std::minstd_rand random(seed);
  if (size < 2 || max_size < 2 || random() % 4 == 0) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  const auto& methods = FuzzedMethods();
  switch (random() % 16) {
    case 0:  // another method, the same body
      data[0] = static_cast<uint8_t>(random() % methods.size());
      return size;
    case 1:
    case 2:  // another caller
      data[1] = static_cast<uint8_t>(random() % kCallers);
      return size;
    default:
      break;
  }
  std::unique_ptr<google::protobuf::Message> request =
      NewRequest(*methods[data[0] % methods.size()]);
  if (!request->ParseFromArray(data + 2, static_cast<int>(size - 2))) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  MutateMessage(*request, Words(), random);
  const std::string body = request->SerializeAsString();
  if (body.size() > max_size - 2) return LLVMFuzzerMutate(data, size, max_size);
  std::copy(body.begin(), body.end(), data + 2);
  return body.size() + 2;
}
