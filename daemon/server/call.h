// What every handler shares: the store, the ledger and the authenticator, and Serve(),
// which admits the caller, cleans the request (domain/request_hygiene.h: unknown fields
// discarded; undefined enum values, dates out of bounds and text that hides what it holds
// refused), runs the handler body and translates its status. Every RPC passes its request
// through Serve, ServeNow or ServeWrite: there is no way around the cleaning.
#ifndef SELLO_DAEMON_SERVER_CALL_H_
#define SELLO_DAEMON_SERVER_CALL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/limits.h"
#include "daemon/domain/principal.h"
#include "daemon/domain/request_hygiene.h"
#include "daemon/domain/request_size.h"
#include "daemon/server/access_record.h"
#include "daemon/server/admission.h"
#include "daemon/server/auth.h"
#include "daemon/server/call_timer.h"
#include "daemon/server/metrics.h"
#include "daemon/server/request_meter.h"
#include "daemon/service/status_map.h"
#include "google/protobuf/message.h"
#include "storage/ledger.h"
#include "storage/read_deadline.h"
#include "storage/store.h"

namespace sello::service {

struct Registry {
  storage::Store* store;
  storage::Ledger* ledger;
  const Authenticator* auth;
  Metrics* metrics;                // may be null
  const AccessRecorder* call_log;  // may be null: no access log, server errors still logged
  Admission* admission;            // may be null: no admission limits
  // Answers writes still waiting at their deadline, or `default_deadline` after they
  // began when the client set none. May be null: writes wait as long as they take.
  CallTimer* timer;
  absl::Duration default_deadline;
  domain::RequestLimits limits = {};
  // A random secret shared with sellod's own HTTP front (daemon/http/), which sends it
  // beside the HTTP client's address (kHttpClientAddressKey) on its in-process calls.
  // Empty: no HTTP front; such metadata is never believed.
  std::string http_front_key;
  // What Serve refuses before anything else (request_meter.h): a request's message and
  // header set over --max-message-kb / --max-metadata-kb.
  domain::RequestSizeLimits size_limits = {};
  // How long the association has to decide an appeal, from its filing
  // (--appeal-deadline-days).
  absl::Duration appeal_deadline = domain::kDefaultAppealDeadline;
};

// OK, or RESOURCE_EXHAUSTED naming the flag when the request being served (measured by the
// request meter) is larger than registry.size_limits allow.
inline absl::Status CheckRequestSize(const Registry& registry) {
  const std::optional<domain::RequestSize> size = CurrentRequestSize();
  return size.has_value() ? domain::CheckRequestSize(registry.size_limits, *size)
                          : absl::OkStatus();
}

// "/sello.v1.TokenService/CreateToken" from the service's full name and the method.
inline std::string MethodName(absl::string_view service_full_name, absl::string_view method) {
  return absl::StrCat("/", service_full_name, "/", method);
}

// The metadata keys under which sellod's own HTTP front (daemon/http/) passes the address
// of the HTTP client it calls a service for, and the front's key (Registry::
// http_front_key). The address is believed only on a call that did not come over the
// network (gRPC's in-process transport) and carries the key: a gRPC client that sends
// these is ignored.
inline constexpr char kHttpClientAddressKey[] = "sello-http-client-address";
inline constexpr char kHttpFrontKey[] = "sello-http-front-key";

// Who is at the other end of a call, for the access log and per-address limits: the
// transport's peer ("ipv4:192.0.2.7:53012"), or for a call that sellod's HTTP front makes
// in process on behalf of an HTTP client, that client's address ("http:ipv4:...").
std::string CallerAddress(const Registry& registry, const grpc::ServerContextBase& context);

// Counts, logs and translates the outcome of a call to `method` that began at `start`.
grpc::Status FinishCall(const Registry& registry, absl::string_view method,
                        const domain::Principal* caller, absl::string_view peer, absl::Time start,
                        const absl::Status& status);

// When a call started at `start` must be answered: the client's deadline, or the
// server's default when it set none (no bound when the default is zero).
inline absl::Time CallDeadline(const Registry& registry, const grpc::ServerContextBase& context,
                               absl::Time start) {
  if (context.deadline() != std::chrono::system_clock::time_point::max()) {
    return absl::FromChrono(context.deadline());
  }
  return registry.default_deadline > absl::ZeroDuration() ? start + registry.default_deadline
                                                          : absl::InfiniteFuture();
}

// Cleans `request` in place (domain::CleanRequest) before its handler reads it. gRPC hands
// handlers a const request it owns for the call and does not read again: discarding its
// unknown fields in place is safe and saves a copy on every call.
inline absl::Status CleanRequest(const google::protobuf::Message& request, absl::Time now) {
  return domain::CleanRequest(const_cast<google::protobuf::Message&>(request), now);
}

// Admits the caller of `method`, cleans `request`, then runs `body(caller)`, where caller
// is the principal or nullptr for an anonymous public call.
template <typename Body>
grpc::Status Serve(const Registry& registry, grpc::ServerContextBase* context,
                   absl::string_view method, const google::protobuf::Message& request,
                   Body&& body) {
  const absl::Time start = absl::Now();
  // A call the client reset before it got here costs nothing more (HTTP/2 stream churn).
  if (context->IsCancelled()) return grpc::Status::CANCELLED;
  // Long scans stop at the call's deadline, or at the server's default when the client
  // set none (streams such as WatchEvents set their own pace and are not bounded).
  const storage::ScopedReadDeadline read_deadline(CallDeadline(registry, *context, start));
  if (absl::Status size = CheckRequestSize(registry); !size.ok()) {
    return FinishCall(registry, method, nullptr, context->peer(), start, size);
  }
  absl::StatusOr<std::optional<domain::Principal>> caller = registry.auth->Admit(*context, method);
  const domain::Principal* principal = caller.ok() && caller->has_value() ? &**caller : nullptr;
  absl::Status status = caller.ok() ? CleanRequest(request, start) : caller.status();
  if (status.ok()) status = body(principal);
  return FinishCall(registry, method, principal, CallerAddress(registry, *context), start, status);
}

// Serve for a callback-API method that answers at once (a read): the handler runs on
// the gRPC thread that received the call, with no hand-over to a synchronous-API
// thread (for the hottest reads, e.g. VerifySeal).
template <typename Body>
grpc::ServerUnaryReactor* ServeNow(const Registry& registry, grpc::CallbackServerContext* context,
                                   absl::string_view method,
                                   const google::protobuf::Message& request, Body&& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Serve(registry, context, method, request, std::forward<Body>(body)));
  return reactor;
}

