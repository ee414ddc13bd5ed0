#include "daemon/http/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "daemon/http/connect_api.h"
#include "daemon/server/json_logger.h"

namespace sello::http {

// The headers every answer carries unless its handler chose otherwise. The default
// policy allows nothing at all (an API answer is never a document); pages set their own.
constexpr absl::string_view kDefaultCsp =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

struct HttpServer::ConnectionWatch {
  int fd = -1;
  // Receiving a request (or waiting for one) since `since_ns`; false while a handler
  // has it.
  std::atomic<bool> receiving{true};
  std::atomic<int64_t> since_ns{0};
  bool shut = false;  // guarded by the server's watch_mu_
};

struct HttpServer::Exchange {
  ~Exchange() {
    if (body_reserved > 0) server->body_bytes_.fetch_sub(body_reserved);
  }
  HttpServer* server = nullptr;
  ConnectionWatch* watch = nullptr;
  std::string raw_target;
  HttpRequest request;
  HttpHandler* handler = nullptr;
  bool begun = false;
  bool answered = false;    // a response has been queued
  bool dispatched = false;  // handed to the handler
  int64_t body_reserved = 0;
  HttpResponse response;  // the handler's answer, set before the connection resumes
};

namespace {

int64_t NowNs() { return absl::GetCurrentTimeNanos(); }

// "ipv4:203.0.113.7:51234" / "ipv6:[2001:db8::1]:443", as gRPC names peers.
std::string FormatAddress(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address == nullptr) return "unknown";
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    return absl::StrCat("ipv4:", text, ":", ntohs(v4->sin_port));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    return absl::StrCat("ipv6:[", text, "]:", ntohs(v6->sin6_port));
  }
  return "unknown";
}

// Parses an IP literal (no brackets, no port) into family and 16 bytes.
bool ParseIp(absl::string_view text, int* family, std::array<unsigned char, 16>* bytes) {
  const std::string host(text);
  bytes->fill(0);
  if (inet_pton(AF_INET, host.c_str(), bytes->data()) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), bytes->data()) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

}  // namespace

