#include "tests/bench/load/http_load.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/connection.h"
#include "daemon/domain/seal_code.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/organisation.grpc.pb.h"

namespace sello::load {
namespace {

constexpr int kUnknownPool = 4096;

absl::StatusOr<sockaddr_in> ParseAddress(const std::string& server) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  const size_t colon = server.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(server.substr(colon + 1), &port) ||
      inet_pton(AF_INET, server.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--server: '", server, "' is not IPv4:PORT"));
  }
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

int Connect(const sockaddr_in& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Reads one HTTP/1.1 response from `buffer` (appending from the socket as needed; the
// socket is blocking). Returns the status and body, or status 0 when the connection closed.
struct Answer {
  int status = 0;
  std::string body;
};
Answer ReadAnswer(int fd, std::string& buffer) {
  Answer answer;
  char chunk[16384];
  size_t header_end = std::string::npos;
  size_t length = 0;
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = buffer.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const absl::string_view head(buffer.data(), header_end);
        if (head.size() < 12) return answer;
        absl::SimpleAtoi(head.substr(9, 3), &answer.status);
        for (absl::string_view rest = head; !rest.empty();) {
          const size_t eol = rest.find("\r\n");
          const absl::string_view line = rest.substr(0, eol);
          rest = eol == absl::string_view::npos ? absl::string_view() : rest.substr(eol + 2);
          if (line.size() > 15 && absl::EqualsIgnoreCase(line.substr(0, 15), "content-length:")) {
            absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &length);
          }
        }
      }
    }
    if (header_end != std::string::npos && buffer.size() >= header_end + 4 + length) {
      answer.body = buffer.substr(header_end + 4, length);
      buffer.erase(0, header_end + 4 + length);
      return answer;
    }
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      answer.status = 0;
      return answer;
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string VerifyRequest(const std::string& code) {
  const std::string body = absl::StrCat(R"({"codes":[")", code, R"("]})");
  return absl::StrCat("POST /sello.v1.SealService/VerifySeal HTTP/1.1\r\nHost: bench\r\n",
                      "Content-Type: application/json\r\nContent-Length: ", body.size(), "\r\n\r\n",
                      body);
}

std::string SealPageRequest(const std::string& code) {
  return absl::StrCat("GET /seal/", code, " HTTP/1.1\r\nHost: bench\r\nAccept: text/html\r\n",
                      "Accept-Language: es-CL,es\r\n\r\n");
}

}  // namespace

void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

absl::StatusOr<Report> RunHttpVerify(const HttpLoadOptions& options, const VerifyOptions& verify) {
  absl::StatusOr<sockaddr_in> address = ParseAddress(options.server);
  if (!address.ok()) return address.status();
  if (verify.codes.empty()) return absl::InvalidArgumentError("no codes to verify");
  std::vector<std::string> unknown;
  const std::string prefix = verify.codes[0].substr(0, verify.codes[0].find('-'));
  for (int i = 0; i < kUnknownPool; ++i) unknown.push_back(domain::NewSealCode(prefix));
  // A thread per connection: blocking sockets keep the client simple, and with one
  // request in flight per connection the threads mostly wait on the server.
  std::vector<int> sockets;
  for (int i = 0; i < options.connections; ++i) {
    const int fd = Connect(*address);
    if (fd < 0) {
      for (int open : sockets) ::close(open);
      return absl::UnavailableError(absl::StrCat("cannot connect to ", options.server));
    }
    sockets.push_back(fd);
  }
  const absl::Time start = absl::Now();
  const absl::Time measured_from = start + absl::Seconds(options.warmup_seconds);
  const absl::Time end = measured_from + absl::Seconds(options.duration_seconds);
  std::vector<CallRecord> records(sockets.size());
  std::vector<std::thread> threads;
  for (size_t c = 0; c < sockets.size(); ++c) {
    threads.emplace_back([&, c] {
      std::mt19937_64 random(c + 1);
      std::uniform_real_distribution<double> share(0, 1);
      std::string buffer;
      const int fd = sockets[c];
      for (;;) {
        const absl::Time began = absl::Now();
        if (began >= end) break;
        const bool is_unknown = share(random) < verify.unknown_share;
        const std::string& code = is_unknown ? unknown[random() % unknown.size()]
                                             : verify.codes[random() % verify.codes.size()];
        if (!SendAll(fd, options.seal_page ? SealPageRequest(code) : VerifyRequest(code))) {
          records[c].AddProblem("SEND_FAILED", "connection closed");
          break;
        }
        const Answer answer = ReadAnswer(fd, buffer);
        const int64_t latency = absl::ToInt64Nanoseconds(absl::Now() - began);
        const bool measured = began >= measured_from;
        const int expected_status = options.seal_page && is_unknown ? 404 : 200;
        if (answer.status != expected_status) {
          if (measured) {
            records[c].AddFailure(latency, absl::StrCat("HTTP_", answer.status),
                                  answer.body.substr(0, 200));
          }
          if (answer.status == 0) break;
          continue;
        }
        const bool found = options.seal_page ? absl::StrContains(answer.body, "id=\"seal-grade\"")
                                             : absl::StrContains(answer.body, "\"seal\":");
        const bool right =
            is_unknown
                ? absl::StrContains(answer.body,
                                    options.seal_page ? "data-verdict=\"not-found\"" : "NOT_FOUND")
                : found;
        if (!measured) continue;
        if (right) {
          records[c].AddCall(latency, 1);
        } else {
          records[c].AddFailure(latency, "WRONG_VERDICT",
                                absl::StrCat(code, ": ", answer.body.substr(0, 200)));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int fd : sockets) ::close(fd);
  CallRecord all;
  for (CallRecord& record : records) all.Merge(std::move(record));
  return Summarise(options.seal_page ? "seal-page-http" : "verify-http", options.connections, 1,
                   options.duration_seconds, std::move(all));
}

absl::StatusOr<Report> HoldIdleConnections(const HttpLoadOptions& options, double hold_seconds) {
  absl::StatusOr<sockaddr_in> address = ParseAddress(options.server);
  if (!address.ok()) return address.status();
  RaiseOpenFileLimit();
  const std::string request =
      "GET /sello.v1.LogService/GetCheckpoint?encoding=json&message=%7B%7D HTTP/1.1\r\n"
      "Host: bench\r\n\r\n";
  std::vector<int> sockets;
  CallRecord record;
  for (int i = 0; i < options.connections; ++i) {
    const absl::Time began = absl::Now();
    const int fd = Connect(*address);
    if (fd < 0) {
      record.AddFailure(0, "CONNECT_FAILED", "");
      continue;
    }
    std::string buffer;
    const Answer answer = SendAll(fd, request) ? ReadAnswer(fd, buffer) : Answer();
    if (answer.status != 200) {
      record.AddFailure(absl::ToInt64Nanoseconds(absl::Now() - began),
                        absl::StrCat("HTTP_", answer.status), answer.body.substr(0, 200));
      ::close(fd);
      continue;
    }
    record.AddCall(absl::ToInt64Nanoseconds(absl::Now() - began), 1);
    sockets.push_back(fd);
  }
  std::fprintf(stderr, "holding %zu\n", sockets.size());
  std::fflush(stderr);
  // Hold them; a connection the server closes meanwhile becomes readable (EOF).
  const absl::Time until = absl::Now() + absl::Seconds(hold_seconds);
  std::vector<pollfd> entries;
  for (int fd : sockets) entries.push_back({.fd = fd, .events = POLLIN, .revents = 0});
  int closed = 0;
  while (absl::Now() < until) {
    const int ready = ::poll(entries.data(), entries.size(),
                             static_cast<int>(absl::ToInt64Milliseconds(until - absl::Now())));
    if (ready <= 0) continue;
    for (pollfd& entry : entries) {
      if (entry.revents != 0 && entry.fd >= 0) {
        ++closed;
        ::close(entry.fd);
        entry.fd = -1;
      }
    }
  }
  for (const pollfd& entry : entries) {
    if (entry.fd >= 0) ::close(entry.fd);
  }
  for (int i = 0; i < closed; ++i) record.AddProblem("CLOSED_WHILE_IDLE", "");
  Report report = Summarise("idle-http", options.connections, 1, hold_seconds, std::move(record));
  report.notes.push_back(absl::StrCat(sockets.size(), " connections served then held idle for ",
                                      hold_seconds, " s; ", closed, " closed by the server"));
  return report;
}

absl::StatusOr<Report> RunHttpGet(const HttpLoadOptions& options, const std::string& path,
                                  size_t expected_bytes) {
  absl::StatusOr<sockaddr_in> address = ParseAddress(options.server);
  if (!address.ok()) return address.status();
  const std::string request = absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: bench\r\n\r\n");
  std::vector<int> sockets;
  for (int i = 0; i < options.connections; ++i) {
    const int fd = Connect(*address);
    if (fd < 0) {
      for (int open : sockets) ::close(open);
      return absl::UnavailableError(absl::StrCat("cannot connect to ", options.server));
    }
    sockets.push_back(fd);
  }
  const absl::Time start = absl::Now();
  const absl::Time measured_from = start + absl::Seconds(options.warmup_seconds);
  const absl::Time end = measured_from + absl::Seconds(options.duration_seconds);
  std::vector<CallRecord> records(sockets.size());
  std::vector<std::thread> threads;
  for (size_t c = 0; c < sockets.size(); ++c) {
    threads.emplace_back([&, c] {
      std::string buffer;
      for (;;) {
        const absl::Time began = absl::Now();
        if (began >= end) break;
        if (!SendAll(sockets[c], request)) {
          records[c].AddProblem("SEND_FAILED", "connection closed");
          break;
        }
        const Answer answer = ReadAnswer(sockets[c], buffer);
        const int64_t latency = absl::ToInt64Nanoseconds(absl::Now() - began);
        if (began < measured_from) {
          if (answer.status == 0) break;
          continue;
        }
        if (answer.status != 200 || (expected_bytes > 0 && answer.body.size() != expected_bytes)) {
          records[c].AddFailure(
              latency, absl::StrCat("HTTP_", answer.status),
              absl::StrCat(answer.body.size(), " bytes: ", answer.body.substr(0, 200)));
          if (answer.status == 0) break;
          continue;
        }
        records[c].AddCall(latency, 1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int fd : sockets) ::close(fd);
  CallRecord all;
  for (CallRecord& record : records) all.Merge(std::move(record));
  return Summarise("get-http", options.connections, 1, options.duration_seconds, std::move(all));
}

absl::StatusOr<Report> RunCosignFreshness(const std::string& grpc_server, const std::string& token,
                                          int samples, absl::Duration poll,
                                          absl::Duration timeout) {
  client::ConnectionOptions options;
  options.server = grpc_server;
  options.token = token;
  client::Connection connection(options);
  CallRecord record;
  const std::string run = absl::StrCat(absl::ToUnixMillis(absl::Now()) % 100000000);
  const absl::Time start = absl::Now();
  for (int i = 0; i < samples; ++i) {
    v1::CreateOrganisationRequest request;
    request.set_organisation_id(absl::StrCat("fresh-", run, "-", i));
    request.mutable_organisation()->set_kind(v1::Organisation::FIRM);
    request.mutable_organisation()->set_name(absl::StrCat("Freshness probe ", i));
    request.mutable_organisation()->set_country("CL");
    v1::Organisation created;
    const grpc::Status written = connection.organisations().CreateOrganisation(
        connection.NewContext().get(), request, &created);
    const absl::Time acknowledged = absl::Now();
    if (!written.ok()) {
      record.AddProblem(absl::StrCat("WRITE_", written.error_code()), written.error_message());
      continue;
    }
    v1::GetInclusionProofRequest proof_request;
    proof_request.set_subject(absl::StrCat("organisation/", request.organisation_id()));
    for (;;) {
      v1::GetInclusionProofResponse proof;
      const grpc::Status proven =
          connection.log().GetInclusionProof(connection.NewContext().get(), proof_request, &proof);
      const absl::Time now = absl::Now();
      if (proven.ok()) {
        record.AddCall(absl::ToInt64Nanoseconds(now - acknowledged), 1);
        break;
      }
      if (now - acknowledged > timeout) {
        record.AddFailure(absl::ToInt64Nanoseconds(now - acknowledged), "NOT_COVERED",
                          proven.error_message());
        break;
      }
      absl::SleepFor(poll);
    }
  }
  return Summarise("cosign-freshness", 1, 1, absl::ToDoubleSeconds(absl::Now() - start),
                   std::move(record));
}

}  // namespace sello::load