// For callback-API methods that end in a ledger change: admits the caller of `method`,
// then runs `body(caller, done)`, which either returns a status (the call finishes
// now with it) or hands `done` to Ledger::ApplyAsync and returns nullopt (the call
// finishes when the change is durable). No gRPC thread waits for the fsync.
template <typename Body>
grpc::ServerUnaryReactor* ServeWrite(const Registry& registry, grpc::CallbackServerContext* context,
                                     absl::string_view method,
                                     const google::protobuf::Message& request, Body&& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time start = absl::Now();
  // The write's slot among those in flight, held until it is answered; taken first, so
  // that a flood is turned away before any work (even the token lookup) is done for it.
  std::shared_ptr<Admission::Ticket> ticket;
  absl::Status admitted = CheckRequestSize(registry);
  if (admitted.ok() && registry.admission != nullptr) {
    absl::StatusOr<Admission::Ticket> slot = registry.admission->AdmitWrite();
    admitted = slot.status();
    if (slot.ok()) ticket = std::make_shared<Admission::Ticket>(*std::move(slot));
  }
  std::optional<domain::Principal> principal;
  if (admitted.ok()) {
    absl::StatusOr<std::optional<domain::Principal>> caller =
        registry.auth->Admit(*context, method);
    admitted = caller.status();
    if (caller.ok()) principal = *std::move(*caller);
  }
  if (admitted.ok()) admitted = CleanRequest(request, start);
  // Answered once: by the ledger, or by the timer at the deadline, whichever comes first.
  struct Answer {
    std::atomic<bool> given{false};
    std::atomic<CallTimer::Id> timer_id{0};
  };
  auto answer = std::make_shared<Answer>();
  const auto finish = [reactor, registry, name = std::string(method),
                       peer = CallerAddress(registry, *context), principal, start, ticket,
                       answer](const absl::Status& status) {
    if (answer->given.exchange(true)) return;
    reactor->Finish(FinishCall(registry, name, principal.has_value() ? &*principal : nullptr, peer,
                               start, status));
  };
  storage::Ledger::Done done = [finish, answer, timer = registry.timer](absl::Status status) {
    finish(status);
    if (const CallTimer::Id id = answer->timer_id.load(); id != 0) timer->Cancel(id);
  };
  if (!admitted.ok()) {
    done(admitted);
    return reactor;
  }
  std::optional<absl::Status> now = body(principal.has_value() ? &*principal : nullptr, done);
  if (now.has_value()) {
    done(*std::move(now));
  } else if (registry.timer != nullptr) {
    const bool client_deadline =
        context->deadline() != std::chrono::system_clock::time_point::max();
    const absl::Time deadline = CallDeadline(registry, *context, start);
    answer->timer_id = registry.timer->Schedule(
        deadline, [finish, client_deadline, default_deadline = registry.default_deadline] {
          finish(absl::DeadlineExceededError(absl::StrCat(
              "not durable by the ",
              client_deadline ? "call's deadline"
                              : absl::StrCat("server's default deadline of ",
                                             absl::FormatDuration(default_deadline)),
              " (the disk may be stalled); the write may still be committed: retry with the same "
              "request_id")));
        });
    // The ledger may have answered before the timer was set.
    if (answer->given) registry.timer->Cancel(answer->timer_id);
  }
  return reactor;
}

// The bootstrap and other changes the daemon makes on its own behalf.
inline const domain::Principal& DaemonPrincipal() {
  static const domain::Principal principal;
  return principal;
}

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_CALL_H_
