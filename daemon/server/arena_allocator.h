// Request and response of a callback-API call on one protobuf Arena: their many small
// parts (a VerifySeal answer of 1,000 seals has tens of thousands) come from a few blocks
// and are freed at once when the call ends, instead of one malloc and free each.
#ifndef SELLO_DAEMON_SERVER_ARENA_ALLOCATOR_H_
#define SELLO_DAEMON_SERVER_ARENA_ALLOCATOR_H_

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

namespace sello::service {

// Set on a method with the generated SetMessageAllocatorFor_<Method>; must outlive the
// server. Thread-safe (every call gets its own arena).
template <typename Request, typename Response>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder(); }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions options;
      options.start_block_size = 2 << 10;  // a one-code call fits
      options.max_block_size = 256 << 10;  // a 1,000-code answer takes a few blocks
      return options;
    }
    google::protobuf::Arena arena_;
  };
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_ARENA_ALLOCATOR_H_
