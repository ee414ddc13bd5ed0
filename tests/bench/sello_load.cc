// sello-load: drives a running sellod (or any gRPC server, with `raw`) with many
// concurrent calls and reports calls/s, items/s, latency percentiles and every non-OK
// status; `populate` builds a large registry to drive. See tests/bench/load/ for the
// engine and the scenarios.
//   sello-load populate --token-file DATA/admin.token --seals 1000000 --codes-out codes.txt
//       --certifier-token-out certifier.token --inspection-out inspection.json
//   sello-load verify --codes codes.txt --connections 4 --in-flight 32 --duration 5
//   sello-load verify-http --server HOST:HTTP_PORT --codes codes.txt --connections 64
//   sello-load seal-page-http --server HOST:HTTP_PORT --codes codes.txt --connections 64
//   sello-load idle-http --server HOST:HTTP_PORT --connections 10000 --hold 10
//   sello-load raw --method /sello.bench.Floor/Echo --request echo.bin --server HOST:PORT
// Exit status: 0 when every call succeeded, 1 when any failed (the last line says so) or
// the run could not start, 2 for a usage error.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/standard_file.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.grpc.pb.h"
#include "tests/bench/load/bench_messages.h"
#include "tests/bench/load/certification_setup.h"
#include "tests/bench/load/http_load.h"
#include "tests/bench/load/populate.h"
#include "tests/bench/load/raw_workload.h"
#include "tests/bench/load/read_workloads.h"
#include "tests/bench/load/watch_fanout.h"
#include "tests/bench/load/write_workloads.h"

#ifndef SELLO_SOURCE_DIR
#define SELLO_SOURCE_DIR "."
#endif

