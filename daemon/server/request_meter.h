// Measures each request as it arrives (its message and its header set) for the handler
// that serves it. Debian's gRPC 1.51 refuses a request over its own size limits inside its
// transport, before any handler, access log or metric sees it; so sellod sets gRPC's limits
// above its own (--max-message-kb, --max-metadata-kb: see server_options.h) and
// Serve refuses, naming the flag, what exceeds its own, logged and counted like any call.
//
// The meter is a server interceptor. gRPC runs a method's handler inside the interceptor's
// Proceed() on the same thread (C++ API, synchronous and callback methods alike), so the
// size is kept in a thread-local for exactly that long: CurrentRequestSize().
#ifndef SELLO_DAEMON_SERVER_REQUEST_METER_H_
#define SELLO_DAEMON_SERVER_REQUEST_METER_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <optional>

#include "daemon/domain/request_size.h"

namespace sello::service {

// The size of the request whose handler runs on this thread; nullopt outside a handler or
// when the meter is not installed.
std::optional<domain::RequestSize> CurrentRequestSize();

// For ServerBuilder::experimental().SetInterceptorCreators.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestMeterFactory();

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_REQUEST_METER_H_