// libmicrohttpd's callbacks, with access to the server's insides.
struct Callbacks {
  // Called with the raw request target before the library decodes anything; what it
  // returns is the request's context in the calls below (and is always handed back to
  // OnCompleted).
  static void* OnUri(void* self, const char* uri, MHD_Connection* connection) {
    auto* server = static_cast<HttpServer*>(self);
    auto* exchange = new HttpServer::Exchange;
    exchange->server = server;
    exchange->raw_target = uri != nullptr ? uri : "";
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info != nullptr) {
      exchange->watch = static_cast<HttpServer::ConnectionWatch*>(info->socket_context);
    }
    return exchange;
  }

  static MHD_Result OnRequest(void* self, MHD_Connection* connection, const char* /*url*/,
                              const char* method, const char* /*version*/, const char* upload_data,
                              size_t* upload_data_size, void** request_context) {
    auto* server = static_cast<HttpServer*>(self);
    auto* exchange = static_cast<HttpServer::Exchange*>(*request_context);
    if (exchange == nullptr) return MHD_NO;  // never: OnUri made it
    if (!exchange->begun) {
      exchange->begun = true;
      std::optional<HttpResponse> early = server->Begin(*exchange, connection, method);
      if (early.has_value()) {
        return static_cast<MHD_Result>(server->Queue(connection, *exchange, *std::move(early)));
      }
      return MHD_YES;
    }
    if (exchange->answered) {
      *upload_data_size = 0;  // a body after an early answer is read and dropped
      return MHD_YES;
    }
    if (exchange->dispatched) {  // resumed: the handler has answered
      return static_cast<MHD_Result>(
          server->Queue(connection, *exchange, std::move(exchange->response)));
    }
    if (*upload_data_size > 0) {
      const size_t size = *upload_data_size;
      *upload_data_size = 0;
      if (exchange->request.body.size() + size > server->options_.max_body_bytes) {
        return MHD_NO;  // a body over the limit without a Content-Length: close
      }
      const int64_t in_use =
          server->body_bytes_.fetch_add(static_cast<int64_t>(size)) + static_cast<int64_t>(size);
      exchange->body_reserved += static_cast<int64_t>(size);
      if (in_use > static_cast<int64_t>(server->options_.max_body_memory_bytes)) {
        return MHD_NO;  // too many bodies in flight at once: shed this one
      }
      exchange->request.body.append(upload_data, size);
      return MHD_YES;
    }
    server->Dispatch(*exchange, connection);
    return MHD_YES;
  }

  static void OnCompleted(void* /*self*/, MHD_Connection* /*connection*/, void** request_context,
                          MHD_RequestTerminationCode /*reason*/) {
    auto* exchange = static_cast<HttpServer::Exchange*>(*request_context);
    *request_context = nullptr;
    if (exchange == nullptr) return;
    if (HttpServer::ConnectionWatch* watch = exchange->watch; watch != nullptr) {
      watch->since_ns.store(NowNs(), std::memory_order_relaxed);
      watch->receiving.store(true, std::memory_order_release);
    }
    delete exchange;
  }

  static void OnConnection(void* self, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode event) {
    auto* server = static_cast<HttpServer*>(self);
    if (event == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* watch = new HttpServer::ConnectionWatch;
      const MHD_ConnectionInfo* info =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      watch->fd = info != nullptr ? info->connect_fd : -1;
      watch->since_ns = NowNs();
      *socket_context = watch;
      absl::MutexLock lock(&server->watch_mu_);
      server->watches_.insert(watch);
    } else if (event == MHD_CONNECTION_NOTIFY_CLOSED) {
      auto* watch = static_cast<HttpServer::ConnectionWatch*>(*socket_context);
      *socket_context = nullptr;
      if (watch == nullptr) return;
      {
        // The socket is closed after this returns: the reaper never shuts a reused one.
        absl::MutexLock lock(&server->watch_mu_);
        server->watches_.erase(watch);
      }
      delete watch;
    }
  }

  // The library's own messages (bind failures, resource shortages), at most one a
  // second: hostile clients must not flood the log.
  static void OnLog(void* self, const char* format, va_list arguments) {
    auto* server = static_cast<HttpServer*>(self);
    const int64_t second = absl::ToUnixSeconds(absl::Now());
    if (server->last_log_second_.exchange(second) == second) return;
    char message[512];
    std::vsnprintf(message, sizeof(message), format, arguments);
    service::LogWarning("http_server", {{"message", absl::StripTrailingAsciiWhitespace(message)}});
  }
};

std::string HttpServer::ClientAddress(MHD_Connection* connection,
                                      const HttpRequest& request) const {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const sockaddr* peer = info != nullptr ? info->client_addr : nullptr;
  std::string address = FormatAddress(peer);
  if (trusted_.empty() || peer == nullptr) return address;
  const auto is_trusted = [this](int family, const std::array<unsigned char, 16>& bytes) {
    for (const Network& network : trusted_) {
      if (network.family != family) continue;
      int bits = network.prefix_bits;
      bool match = true;
      for (size_t i = 0; bits > 0 && match; ++i, bits -= 8) {
        const unsigned char mask =
            bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
        match = (bytes[i] & mask) == (network.bytes[i] & mask);
      }
      if (match) return true;
    }
    return false;
  };
  std::array<unsigned char, 16> bytes{};
  int family = peer->sa_family;
  if (family == AF_INET) {
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(peer)->sin_addr, 4);
  } else if (family == AF_INET6) {
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr, 16);
  }
  if (!is_trusted(family, bytes)) return address;
  const std::string* forwarded = request.Header("x-forwarded-for");
  if (forwarded == nullptr) return address;
  // The rightmost address that is not one of our proxies is the client (those to its
  // left were written by the client itself and prove nothing).
  std::vector<absl::string_view> hops = absl::StrSplit(*forwarded, ',');
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    absl::string_view text = absl::StripAsciiWhitespace(*hop);
    if (absl::ConsumePrefix(&text, "[")) text = text.substr(0, text.find(']'));
    int hop_family = 0;
    std::array<unsigned char, 16> hop_bytes{};
    if (!ParseIp(text, &hop_family, &hop_bytes)) break;  // garbage: keep the last good one
    address =
        hop_family == AF_INET ? absl::StrCat("ipv4:", text) : absl::StrCat("ipv6:[", text, "]");
    if (!is_trusted(hop_family, hop_bytes)) break;
  }
  return address;
}

