// A first measurement of VerifySeal against a running sellod (the full load tool is
// issue 8's sello-load): N client threads, each on its own channel, call VerifySeal
// with one random code (or a batch) from a file of codes for D seconds, and the tool
// prints calls/s, codes/s and latency percentiles. Every non-OK status is counted and
// makes the run fail.
//   verify_bench --server 127.0.0.1:7443 --codes codes.txt [--threads 4] [--seconds 5]
//                [--batch 1]
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "sello/v1/seal.grpc.pb.h"

namespace {

int Run(int argc, char** argv) {
  std::string server = "127.0.0.1:7443", codes_file;
  int threads = 4, batch = 1;
  double seconds = 5;
  CLI::App app{"VerifySeal throughput and latency against a running sellod"};
  app.add_option("--server", server)->capture_default_str();
  app.add_option("--codes", codes_file, "seal codes, one per line")->required();
  app.add_option("--threads", threads)->capture_default_str();
  app.add_option("--seconds", seconds)->capture_default_str();
  app.add_option("--batch", batch, "codes per call (1..1000)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> codes;
  std::ifstream in(codes_file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) codes.push_back(line);
  }
  if (codes.empty()) {
    std::fprintf(stderr, "verify_bench: no codes in %s\n", codes_file.c_str());
    return 2;
  }
  std::atomic<uint64_t> errors{0};
  std::vector<std::vector<double>> latencies(threads);
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      grpc::ChannelArguments args;
      args.SetInt("sello.bench.channel", t);  // a distinct channel (connection) per thread
      auto stub = sello::v1::SealService::NewStub(
          grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args));
      std::mt19937_64 random(t + 1);
      while (std::chrono::steady_clock::now() < end) {
        sello::v1::VerifySealRequest request;
        for (int i = 0; i < batch; ++i) request.add_codes(codes[random() % codes.size()]);
        sello::v1::VerifySealResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        const auto start = std::chrono::steady_clock::now();
        grpc::Status status = stub->VerifySeal(&context, request, &response);
        latencies[t].push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count());
        if (!status.ok()) ++errors;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[std::min(all.size() - 1, size_t(p * all.size()))]; };
  std::printf("calls %zu  threads %d  batch %d  calls/s %.0f  codes/s %.0f\n", all.size(), threads,
              batch, all.size() / seconds, all.size() * batch / seconds);
  std::printf("latency us: p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f\n", pct(0.5), pct(0.99),
              pct(0.999), all.back());
  std::printf("%s: %llu non-OK statuses\n", errors ? "FAILED" : "ok",
              static_cast<unsigned long long>(errors.load()));
  return errors ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "verify_bench: fatal: %s\n", error.what());
    return 1;
  }
}
