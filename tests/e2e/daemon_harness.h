// The one helper every end-to-end test uses: runs the real `sellod` on a temporary data
// dir and a free loopback port, waits until its gRPC health service says SERVING, and
// runs the real `sello` binary against it, in the foreground or (StartCli) in the
// background. Nothing here sleeps: waits are on inotify, process descriptors and gRPC's
// wait-for-ready, each with a deadline; only a background child's captured output is
// re-read every few milliseconds (BackgroundProcess::WaitForOutput).
#ifndef SELLO_TESTS_E2E_DAEMON_HARNESS_H_
#define SELLO_TESTS_E2E_DAEMON_HARNESS_H_

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <csignal>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace sello::e2e {

// What a finished child process left behind.
struct ProcessResult {
  // The exit status; 128 + N when killed by signal N; -1 when it overran its deadline
  // (it is then killed) or could not be started.
  int exit_code = -1;
  std::string out;
  std::string err;
};

// For failure messages: `EXPECT_EQ(r.exit_code, 0) << r;`.
std::ostream& operator<<(std::ostream& os, const ProcessResult& result);

// Runs argv[0] with arguments argv[1..] (no shell), stdin from /dev/null, stdout and
// stderr captured. The environment is the test's own without SELLO_* variables, plus
// `extra_env` ("NAME=value"). A child still running at `timeout` is killed.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env = {},
                         absl::Duration timeout = absl::Seconds(30));

// A child started by StartProcess that runs in the background (e.g. `sello watch`), its
// stdout and stderr captured. Move-only; the destructor kills a child still running.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess();
  BackgroundProcess(BackgroundProcess&& other) noexcept;
  BackgroundProcess& operator=(BackgroundProcess&& other) noexcept;
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // False when it could not be started (start_error() says why) or has been waited for.
  bool running() const { return pid_ > 0; }
  const std::string& start_error() const { return start_error_; }
  // What it wrote to stdout / stderr so far.
  std::string out() const;
  std::string err() const;
  // Returns true once `ready(stdout so far)` holds; false if the child exits without it
  // or `timeout` passes first. Re-reads the output every few milliseconds.
  bool WaitForOutput(const std::function<bool(const std::string&)>& ready, absl::Duration timeout);
  // Waits for the exit and returns what it left behind; a child still running at
  // `timeout` is killed (exit_code -1, as with RunProcess).
  ProcessResult Wait(absl::Duration timeout);
  void Signal(int signal_number) const;

 private:
  friend BackgroundProcess StartProcess(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& extra_env);
  void Reset();

  pid_t pid_ = -1;
  int pid_fd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string start_error_;
};

// Starts argv like RunProcess but returns at once.
BackgroundProcess StartProcess(const std::vector<std::string>& argv,
                               const std::vector<std::string>& extra_env = {});

// A daemon started by SpawnAndWaitForAddress.
struct SpawnedDaemon {
  pid_t pid = -1;
  int pid_fd = -1;  // a pidfd, readable once it exits (-1 if the kernel has none)
  std::string address;
};
// Spawns argv (a daemon given an address file) with stdout and stderr appended to
// `log_path`, and waits, on inotify and the process's exit, until it has written its
// HOST:PORT to `address_path` (removed first). Returns "" on success, else why not (the
// process is then reaped, or still running in `spawned` if it only ran out of time).
std::string SpawnAndWaitForAddress(const std::vector<std::string>& argv,
                                   const std::string& log_path, const std::string& address_path,
                                   absl::Time deadline, SpawnedDaemon* spawned);

// Runs the real `sello` binary without adding --server (offline commands, usage errors).
template <typename... Args>
ProcessResult RunSello(const Args&... args) {
  return RunProcess({SELLO_PATH, std::string(args)...});
}

// One sellod on its own temporary directory (removed by the destructor, which also
// kills a daemon still running so that a failed test never leaks a process).
class DaemonHarness {
 public:
  DaemonHarness();
  ~DaemonHarness();
  DaemonHarness(const DaemonHarness&) = delete;
  DaemonHarness& operator=(const DaemonHarness&) = delete;

  // Extra sellod flags for the following Start()s (e.g. TLS).
  void set_daemon_args(std::vector<std::string> args) { daemon_args_ = std::move(args); }
  // The TLS material (PEM file paths) the harness's health check and RunCli* use from
  // now on; an empty `ca` means plaintext. `server_name`: the name the server's
  // certificate is checked against (sello --tls-server-name), when not the address's host.
  struct ClientTls {
    std::string ca, cert, key;
    std::string server_name;
  };
  void set_client_tls(ClientTls tls) { client_tls_ = std::move(tls); }