size_t HttpServer::ReadHeaders(MHD_Connection* connection, HttpRequest& request) {
  struct HeaderWalk {
    HttpRequest* request;
    size_t bytes = 0;
  } walk{&request};
  MHD_get_connection_values_n(
      connection, MHD_HEADER_KIND,
      [](void* context, MHD_ValueKind, const char* key, size_t key_size, const char* value,
         size_t value_size) -> MHD_Result {
        auto* walk = static_cast<HeaderWalk*>(context);
        walk->bytes += key_size + value_size + 4;
        std::string name = absl::AsciiStrToLower(absl::string_view(key, key_size));
        const absl::string_view text(value != nullptr ? value : "", value_size);
        auto [entry, inserted] = walk->request->headers.try_emplace(std::move(name), text);
        if (!inserted) absl::StrAppend(&entry->second, ", ", text);
        return MHD_YES;
      },
      &walk);
  return walk.bytes;
}

std::optional<HttpResponse> HttpServer::RateLimit(const HttpRequest& request) {
  if (limiter_ == nullptr || !limiter_->enabled()) return std::nullopt;
  const std::string* authorization = request.Header("authorization");
  if (authorization != nullptr && limiter_->IsKnownGoodToken(*authorization)) return std::nullopt;
  const std::optional<absl::Duration> wait = limiter_->Take(
      request.client_address, authorization == nullptr ? RateLimiter::Kind::kAnonymous
                                                       : RateLimiter::Kind::kUnverifiedToken);
  if (!wait.has_value()) return std::nullopt;
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(*wait, absl::Seconds(1))));
  HttpResponse refused = ConnectError(
      absl::StatusCode::kResourceExhausted,
      absl::StrCat("rate limit: too many requests from your address; retry after ", seconds, " s"),
      429);
  refused.SetHeader("Retry-After", absl::StrCat(seconds));
  // Browsers on other sites may read why (public calls answer any origin).
  refused.SetHeader("Access-Control-Allow-Origin", "*");
  refused.SetHeader("Access-Control-Expose-Headers", "Retry-After");
  return refused;
}

std::optional<HttpResponse> HttpServer::Begin(Exchange& exchange, MHD_Connection* connection,
                                              const char* method) {
  HttpRequest& request = exchange.request;
  request.method = method != nullptr ? method : "";
  request.tls = !options_.tls_cert_pem.empty();
  const size_t header_bytes = ReadHeaders(connection, request);
  request.client_address = ClientAddress(connection, request);
  if (header_bytes > options_.max_header_bytes) {
    return ConnectError(
        absl::StatusCode::kResourceExhausted,
        absl::StrCat("request headers: larger than ", options_.max_header_bytes, " bytes"), 431);
  }
  if (exchange.raw_target.size() > options_.max_target_bytes) {
    return ConnectError(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("request target: longer than ", options_.max_target_bytes, " bytes"), 414);
  }
  absl::StatusOr<RequestTarget> target = ParseRequestTarget(exchange.raw_target);
  if (!target.ok()) {
    return ConnectError(absl::StatusCode::kInvalidArgument, target.status().message());
  }
  request.target = *std::move(target);
  if (std::optional<HttpResponse> refused = RateLimit(request); refused.has_value()) {
    return refused;
  }
  exchange.handler = router_->Find(request.target.path);
  if (exchange.handler == nullptr) {
    return ConnectError(absl::StatusCode::kNotFound,
                        absl::StrCat("nothing here: ", request.target.path), 404);
  }
  if (const std::string* length = request.Header("content-length"); length != nullptr) {
    uint64_t bytes = 0;
    if (absl::SimpleAtoi(*length, &bytes) && bytes > options_.max_body_bytes) {
      return ConnectError(absl::StatusCode::kResourceExhausted,
                          absl::StrCat("request body: larger than the registry's limit of ",
                                       options_.max_body_bytes, " bytes"),
                          413);
    }
  }
  return std::nullopt;
}