namespace sello::load {
namespace {

constexpr int kExitFailed = 1;

// The flags every scenario has, with its own defaults for connections and calls in flight.
struct ScenarioFlags {
  LoadOptions load;
  std::string token_file;
  std::string json_file;
};

void AddScenarioFlags(CLI::App* command, ScenarioFlags& flags, int connections, int in_flight) {
  flags.load.connections = connections;
  flags.load.in_flight = in_flight;
  command->add_option("--server", flags.load.server, "sellod (or any gRPC server) as HOST:PORT")
      ->capture_default_str();
  command->add_option("--token-file", flags.token_file,
                      "file with the bearer token to send (see each scenario for the role)");
  command
      ->add_option("--connections", flags.load.connections,
                   "distinct gRPC channels, each its own TCP connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  command->add_option("--in-flight", flags.load.in_flight, "calls in flight per connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  command
      ->add_option("--duration", flags.load.duration_seconds,
                   "seconds to run after the warm-up (0: until --calls are made)")
      ->capture_default_str();
  command
      ->add_option("--calls", flags.load.calls,
                   "stop after this many calls (0: run for --duration)")
      ->capture_default_str();
  command
      ->add_option("--warmup", flags.load.warmup_seconds,
                   "seconds of calls not recorded before the measured run")
      ->capture_default_str();
  command->add_option("--deadline", flags.load.deadline_seconds, "deadline of each call, seconds")
      ->capture_default_str();
  command->add_option("--json", flags.json_file, "also write the report as JSON to this file");
}

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  if (path.empty()) return std::string();
  absl::StatusOr<std::string> text = client::ReadFile(path);
  if (!text.ok()) return text.status();
  return std::string(absl::StripAsciiWhitespace(*text));
}

int Fatal(const absl::Status& status) {
  std::fprintf(stderr, "sello-load: %s\n", status.ToString().c_str());
  return kExitFailed;
}

// A scenario needs a duration or a number of calls to end.
absl::Status CheckLimits(const LoadOptions& load) {
  if (load.duration_seconds <= 0 && load.calls <= 0) {
    return absl::InvalidArgumentError("give --duration or --calls a positive value");
  }
  return absl::OkStatus();
}

// Prints (and writes) the reports; the exit status says whether every call succeeded.
int Finish(const ScenarioFlags& flags, const std::vector<Report>& reports) {
  PrintReports(reports, stdout);
  std::fflush(stdout);
  if (!flags.json_file.empty()) {
    if (absl::Status status = WriteJsonReports(flags.json_file, reports); !status.ok()) {
      return Fatal(status);
    }
  }
  return AllOk(reports) ? 0 : kExitFailed;
}

// Runs one workload made by `make` once the token is read.
using WorkloadMaker = std::function<absl::StatusOr<std::unique_ptr<Workload>>(const LoadOptions&)>;

int RunScenario(const std::string& name, ScenarioFlags& flags, const WorkloadMaker& make,
                const std::string& note = "") {
  if (absl::Status status = CheckLimits(flags.load); !status.ok()) return Fatal(status);
  absl::StatusOr<std::string> token = ReadToken(flags.token_file);
  if (!token.ok()) return Fatal(token.status());
  flags.load.token = *token;
  absl::StatusOr<std::unique_ptr<Workload>> workload = make(flags.load);
  if (!workload.ok()) return Fatal(workload.status());
  absl::StatusOr<Report> report = RunLoad(name, flags.load, **workload);
  if (!report.ok()) return Fatal(report.status());
  if (!note.empty()) report->notes.push_back(note);
  return Finish(flags, {*std::move(report)});
}

absl::StatusOr<v1::Inspection> ReadInspection(const std::string& path) {
  v1::Inspection inspection;
  if (absl::Status status = client::LoadMessageFile(path, "inspection", inspection); !status.ok()) {
    return status;
  }
  return inspection;
}

void AddVerifyCommands(CLI::App& app, std::function<int()>& run) {
  for (const bool batch : {false, true}) {
    CLI::App* command = app.add_subcommand(
        batch ? "verify-batch" : "verify",
        batch ? "VerifySeal with batches of codes (items = codes)"
              : "VerifySeal with one random code per call (public, no token needed)");
    auto flags = std::make_shared<ScenarioFlags>();
    auto codes_file = std::make_shared<std::string>();
    auto options = std::make_shared<VerifyOptions>();
    options->batch = batch ? 1000 : 1;
    AddScenarioFlags(command, *flags, batch ? 2 : 4, batch ? 4 : 32);
    command
        ->add_option("--codes", *codes_file,
                     "issued seal codes, one per line (populate --codes-out)")
        ->required();
    command
        ->add_option("--unknown-share", options->unknown_share,
                     "share of well-formed codes that were never issued")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    if (batch) {
      command->add_option("--batch", options->batch, "codes per call")
          ->capture_default_str()
          ->check(CLI::Range(1, 1000));
    }
    const std::string name = command->get_name();
    command->callback([&run, flags, codes_file, options, name] {
      run = [flags, codes_file, options, name] {
        absl::StatusOr<std::vector<std::string>> codes = ReadCodes(*codes_file);
        if (!codes.ok()) return Fatal(codes.status());
        options->codes = *std::move(codes);
        return RunScenario(name, *flags, [&](const LoadOptions& load) {
          return NewVerifyWorkload(load, *options);
        });
      };
    });
  }
}

// The HTTP front's scenarios (sellod --http-listen): JSON VerifySeal, idle connections.
void AddHttpCommands(CLI::App& app, std::function<int()>& run) {
  {
    CLI::App* command = app.add_subcommand(
        "get-http",
        "GET one path (e.g. a full tile of the log, /tile/0/000) over keep-alive "
        "HTTP/1.1 connections, one request in flight per connection");
    auto options = std::make_shared<HttpLoadOptions>();
    auto path = std::make_shared<std::string>("/tile/0/000");
    auto bytes = std::make_shared<size_t>(8192);
    auto json_file = std::make_shared<std::string>();
    command->add_option("--server", options->server, "sellod's HTTP front as IPv4:PORT")
        ->required();
    command->add_option("--path", *path, "the path to GET")->capture_default_str();
    command->add_option("--bytes", *bytes, "the body size every answer must have (0: any)")
        ->capture_default_str();
    command->add_option("--connections", options->connections, "keep-alive connections")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    command->add_option("--duration", options->duration_seconds, "measured seconds")
        ->capture_default_str();
    command->add_option("--warmup", options->warmup_seconds, "unrecorded seconds first")
        ->capture_default_str();
    command->add_option("--json", *json_file, "also write the report as JSON to this file");
    command->callback([&run, options, path, bytes, json_file] {
      run = [options, path, bytes, json_file] {
        absl::StatusOr<Report> report = RunHttpGet(*options, *path, *bytes);
        if (!report.ok()) return Fatal(report.status());
        ScenarioFlags flags;
        flags.json_file = *json_file;
        return Finish(flags, {*std::move(report)});
      };
    });
  }
  {
    CLI::App* command = app.add_subcommand(
        "cosign-freshness",
        "sellod --witness-policy: the time from an acknowledged write (CreateOrganisation, "
        "ADMIN token) to the first inclusion proof from a served, cosigned checkpoint");
    auto server = std::make_shared<std::string>("127.0.0.1:7443");
    auto token_file = std::make_shared<std::string>();
    auto samples = std::make_shared<int>(200);
    auto poll_ms = std::make_shared<double>(2);
    auto json_file = std::make_shared<std::string>();
    command->add_option("--server", *server, "sellod (gRPC) as HOST:PORT")->capture_default_str();
    command->add_option("--token-file", *token_file, "an ADMIN token")->required();
    command->add_option("--samples", *samples, "writes to time, one after the other")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    command->add_option("--poll-ms", *poll_ms, "milliseconds between proof requests")
        ->capture_default_str();
    command->add_option("--json", *json_file, "also write the report as JSON to this file");
    command->callback([&run, server, token_file, samples, poll_ms, json_file] {
      run = [server, token_file, samples, poll_ms, json_file] {
        absl::StatusOr<std::string> token = ReadToken(*token_file);
        if (!token.ok()) return Fatal(token.status());
        absl::StatusOr<Report> report = RunCosignFreshness(
            *server, *token, *samples, absl::Milliseconds(*poll_ms), absl::Seconds(30));
        if (!report.ok()) return Fatal(report.status());
        ScenarioFlags flags;
        flags.json_file = *json_file;
        return Finish(flags, {*std::move(report)});
      };
    });
  }
  for (const bool seal_page : {false, true}) {
    CLI::App* command = app.add_subcommand(
        seal_page ? "seal-page-http" : "verify-http",
        seal_page ? "GET /seal/CODE, the HTML seal page with its proof, over HTTP/1.1, one random "
                    "code per request and one request in flight per connection"
                  : "VerifySeal as a Connect JSON POST over HTTP/1.1, one random code per request "
                    "and one request in flight per connection");
    auto options = std::make_shared<HttpLoadOptions>();
    options->seal_page = seal_page;
    auto verify = std::make_shared<VerifyOptions>();
    auto codes_file = std::make_shared<std::string>();
    auto json_file = std::make_shared<std::string>();
    command->add_option("--server", options->server, "sellod's HTTP front as IPv4:PORT")
        ->required();
    command->add_option("--codes", *codes_file, "issued seal codes, one per line")->required();
    command->add_option("--connections", options->connections, "keep-alive connections")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    command->add_option("--duration", options->duration_seconds, "measured seconds")
        ->capture_default_str();
    command->add_option("--warmup", options->warmup_seconds, "unrecorded seconds first")
        ->capture_default_str();
    command
        ->add_option("--unknown-share", verify->unknown_share,
                     "share of well-formed codes that were never issued")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    command->add_option("--json", *json_file, "also write the report as JSON to this file");
    command->callback([&run, options, verify, codes_file, json_file] {
      run = [options, verify, codes_file, json_file] {
        absl::StatusOr<std::vector<std::string>> codes = ReadCodes(*codes_file);
        if (!codes.ok()) return Fatal(codes.status());
        verify->codes = *std::move(codes);
        absl::StatusOr<Report> report = RunHttpVerify(*options, *verify);
        if (!report.ok()) return Fatal(report.status());
        ScenarioFlags flags;
        flags.json_file = *json_file;
        return Finish(flags, {*std::move(report)});
      };
    });
  }
  {
    CLI::App* command = app.add_subcommand(
        "idle-http",
        "opens many HTTP connections, makes one GetCheckpoint on each and holds them idle");
    auto options = std::make_shared<HttpLoadOptions>();
    auto hold = std::make_shared<double>(10);
    auto json_file = std::make_shared<std::string>();
    options->connections = 10'000;
    command->add_option("--server", options->server, "sellod's HTTP front as IPv4:PORT")
        ->required();
    command->add_option("--connections", options->connections, "connections to hold")
        ->capture_default_str()
        ->check(CLI::Range(1, 100'000));
    command->add_option("--hold", *hold, "seconds to hold them idle")->capture_default_str();
    command->add_option("--json", *json_file, "also write the report as JSON to this file");
    command->callback([&run, options, hold, json_file] {
      run = [options, hold, json_file] {
        absl::StatusOr<Report> report = HoldIdleConnections(*options, *hold);
        if (!report.ok()) return Fatal(report.status());
        ScenarioFlags flags;
        flags.json_file = *json_file;
        return Finish(flags, {*std::move(report)});
      };
    });
  }
}

void AddWriteCommands(CLI::App& app, std::function<int()>& run) {
  {
    CLI::App* command = app.add_subcommand(
        "submit", "SubmitInspection with a distinct request id per call (CERTIFIER token)");
    auto flags = std::make_shared<ScenarioFlags>();
    auto template_file = std::make_shared<std::string>();
    AddScenarioFlags(command, *flags, 4, 32);
    command
        ->add_option("--inspection", *template_file,
                     "inspection template, proto3 JSON (populate --inspection-out)")
        ->required();
    command->callback([&run, flags, template_file] {
      run = [flags, template_file] {
        absl::StatusOr<v1::Inspection> inspection = ReadInspection(*template_file);
        if (!inspection.ok()) return Fatal(inspection.status());
        return RunScenario("submit", *flags, [&](const LoadOptions& load) {
          return absl::StatusOr<std::unique_ptr<Workload>>(
              NewSubmitWorkload(load, *inspection, NewRunId()));
        });
      };
    });
  }
  {
    CLI::App* command = app.add_subcommand(
        "issue", "IssueSeals of --count seals per call on lots it creates (CERTIFIER token)");
    auto flags = std::make_shared<ScenarioFlags>();
    auto template_file = std::make_shared<std::string>();
    auto options = std::make_shared<IssueOptions>();
    AddScenarioFlags(command, *flags, 2, 4);
    command
        ->add_option("--inspection", *template_file,
                     "inspection template for each new lot (populate --inspection-out)")
        ->required();
    command->add_option("--count", options->count, "seals per call")
        ->capture_default_str()
        ->check(CLI::Range(1, 10'000));
    command->add_option("--lot-boxes", options->lot_boxes, "boxes of each lot it creates")
        ->capture_default_str()
        ->check(CLI::Range(1, 10'000'000));
    command->callback([&run, flags, template_file, options] {
      run = [flags, template_file, options] {
        absl::StatusOr<v1::Inspection> inspection = ReadInspection(*template_file);
        if (!inspection.ok()) return Fatal(inspection.status());
        options->inspection = *std::move(inspection);
        options->run_id = NewRunId();
        return RunScenario("issue", *flags, [&](const LoadOptions& load) {
          return absl::StatusOr<std::unique_ptr<Workload>>(NewIssueWorkload(load, *options));
        });
      };
    });
  }
}

void AddProofCommand(CLI::App& app, std::function<int()>& run) {
  CLI::App* command = app.add_subcommand(
      "proof", "LogService.GetInclusionProof for random events of the current tree (public)");
  auto flags = std::make_shared<ScenarioFlags>();
  AddScenarioFlags(command, *flags, 4, 32);
  command->callback([&run, flags] {
    run = [flags] {
      return RunScenario("proof", *flags, [](const LoadOptions& load) {
        absl::StatusOr<uint64_t> size = FetchTreeSize(load);
        if (!size.ok()) return absl::StatusOr<std::unique_ptr<Workload>>(size.status());
        if (*size == 0) {
          return absl::StatusOr<std::unique_ptr<Workload>>(
              absl::FailedPreconditionError("the log has no checkpointed event yet"));
        }
        return absl::StatusOr<std::unique_ptr<Workload>>(NewProofWorkload(load, *size));
      });
    };
  });
}

void AddWatchCommand(CLI::App& app, std::function<int()>& run) {
  CLI::App* command = app.add_subcommand(
      "watch", "WatchEvents fan-out: N watchers while a writer submits inspections");
  auto flags = std::make_shared<ScenarioFlags>();
  auto template_file = std::make_shared<std::string>();
  auto watch_token_file = std::make_shared<std::string>();
  auto options = std::make_shared<WatchOptions>();
  AddScenarioFlags(command, *flags, 2, 8);
  command
      ->add_option("--inspection", *template_file,
                   "the writer's inspection template (populate --inspection-out)")
      ->required();
  command->add_option("--watchers", options->watchers, "WatchEvents streams")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  command->add_option("--watch-connections", options->connections, "channels the watchers share")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  command->add_option("--watch-token-file", *watch_token_file,
                      "the watchers' token (default: --token-file); events it may not read "
                      "arrive redacted and are not timed");
  command
      ->add_option("--drain", options->drain_seconds,
                   "seconds watchers may take to catch up after the writer stops")
      ->capture_default_str();
  command->callback([&run, flags, template_file, watch_token_file, options] {
    run = [flags, template_file, watch_token_file, options] {
      absl::StatusOr<v1::Inspection> inspection = ReadInspection(*template_file);
      if (!inspection.ok()) return Fatal(inspection.status());
      absl::StatusOr<std::string> token = ReadToken(flags->token_file);
      absl::StatusOr<std::string> watch_token =
          watch_token_file->empty() ? token : ReadToken(*watch_token_file);
      if (!token.ok()) return Fatal(token.status());
      if (!watch_token.ok()) return Fatal(watch_token.status());
      flags->load.token = *token;
      options->token = *watch_token;
      if (absl::Status status = CheckLimits(flags->load); !status.ok()) return Fatal(status);
      std::unique_ptr<Workload> writer = NewSubmitWorkload(flags->load, *inspection, NewRunId());
      absl::StatusOr<std::vector<Report>> reports = RunWatchFanout(flags->load, *writer, *options);
      if (!reports.ok()) return Fatal(reports.status());
      return Finish(*flags, *reports);
    };
  });
}

void AddRawCommand(CLI::App& app, std::function<int()>& run) {
  CLI::App* command = app.add_subcommand(
      "raw", "send a fixed serialised request to any unary gRPC method (the floor, etcd, ...)");
  auto flags = std::make_shared<ScenarioFlags>();
  auto method = std::make_shared<std::string>();
  auto request_file = std::make_shared<std::string>();
  AddScenarioFlags(command, *flags, 4, 32);
  command->add_option("--method", *method, "the method's path, /package.Service/Method")
      ->required();
  command
      ->add_option("--request", *request_file,
                   "file with the serialised request (sello-load make-request ...)")
      ->required();
  command->callback([&run, flags, method, request_file] {
    run = [flags, method, request_file] {
      absl::StatusOr<std::string> request = client::ReadFile(*request_file);
      if (!request.ok()) return Fatal(request.status());
      return RunScenario(
          "raw", *flags,
          [&](const LoadOptions& load) {
            return absl::StatusOr<std::unique_ptr<Workload>>(
                NewRawWorkload(load, *method, *request));
          },
          absl::StrCat(*method, " with a ", request->size(), "-byte request"));
    };
  });
}

void AddPopulateCommand(CLI::App& app, std::function<int()>& run) {
  CLI::App* command =
      app.add_subcommand("populate", "build a large registry through the public API (ADMIN token)");
  auto flags = std::make_shared<ScenarioFlags>();
  auto options = std::make_shared<PopulateOptions>();
  options->standard_file = SELLO_SOURCE_DIR "/deploy/demo/standards/cscs-v1.json";
  AddScenarioFlags(command, *flags, 2, 4);
  command->add_option("--seals", options->seals, "seals to issue")->capture_default_str();
  command
      ->add_option("--inspections", options->inspections,
                   "inspections: one per lot, the rest plant audits")
      ->capture_default_str();
  command->add_option("--firms", options->firms, "firms, each with one processing plant")
      ->capture_default_str();
  command
      ->add_option("--boxes-per-lot", options->boxes_per_lot,
                   "boxes of a lot (more when --inspections is too small for the seals)")
      ->capture_default_str();
  command->add_option("--prefix", options->prefix, "organisation and site ids start with this")
      ->capture_default_str();
  command
      ->add_option("--standard", options->standard_file,
                   "standard file to push and publish (unless that version is past DRAFT)")
      ->capture_default_str();
  command->add_option("--codes-out", options->codes_out, "write the issued codes here");
  command->add_option("--certifier-token-out", options->certifier_token_out,
                      "write a new CERTIFIER token here (for submit, issue and watch)");
  command->add_option("--inspection-out", options->inspection_out,
                      "write the passing inspection template here (proto3 JSON)");
  command->callback([&run, flags, options] {
    run = [flags, options] {
      absl::StatusOr<std::string> token = ReadToken(flags->token_file);
      if (!token.ok()) return Fatal(token.status());
      flags->load.token = *token;
      absl::StatusOr<std::vector<Report>> reports = Populate(flags->load, *options);
      if (!reports.ok()) return Fatal(reports.status());
      return Finish(*flags, *reports);
    };
  });
}

// Writes `bytes` to `path`, or to stdout when it is empty or "-".
int WriteBytes(const std::string& path, const std::string& bytes) {
  if (path.empty() || path == "-") {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : kExitFailed;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) return Fatal(absl::UnavailableError(absl::StrCat("cannot write ", path)));
  return 0;
}

void AddMakeRequestCommands(CLI::App& app, std::function<int()>& run) {
  CLI::App* make = app.add_subcommand("make-request", "write a serialised request for `raw`");
  make->require_subcommand(1);
  auto out = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>("sello-load");
  auto range_end = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(0);
  auto serializable = std::make_shared<bool>(false);
  CLI::App* range = make->add_subcommand("etcd-range",
                                         "etcdserverpb.RangeRequest "
                                         "(/etcdserverpb.KV/Range)");
  range->add_option("--key", *key, "the key")->capture_default_str();
  range->add_option("--range-end", *range_end, "end of the range (empty: the key alone)");
  range->add_option("--limit", *limit, "at most this many keys (0: no limit)");
  range->add_flag("--serializable", *serializable,
                  "serve from the local member without a Raft round trip");
  range->add_option("--out", *out, "file to write (default: stdout)");
  range->callback([&run, out, key, range_end, limit, serializable] {
    run = [=] {
      return WriteBytes(*out, EtcdRangeRequest(*key, *range_end, *limit, *serializable));
    };
  });
  auto value_size = std::make_shared<size_t>(100);
  CLI::App* put =
      make->add_subcommand("etcd-put", "etcdserverpb.PutRequest (/etcdserverpb.KV/Put)");
  put->add_option("--key", *key, "the key")->capture_default_str();
  put->add_option("--value-size", *value_size, "bytes of the value")->capture_default_str();
  put->add_option("--out", *out, "file to write (default: stdout)");
  put->callback([&run, out, key, value_size] {
    run = [=] { return WriteBytes(*out, EtcdPutRequest(*key, *value_size)); };
  });
  auto size = std::make_shared<size_t>(TypicalVerifySealRequest().ByteSizeLong());
  CLI::App* echo =
      make->add_subcommand("floor-echo", "sello.bench.EchoRequest (/sello.bench.Floor/Echo)");
  echo->add_option("--size", *size, "serialised size (default: a one-code VerifySeal request)")
      ->capture_default_str();
  echo->add_option("--out", *out, "file to write (default: stdout)");
  echo->callback([&run, out, size] {
    run = [=] { return WriteBytes(*out, EchoRequestOfSize(*size).SerializeAsString()); };
  });
  auto code = std::make_shared<std::string>();
  CLI::App* verify = make->add_subcommand(
      "verify", "sello.v1.VerifySealRequest (/sello.v1.SealService/VerifySeal)");
  verify->add_option("--code", *code, "the seal code")->required();
  verify->add_option("--out", *out, "file to write (default: stdout)");
  verify->callback([&run, out, code] {
    run = [=] {
      v1::VerifySealRequest request;
      request.add_codes(*code);
      return WriteBytes(*out, request.SerializeAsString());
    };
  });
}

void AddMessageSizesCommand(CLI::App& app, std::function<int()>& run) {
  CLI::App* command = app.add_subcommand(
      "message-sizes", "the VerifySeal sizes the floor imitates (and, with --codes, sellod's)");
  auto flags = std::make_shared<ScenarioFlags>();
  auto codes_file = std::make_shared<std::string>();
  command->add_option("--server", flags->load.server, "sellod as HOST:PORT")->capture_default_str();
  command->add_option("--codes", *codes_file, "measure sellod's answers for these codes");
  command->callback([&run, flags, codes_file] {
    run = [flags, codes_file] {
      std::printf("typical VerifySeal request (1 code): %zu bytes\n",
                  TypicalVerifySealRequest().ByteSizeLong());
      std::printf("typical VerifySeal answer (1 seal):  %zu bytes\n",
                  TypicalVerifySealResponse().ByteSizeLong());
      if (codes_file->empty()) return 0;
      absl::StatusOr<std::vector<std::string>> codes = ReadCodes(*codes_file);
      if (!codes.ok()) return Fatal(codes.status());
      auto stub = v1::SealService::NewStub(NewChannel(flags->load.server, -1));
      size_t requests = 0, answers = 0, count = 0;
      for (size_t i = 0; i < codes->size() && count < 100; i += 1 + codes->size() / 100, ++count) {
        v1::VerifySealRequest request;
        request.add_codes((*codes)[i]);
        v1::VerifySealResponse response;
        grpc::ClientContext context;
        CallSettings("", flags->load.deadline_seconds).Apply(context);
        const grpc::Status status = stub->VerifySeal(&context, request, &response);
        if (!status.ok()) return Fatal(ToAbsl(status, "VerifySeal"));
        requests += request.ByteSizeLong();
        answers += response.ByteSizeLong();
      }
      if (count == 0) return Fatal(absl::InvalidArgumentError("no codes"));
      std::printf("sellod, mean of %zu codes: request %zu bytes, answer %zu bytes\n", count,
                  requests / count, answers / count);
      return 0;
    };
  });
}

int Run(int argc, char** argv) {
  CLI::App app{"sello-load: concurrent gRPC load against sellod, the floor and etcd"};
  app.require_subcommand(1);
  std::function<int()> run;
  AddVerifyCommands(app, run);
  AddWriteCommands(app, run);
  AddHttpCommands(app, run);
  AddProofCommand(app, run);
  AddWatchCommand(app, run);
  AddRawCommand(app, run);
  AddPopulateCommand(app, run);
  AddMakeRequestCommands(app, run);
  AddMessageSizesCommand(app, run);
  CLI11_PARSE(app, argc, argv);
  return run ? run() : 2;
}

}  // namespace
}  // namespace sello::load

int main(int argc, char** argv) {
  try {
    return sello::load::Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "sello-load: fatal: %s\n", error.what());
    return 1;
  }
}
