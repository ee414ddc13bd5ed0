// What every handler shares: the store, the ledger and the authenticator, and Serve(),
// which admits the caller, runs the handler body and translates its status.
#ifndef SELLO_DAEMON_SERVICE_CALL_H_
#define SELLO_DAEMON_SERVICE_CALL_H_

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
#include "daemon/service/admission.h"
#include "daemon/service/auth.h"
#include "daemon/service/call_log.h"
#include "daemon/service/call_timer.h"
#include "daemon/service/metrics.h"
#include "daemon/service/status_map.h"
#include "storage/ledger.h"
#include "storage/read_deadline.h"
#include "storage/store.h"

namespace sello::service {

struct Registry {
  storage::Store* store;
  storage::Ledger* ledger;
  const Authenticator* auth;
  Metrics* metrics;         // may be null
  const CallLog* call_log;  // may be null: no access log, server errors still logged
  Admission* admission;     // may be null: no admission limits
  // Answers writes still waiting at their deadline, or `default_deadline` after they
  // began when the client set none. May be null: writes wait as long as they take.
  CallTimer* timer;
  absl::Duration default_deadline;
  domain::RequestLimits limits = {};
  // How long the association has to decide an appeal, from its filing
  // (--appeal-deadline-days).
  absl::Duration appeal_deadline = domain::kDefaultAppealDeadline;
};

// "/sello.v1.TokenService/CreateToken" from the service's full name and the method.
inline std::string MethodName(absl::string_view service_full_name, absl::string_view method) {
  return absl::StrCat("/", service_full_name, "/", method);
}

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

// Admits the caller of `method`, then runs `body(caller)`, where caller is the
// principal or nullptr for an anonymous public call.
template <typename Body>
grpc::Status Serve(const Registry& registry, grpc::ServerContextBase* context,
                   absl::string_view method, Body&& body) {
  const absl::Time start = absl::Now();
  // A call the client reset before it got here costs nothing more (HTTP/2 stream churn).
  if (context->IsCancelled()) return grpc::Status::CANCELLED;
  // Long scans stop at the call's deadline, or at the server's default when the client
  // set none (streams such as WatchEvents set their own pace and are not bounded).
  const storage::ScopedReadDeadline read_deadline(CallDeadline(registry, *context, start));
  absl::StatusOr<std::optional<domain::Principal>> caller = registry.auth->Admit(*context, method);
  const domain::Principal* principal = caller.ok() && caller->has_value() ? &**caller : nullptr;
  const absl::Status status = caller.ok() ? body(principal) : caller.status();
  return FinishCall(registry, method, principal, context->peer(), start, status);
}

// Serve for a callback-API method that answers at once (a read): the handler runs on
// the gRPC thread that received the call, with no hand-over to a synchronous-API
// thread (for the hottest reads, e.g. VerifySeal).
template <typename Body>
grpc::ServerUnaryReactor* ServeNow(const Registry& registry, grpc::CallbackServerContext* context,
                                   absl::string_view method, Body&& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Serve(registry, context, method, std::forward<Body>(body)));
  return reactor;
}

// For callback-API methods that end in a ledger change: admits the caller of `method`,
// then runs `body(caller, done)`, which either returns a status (the call finishes
// now with it) or hands `done` to Ledger::ApplyAsync and returns nullopt (the call
// finishes when the change is durable). No gRPC thread waits for the fsync.
template <typename Body>
grpc::ServerUnaryReactor* ServeWrite(const Registry& registry, grpc::CallbackServerContext* context,
                                     absl::string_view method, Body&& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time start = absl::Now();
  // The write's slot among those in flight, held until it is answered; taken first, so
  // that a flood is turned away before any work (even the token lookup) is done for it.
  std::shared_ptr<Admission::Ticket> ticket;
  absl::Status admitted;
  if (registry.admission != nullptr) {
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
  // Answered once: by the ledger, or by the timer at the deadline, whichever comes first.
  struct Answer {
    std::atomic<bool> given{false};
    std::atomic<CallTimer::Id> timer_id{0};
  };
  auto answer = std::make_shared<Answer>();
  const auto finish = [reactor, registry, name = std::string(method), peer = context->peer(),
                       principal, start, ticket, answer](const absl::Status& status) {
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

#endif  // SELLO_DAEMON_SERVICE_CALL_H_