void HttpServer::Dispatch(Exchange& exchange, MHD_Connection* connection) {
  exchange.dispatched = true;
  if (exchange.watch != nullptr) {
    exchange.watch->receiving.store(false, std::memory_order_release);
  }
  dispatched_.fetch_add(1, std::memory_order_acq_rel);
  MHD_suspend_connection(connection);
  Exchange* raw = &exchange;
  exchange.handler->Handle(exchange.request, [this, raw, connection](HttpResponse response) {
    raw->response = std::move(response);
    MHD_resume_connection(connection);
    dispatched_.fetch_sub(1, std::memory_order_acq_rel);
  });
}

int HttpServer::Queue(MHD_Connection* connection, Exchange& exchange, HttpResponse response) {
  exchange.answered = true;
  if (response.Header("X-Content-Type-Options") == nullptr) {
    response.SetHeader("X-Content-Type-Options", "nosniff");
  }
  if (response.Header("Content-Security-Policy") == nullptr) {
    response.SetHeader("Content-Security-Policy", kDefaultCsp);
  }
  if (response.Header("Referrer-Policy") == nullptr) {
    response.SetHeader("Referrer-Policy", "no-referrer");
  }
  if (response.Header("X-Frame-Options") == nullptr) response.SetHeader("X-Frame-Options", "DENY");
  if (exchange.request.tls) {
    response.SetHeader("Strict-Transport-Security", "max-age=31536000");
  }
  if (response.status >= 100 && response.status < static_cast<int>(responses_.size())) {
    responses_[static_cast<size_t>(response.status)].fetch_add(1, std::memory_order_relaxed);
  }
  MHD_Response* answer = MHD_create_response_from_buffer(response.body.size(), response.body.data(),
                                                         MHD_RESPMEM_MUST_COPY);
  if (answer == nullptr) return MHD_NO;
  for (const auto& [name, value] : response.headers) {
    MHD_add_response_header(answer, name.c_str(), value.c_str());
  }
  const MHD_Result queued =
      MHD_queue_response(connection, static_cast<unsigned>(response.status), answer);
  MHD_destroy_response(answer);
  return queued;
}

absl::StatusOr<std::vector<HttpServer::Network>> HttpServer::ParseTrustedProxies(
    const std::vector<std::string>& entries) {
  std::vector<Network> trusted;
  for (const std::string& entry : entries) {
    Network network;
    absl::string_view text = absl::StripAsciiWhitespace(entry);
    const size_t slash = text.find('/');
    const bool parsed = ParseIp(text.substr(0, slash), &network.family, &network.bytes);
    const int max_bits = network.family == AF_INET ? 32 : 128;
    network.prefix_bits = max_bits;
    if (!parsed || (slash != absl::string_view::npos &&
                    (!absl::SimpleAtoi(text.substr(slash + 1), &network.prefix_bits) ||
                     network.prefix_bits < 0 || network.prefix_bits > max_bits))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--http-trusted-proxies: '", entry, "' is not an IP address or ADDRESS/BITS range"));
    }
    trusted.push_back(network);
  }
  return trusted;
}