  // Starts sellod listening on `listen` (a free loopback port by default; pass a
  // previous address() to come back where clients expect it) and returns once the
  // health service answers SERVING; fails with the daemon's log if it exits first or
  // does not serve within 20 s.
  ::testing::AssertionResult Start(const std::string& listen = "127.0.0.1:0");
  // Sends `signal_number` and waits (bounded) for the exit; returns the exit status, or
  // 128 + N if a signal N ended it. Adds a test failure if it had to be killed.
  int Stop(int signal_number = SIGTERM);
  // Stop(SIGTERM) that must exit 0, then Start() on the same data dir.
  ::testing::AssertionResult Restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // HOST:PORT of the running daemon.
  const std::string& address() const { return address_; }
  // The bootstrap ADMIN secret, from DATA_DIR/admin.token.
  std::string admin_token() const;
  const std::string& data_dir() const { return data_dir_; }
  // The temporary directory holding the data dir, the log and any test files.
  const std::string& root_dir() const { return root_dir_; }
  // Everything the daemon wrote to stderr, over all its starts.
  std::string log() const;
  // Waits (on inotify, bounded by `timeout`) until `needle` occurs at least `count` times
  // in log(); returns whether it did.
  bool WaitForLog(const std::string& needle, int count, absl::Duration timeout) const;

  // The daemon's Prometheus page (it runs with --metrics-listen; the address is the one
  // its log gives), "" when there is none.
  std::string Metrics() const;

  // Writes `content` to ROOT/name and returns the path.
  std::string WriteFile(const std::string& name, const std::string& content) const;

  // Runs `sello --server ADDRESS args...`, its default audit state (the checkpoint it
  // trusts) under root_dir().
  template <typename... Args>
  ProcessResult RunCli(const Args&... args) const {
    return RunCliArgs({std::string(args)...});
  }
  // Runs `sello --server ADDRESS --token TOKEN args...`.
  template <typename... Args>
  ProcessResult RunCliAs(const std::string& token, const Args&... args) const {
    return RunCliArgs({"--token", token, std::string(args)...});
  }
  ProcessResult RunCliArgs(const std::vector<std::string>& args,
                           const std::vector<std::string>& extra_env = {}) const;

  // Starts `sello --server ADDRESS args...` in the background (e.g. a watch).
  template <typename... Args>
  BackgroundProcess StartCli(const Args&... args) const {
    return StartCliArgs({std::string(args)...});
  }
  BackgroundProcess StartCliArgs(const std::vector<std::string>& args,
                                 const std::vector<std::string>& extra_env = {}) const;

 private:
  // Waits up to `timeout` for the daemon to exit; returns its wait status, or -1 after
  // the timeout.
  int WaitForExit(absl::Duration timeout);
  void Kill();

  // The global flags RunCli* put before the command: --server and any TLS files.
  std::vector<std::string> CliPrefix() const;
  // RunCli*'s environment: XDG_STATE_HOME in root_dir() (so the default audit state of
  // `sello` is this test's own), then `extra_env`.
  std::vector<std::string> CliEnvironment(const std::vector<std::string>& extra_env) const;

  std::vector<std::string> daemon_args_;
  ClientTls client_tls_;
  std::string root_dir_;
  std::string data_dir_;
  std::string log_path_;
  std::string address_path_;
  std::string address_;
  pid_t pid_ = -1;
  int pid_fd_ = -1;
};

// A test that starts one daemon before its body and holds the bootstrap ADMIN token.
class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Issues a token with `sello token create` as ADMIN and returns its secret (empty,
  // with a test failure, if that fails).
  std::string IssueToken(const std::string& organisation, const std::string& role);

  DaemonHarness daemon_;
  std::string admin_;
};

// GET `path` from HOST:PORT (IPv4) with HTTP/1.0: the whole answer, headers included (""
// when it cannot connect). E.g. sellod's Prometheus metrics (DaemonHarness::Metrics).
std::string HttpGet(const std::string& address, const std::string& path);

// The long flags of `sellod --help` ("data-dir", ...), for checking deploy/'s files.
std::set<std::string> SellodFlags();

// Every line of `log` that contains all of `needles` (e.g. one call of the access log).
std::vector<std::string> LinesWith(const std::string& log, const std::vector<std::string>& needles);

// `text` without leading and trailing white space.
std::string Trimmed(const std::string& text);

// The whole content of the file at `path` ("" when it cannot be read).
std::string ReadWholeFile(const std::string& path);

// Parses the CLI's `-o json` output into `message`; fails the test if it does not parse.
template <typename Message>
Message ParseJson(const std::string& json) {
  Message message;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

}  // namespace sello::e2e

#endif  // SELLO_TESTS_E2E_DAEMON_HARNESS_H_
