#include "witness/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sello::witness {
namespace {

// What one request gathers between libmicrohttpd's calls.
struct RequestContext {
  HttpRequest request;
  bool too_large = false;
  bool limited = false;
};

MHD_Result Send(MHD_Connection* connection, const HttpAnswer& answer,
                const std::vector<std::pair<const char*, std::string>>& headers = {}) {
  MHD_Response* response = MHD_create_response_from_buffer(
      answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", answer.content_type.c_str());
  MHD_add_response_header(response, "Cache-Control", "no-store");
  for (const auto& [name, value] : headers) MHD_add_response_header(response, name, value.c_str());
  const MHD_Result queued =
      MHD_queue_response(connection, static_cast<unsigned int>(answer.status), response);
  MHD_destroy_response(response);
  return queued;
}

std::string PeerOf(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "unknown";
  char text[INET6_ADDRSTRLEN] = "unknown";
  const sockaddr* address = info->client_addr;
  if (address->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text,
                sizeof(text));
  } else if (address->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
                sizeof(text));
  }
  return text;
}

}  // namespace

class HttpServerCallbacks {
 public:
  static MHD_Result Answer(void* cls, MHD_Connection* connection, const char* url,
                           const char* method, const char*, const char* upload_data,
                           size_t* upload_size, void** context) {
    HttpServer& server = *static_cast<HttpServer*>(cls);
    auto* request = static_cast<RequestContext*>(*context);
    if (request == nullptr) {
      // The headers are in: decide on the limits before reading any body.
      request = new RequestContext();
      *context = request;
      request->request.method = method;
      request->request.path = url;
      request->request.peer = PeerOf(connection);
      request->limited = !server.Admit(request->request.peer);
      const char* length =
          MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      uint64_t declared = 0;
      if (length != nullptr && absl::SimpleAtoi(length, &declared) &&
          declared > server.options_.max_body_bytes) {
        request->too_large = true;
      }
      // Refused before the body is read (libmicrohttpd then closes the connection
      // instead of reading it).
      if (request->limited || request->too_large) return Refuse(server, connection, *request);
      return MHD_YES;
    }
    if (*upload_size > 0) {
      if (!request->too_large && !request->limited) {
        if (request->request.body.size() + *upload_size > server.options_.max_body_bytes) {
          request->too_large = true;
          request->request.body.clear();
        } else {
          request->request.body.append(upload_data, *upload_size);
        }
      }
      *upload_size = 0;
      return MHD_YES;
    }
    if (request->limited || request->too_large) return Refuse(server, connection, *request);
    return Send(connection, server.handler_(request->request));
  }

  static MHD_Result Refuse(const HttpServer& server, MHD_Connection* connection,
                           const RequestContext& request) {
    if (request.limited) {
      return Send(connection,
                  HttpAnswer{429, "text/plain; charset=utf-8",
                             "too many requests from this address; slow down\n"},
                  {{"Retry-After", "1"}});
    }
    return Send(connection, HttpAnswer{413, "text/plain; charset=utf-8",
                                       absl::StrCat("request body larger than ",
                                                    server.options_.max_body_bytes, " bytes\n")});
  }

  static void Completed(void*, MHD_Connection*, void** context, MHD_RequestTerminationCode) {
    delete static_cast<RequestContext*>(*context);
    *context = nullptr;
  }
};

absl::Status ParseListenAddress(const std::string& listen, std::string* host, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), port) ||
      *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("'", listen, "' is not HOST:PORT"));
  }
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  if (*host == "localhost") *host = "127.0.0.1";
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              Handler handler) {
  std::string host;
  int port = 0;
  if (absl::Status status = ParseListenAddress(options.listen, &host, &port); !status.ok()) {
    return status;
  }
  sockaddr_storage address{};
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    flags |= MHD_USE_IPv6;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("'", options.listen, "': the host must be an IP address or localhost"));
  }
  const bool tls = !options.tls_cert_pem.empty();
  if (tls) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
      return absl::InvalidArgumentError("this libmicrohttpd was built without TLS");
    }
    flags |= MHD_USE_TLS;
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->options_ = std::move(options);
  server->handler_ = std::move(handler);
  const HttpServerOptions& o = server->options_;
  const unsigned int timeout =
      static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(o.idle_timeout)));
  MHD_OptionItem tls_options[] = {
      {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0,
       const_cast<char*>(o.tls_cert_pem.c_str())},
      {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0,
       const_cast<char*>(o.tls_key_pem.c_str())},
      {MHD_OPTION_END, 0, nullptr},
  };
  server->daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &HttpServerCallbacks::Answer, server.get(), MHD_OPTION_SOCK_ADDR,
      reinterpret_cast<sockaddr*>(&address), MHD_OPTION_THREAD_POOL_SIZE,
      static_cast<unsigned int>(std::max(1, o.threads)), MHD_OPTION_CONNECTION_LIMIT,
      o.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, o.max_connections_per_address,
      MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_NOTIFY_COMPLETED,
      &HttpServerCallbacks::Completed, server.get(), MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", o.listen,
                     tls ? " (or the TLS certificate and key are not a matching PEM pair)" : ""));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  const std::string shown_host = (flags & MHD_USE_IPv6) != 0 ? absl::StrCat("[", host, "]") : host;
  server->address_ = absl::StrCat(shown_host, ":", info != nullptr ? info->port : port);
  return server;
}

HttpServer::~HttpServer() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

bool HttpServer::Admit(const std::string& peer) {
  if (options_.rate_per_second <= 0) return true;
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&rate_mutex_);
  // Forget addresses whose buckets are full again, so that the table stays small.
  if (buckets_.size() > 10000) {
    absl::erase_if(buckets_, [&](const auto& entry) {
      return absl::ToDoubleSeconds(now - entry.second.refilled) * options_.rate_per_second +
                 entry.second.tokens >=
             options_.rate_burst;
    });
  }
  auto [it, inserted] =
      buckets_.try_emplace(peer, Bucket{static_cast<double>(options_.rate_burst), now});
  Bucket& bucket = it->second;
  if (!inserted) {
    bucket.tokens = std::min<double>(
        options_.rate_burst,
        bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) * options_.rate_per_second);
    bucket.refilled = now;
  }
  if (bucket.tokens < 1) {
    ++rate_limited_;
    return false;
  }
  bucket.tokens -= 1;
  return true;
}

uint64_t HttpServer::rate_limited() const {
  absl::MutexLock lock(&rate_mutex_);
  return rate_limited_;
}

}  // namespace sello::witness