namespace {

// Where --http-listen says to listen.
struct ListenAddress {
  sockaddr_storage storage{};
  int family = 0;
  int port = -1;
};

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view listen) {
  ListenAddress address;
  const size_t colon = listen.rfind(':');
  absl::string_view host = colon == absl::string_view::npos ? "" : listen.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  if (host == "localhost") host = "127.0.0.1";
  std::array<unsigned char, 16> bytes{};
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &address.port) || address.port < 0 ||
      address.port > 65535 || !ParseIp(host, &address.family, &bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http-listen: '", listen, "' is not HOST:PORT with HOST an IP address or localhost"));
  }
  if (address.family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(address.port));
    std::memcpy(&v4->sin_addr, bytes.data(), 4);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(address.port));
    std::memcpy(&v6->sin6_addr, bytes.data(), 16);
  }
  return address;
}

// libmicrohttpd's options for `options` (which must stay put while the daemon starts:
// the TLS PEM strings are pointed at, not copied), with `server` as the callbacks' context.
std::vector<MHD_OptionItem> DaemonOptions(HttpServerOptions& options, sockaddr_storage* address,
                                          void* server) {
  // The connection's memory pool holds the request line and headers (and the answer's
  // headers), and the library touches all of it: it is most of what an idle connection
  // costs (at 36 KiB, 10,000 idle connections took 358 MiB; tests/bench/README.md). Room
  // for both limits; a request beyond it gets the library's own 414 or 431.
  const size_t pool =
      std::max<size_t>(16 << 10, options.max_target_bytes + options.max_header_bytes);
  std::vector<MHD_OptionItem> items = {
      // First, so that the library's every message goes through it.
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&Callbacks::OnLog), server},
      {MHD_OPTION_SOCK_ADDR, 0, address},
      {MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(std::max(1u, options.threads)), nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(options.max_connections), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT,
       static_cast<intptr_t>(std::max<int64_t>(1, absl::ToInt64Seconds(options.idle_timeout))),
       nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(pool), nullptr},
      {MHD_OPTION_URI_LOG_CALLBACK, reinterpret_cast<intptr_t>(&Callbacks::OnUri), server},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Callbacks::OnCompleted), server},
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&Callbacks::OnConnection), server},
      // Refuse what the HTTP/1.1 grammar does not allow (e.g. spaces in the target)
      // rather than guess.
      {MHD_OPTION_STRICT_FOR_CLIENT, 1, nullptr},
  };
  if (options.max_connections_per_address > 0) {
    items.push_back({MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                     static_cast<intptr_t>(options.max_connections_per_address), nullptr});
  }
  if (!options.tls_cert_pem.empty()) {
    items.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, options.tls_key_pem.data()});
    items.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, options.tls_cert_pem.data()});
  }
  items.push_back({MHD_OPTION_END, 0, nullptr});
  return items;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              const Router* router,
                                                              RateLimiter* limiter) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->router_ = router;
  server->limiter_ = limiter;
  absl::StatusOr<std::vector<Network>> trusted = ParseTrustedProxies(options.trusted_proxies);
  if (!trusted.ok()) return trusted.status();
  server->trusted_ = *std::move(trusted);
  absl::StatusOr<ListenAddress> address = ParseListenAddress(options.listen);
  if (!address.ok()) return address.status();

  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  if (address->family == AF_INET6) flags |= MHD_USE_IPv6;
  if (!options.tls_cert_pem.empty()) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
      return absl::UnavailableError("--http-listen with TLS: libmicrohttpd was built without TLS");
    }
    flags |= MHD_USE_TLS;
  }
  server->options_ = std::move(options);
  std::vector<MHD_OptionItem> items =
      DaemonOptions(server->options_, &address->storage, server.get());
  server->daemon_ = MHD_start_daemon(flags, 0, nullptr, nullptr, &Callbacks::OnRequest,
                                     server.get(), MHD_OPTION_ARRAY, items.data(), MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve HTTP on ", server->options_.listen,
                                               " (address in use or not valid?)"));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  const std::string& bound = server->options_.listen;
  server->address_ = absl::StrCat(bound.substr(0, bound.rfind(':')), ":",
                                  info != nullptr ? info->port : address->port);
  server->reaper_ = std::thread([raw = server.get()] { raw->ReapSlowConnections(); });
  return server;
}

