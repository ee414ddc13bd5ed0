// floor_server: the floor for sello-load. A bare gRPC server built like sellod (the same
// gRPC, the same service API as sellod's VerifySeal — the callback API — sellod's
// ServerBuilder settings, the health service) with one method, /sello.bench.Floor/Echo,
// that answers a response prepared at start-up with the size of a typical one-seal
// VerifySeal answer: a call costs only what gRPC costs, so sellod's figures can be read
// against it. `--api sync` serves Echo through the synchronous API instead (what sellod's
// other reads use), to compare the two.
//   floor_server [--listen 127.0.0.1:0] [--address-file F] [--response-size N] [--api
//   callback|sync]
// Runs until SIGINT or SIGTERM.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/server/arena_allocator.h"
#include "daemon/server/server_options.h"
#include "tests/bench/load/bench_messages.h"
#include "tests/bench/proto/floor.grpc.pb.h"

namespace {

// Echo does no work: it copies the prepared answer.
class SyncFloor final : public sello::bench::Floor::Service {
 public:
  explicit SyncFloor(sello::bench::EchoResponse response) : response_(std::move(response)) {}

  grpc::Status Echo(grpc::ServerContext*, const sello::bench::EchoRequest*,
                    sello::bench::EchoResponse* response) override {
    *response = response_;
    return grpc::Status::OK;
  }

 private:
  const sello::bench::EchoResponse response_;
};

// The same on the callback API: answered on the thread that received the call, with its
// messages on an arena (as sellod's VerifySeal).
class CallbackFloor final : public sello::bench::Floor::CallbackService {
 public:
  explicit CallbackFloor(sello::bench::EchoResponse response) : response_(std::move(response)) {
    SetMessageAllocatorFor_Echo(&messages_);
  }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const sello::bench::EchoRequest*,
                                 sello::bench::EchoResponse* response) override {
    *response = response_;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const sello::bench::EchoResponse response_;
  sello::service::ArenaMessageAllocator<sello::bench::EchoRequest, sello::bench::EchoResponse>
      messages_;
};

int Run(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string address_file;
  size_t response_size = sello::load::TypicalVerifySealResponse().ByteSizeLong();
  CLI::App app{"floor_server: a bare gRPC echo server with VerifySeal's message sizes"};
  app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--address-file", address_file, "write the bound HOST:PORT here once serving");
  app.add_option("--response-size", response_size,
                 "serialised size of each answer (default: a typical one-seal VerifySeal answer)")
      ->capture_default_str();
  std::string api = "callback";
  app.add_option("--api", api, "gRPC service API of Echo")
      ->check(CLI::IsMember({"callback", "sync"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Signals are taken by sigwait below; gRPC's threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<grpc::Service> service;
  if (api == "sync") {
    service = std::make_unique<SyncFloor>(sello::load::EchoResponseOfSize(response_size));
  } else {
    service = std::make_unique<CallbackFloor>(sello::load::EchoResponseOfSize(response_size));
  }
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  // Exactly sellod's settings (its defaults): limits, memory quota, keep-alive.
  sello::service::ApplyServerOptions(sello::service::ServerOptions(), builder);
  builder.RegisterService(service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "floor_server: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  const std::string address = absl::StrCat(listen.substr(0, listen.rfind(':')), ":", port);
  if (!address_file.empty()) {
    const std::string temp = address_file + ".tmp";
    std::ofstream(temp, std::ios::trunc) << address << "\n";
    if (std::rename(temp.c_str(), address_file.c_str()) != 0) {
      std::fprintf(stderr, "floor_server: cannot write %s\n", address_file.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "floor_server: listening on %s (%s API), answers of %zu bytes\n",
               address.c_str(), api.c_str(),
               sello::load::EchoResponseOfSize(response_size).ByteSizeLong());
  int signal = 0;
  sigwait(&signals, &signal);
  server->GetHealthCheckService()->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server->Wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "floor_server: fatal: %s\n", error.what());
    return 1;
  }
}