void HttpServer::ReapSlowConnections() {
  const absl::Duration tick =
      std::clamp(options_.request_timeout / 4, absl::Milliseconds(100), absl::Seconds(1));
  const int64_t limit_ns = absl::ToInt64Nanoseconds(options_.request_timeout);
  absl::MutexLock lock(&watch_mu_);
  while (!watch_mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick)) {
    const int64_t now = NowNs();
    for (ConnectionWatch* watch : watches_) {
      if (watch->shut || !watch->receiving.load(std::memory_order_acquire)) continue;
      if (now - watch->since_ns.load(std::memory_order_relaxed) <= limit_ns) continue;
      // The library notices the shut socket and closes the connection; it cannot close
      // the descriptor before OnConnection(CLOSED) has taken the watch out under this
      // lock, so the descriptor is still this connection's.
      ::shutdown(watch->fd, SHUT_RDWR);
      watch->shut = true;
      closed_slow_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void HttpServer::StopAccepting() {
  if (daemon_ == nullptr) return;
  const MHD_socket listening = MHD_quiesce_daemon(daemon_);
  if (listening != MHD_INVALID_SOCKET) ::close(listening);
}

void HttpServer::Stop(absl::Duration wait) {
  if (daemon_ == nullptr) return;
  StopAccepting();
  const absl::Time deadline = absl::Now() + wait;
  while (dispatched_.load(std::memory_order_acquire) > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  {
    absl::MutexLock lock(&watch_mu_);
    stopping_ = true;
  }
  if (reaper_.joinable()) reaper_.join();
  if (dispatched_.load(std::memory_order_acquire) > 0) {
    // libmicrohttpd aborts the process if a connection is still suspended; leave it be.
    service::LogError("http_stop_abandoned", {{"requests", absl::StrCat(dispatched_.load())}});
    daemon_ = nullptr;
    return;
  }
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

HttpServer::~HttpServer() { Stop(absl::Seconds(10)); }

std::string HttpServer::RenderMetrics() const {
  std::string out =
      "# HELP sello_http_responses_total HTTP answers, by status.\n"
      "# TYPE sello_http_responses_total counter\n";
  for (size_t status = 0; status < responses_.size(); ++status) {
    const uint64_t n = responses_[status].load(std::memory_order_relaxed);
    if (n > 0)
      absl::StrAppend(&out, "sello_http_responses_total{status=\"", status, "\"} ", n, "\n");
  }
  absl::StrAppend(
      &out,
      "# HELP sello_http_rate_limited_total HTTP requests refused by the per-address rate "
      "limit (429).\n# TYPE sello_http_rate_limited_total counter\nsello_http_rate_limited_total ",
      limiter_ != nullptr ? limiter_->refused() : 0, "\n",
      "# HELP sello_http_slow_connections_closed_total HTTP connections closed for not "
      "sending a request within --http-request-timeout.\n"
      "# TYPE sello_http_slow_connections_closed_total counter\n"
      "sello_http_slow_connections_closed_total ",
      closed_slow_.load(std::memory_order_relaxed), "\n");
  const MHD_DaemonInfo* info =
      daemon_ != nullptr ? MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS)
                         : nullptr;
  absl::StrAppend(&out,
                  "# HELP sello_http_connections HTTP connections open.\n"
                  "# TYPE sello_http_connections gauge\nsello_http_connections ",
                  info != nullptr ? info->num_connections : 0, "\n");
  return out;
}

}  // namespace sello::http
