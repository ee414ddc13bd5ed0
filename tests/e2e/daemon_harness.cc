#include "tests/e2e/daemon_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "grpc/health/v1/health.grpc.pb.h"

extern char** environ;

namespace sello::e2e {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(20);
constexpr absl::Duration kStopTimeout = absl::Seconds(20);

std::string TempBase() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

std::string ReadFd(int fd) {
  std::string content;
  char buffer[8192];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof(buffer), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return content;
}

int PidFdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Waits for `pid` to exit and reaps it. Returns its wait status, or nullopt if it is
// still running at `timeout`. Without a pidfd (old kernel) the wait is unbounded.
std::optional<int> WaitPid(pid_t pid, int pid_fd, absl::Duration timeout) {
  if (pid_fd >= 0) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (left_ms < 0) return std::nullopt;
      pollfd entry = {.fd = pid_fd, .events = POLLIN, .revents = 0};
      const int ready = ::poll(&entry, 1, static_cast<int>(left_ms));
      if (ready > 0) break;
      if (ready == 0) return std::nullopt;
      if (errno != EINTR) break;  // fall through to a plain waitpid
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// The test's environment minus SELLO_* (so that a developer's SELLO_TOKEN or
// SELLO_SERVER never leaks into a test), plus `extra` (a later NAME=value replaces an
// earlier one of the same name).
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  const auto put = [&env](const std::string& entry) {
    const std::string name = entry.substr(0, entry.find('=') + 1);
    for (std::string& existing : env) {
      if (absl::StartsWith(existing, name)) {
        existing = entry;
        return;
  }
    }
    env.push_back(entry);
  };
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!absl::StartsWith(*entry, "SELLO_")) put(*entry);
  }
  for (const std::string& entry : extra) put(entry);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Spawns argv with stdin from /dev/null and stdout/stderr on the given descriptors.
// Returns the pid, or -1 with `error` set.
pid_t Spawn(std::vector<std::string> argv, const std::vector<std::string>& extra_env, int out_fd,
            int err_fd, std::string* error) {
  std::vector<std::string> env = ChildEnvironment(extra_env);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = absl::StrCat("cannot spawn ", argv[0], ": ", std::strerror(rc));
    return -1;
  }
  return pid;
}

// An unlinked temporary file, closed on destruction.
class CaptureFile {
 public:
  CaptureFile() {
    std::string path = TempBase() + "/sello-e2e-capture-XXXXXX";
    fd_ = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd_ >= 0) ::unlink(path.c_str());
  }
  ~CaptureFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;
  int fd() const { return fd_; }
  std::string Read() const { return fd_ >= 0 ? ReadFd(fd_) : ""; }
  // Hands the descriptor over to the caller.
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

}  // namespace

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::set<std::string> SellodFlags() {
  const ProcessResult help = RunProcess({SELLOD_PATH, "--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  std::set<std::string> flags;
  const std::regex flag(R"(^\s+--([a-z0-9-]+))");
  for (absl::string_view line : absl::StrSplit(help.out, '\n')) {
    std::cmatch match;
    if (std::regex_search(line.begin(), line.end(), match, flag)) flags.insert(match[1].str());
  }
  return flags;
}

std::vector<std::string> LinesWith(const std::string& log,
                                   const std::vector<std::string>& needles) {
  std::vector<std::string> found;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    bool all = true;
    for (const std::string& needle : needles) all = all && absl::StrContains(line, needle);
    if (all) found.emplace_back(line);
  }
  return found;
}

std::string HttpGet(const std::string& address, const std::string& path) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) return "";
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)) == 0) {
    const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\n\r\n");
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[8192];
      ssize_t n;
      while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) answer.append(buffer, n);
    }
  }
  ::close(fd);
  return answer;
}

std::ostream& operator<<(std::ostream& os, const ProcessResult& result) {
  return os << "exit code " << result.exit_code << "\n--- stdout:\n"
            << result.out << "\n--- stderr:\n"
            << result.err;
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env, absl::Duration timeout) {
  ProcessResult result;
  CaptureFile out;
  CaptureFile err;
  if (out.fd() < 0 || err.fd() < 0) {
    result.err = absl::StrCat("cannot create capture files: ", std::strerror(errno));
    return result;
  }
  std::string error;
  const pid_t pid = Spawn(argv, extra_env, out.fd(), err.fd(), &error);
  if (pid < 0) {
    result.err = error;
    return result;
  }
  const int pid_fd = PidFdOpen(pid);
  std::optional<int> status = WaitPid(pid, pid_fd, timeout);
  if (!status.has_value()) {
    ::kill(pid, SIGKILL);
    WaitPid(pid, -1, absl::InfiniteDuration());
  }
  if (pid_fd >= 0) ::close(pid_fd);
  result.out = out.Read();
  result.err = err.Read();
  if (status.has_value()) {
    result.exit_code = ExitCodeOf(*status);
  } else {
    absl::StrAppend(&result.err, "\n[harness: killed after ", absl::FormatDuration(timeout), "]");
  }
  return result;
}

BackgroundProcess StartProcess(const std::vector<std::string>& argv,
                               const std::vector<std::string>& extra_env) {
  BackgroundProcess process;
  CaptureFile out;
  CaptureFile err;
  if (out.fd() < 0 || err.fd() < 0) {
    process.start_error_ = absl::StrCat("cannot create capture files: ", std::strerror(errno));
    return process;
  }
  const pid_t pid = Spawn(argv, extra_env, out.fd(), err.fd(), &process.start_error_);
  if (pid < 0) return process;
  process.pid_ = pid;
  process.pid_fd_ = PidFdOpen(pid);
  process.out_fd_ = out.Release();
  process.err_fd_ = err.Release();
  return process;
}

BackgroundProcess::~BackgroundProcess() { Reset(); }

BackgroundProcess::BackgroundProcess(BackgroundProcess&& other) noexcept {
  *this = std::move(other);
}

BackgroundProcess& BackgroundProcess::operator=(BackgroundProcess&& other) noexcept {
  if (this != &other) {
    Reset();
    std::swap(pid_, other.pid_);
    std::swap(pid_fd_, other.pid_fd_);
    std::swap(out_fd_, other.out_fd_);
    std::swap(err_fd_, other.err_fd_);
    std::swap(start_error_, other.start_error_);
  }
  return *this;
}

void BackgroundProcess::Reset() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitPid(pid_, -1, absl::InfiniteDuration());
  }
  for (int* fd : {&pid_fd_, &out_fd_, &err_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  pid_ = -1;
}

std::string BackgroundProcess::out() const { return out_fd_ >= 0 ? ReadFd(out_fd_) : ""; }

std::string BackgroundProcess::err() const { return err_fd_ >= 0 ? ReadFd(err_fd_) : start_error_; }

bool BackgroundProcess::WaitForOutput(const std::function<bool(const std::string&)>& ready,
                                      absl::Duration timeout) {
  constexpr int kRereadMs = 10;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (ready(out())) return true;
    if (pid_ <= 0 || absl::Now() >= deadline) return false;
    // Wakes early when the child exits; its output is then complete.
    pollfd entry = {.fd = pid_fd_, .events = POLLIN, .revents = 0};
    const int exited = ::poll(&entry, pid_fd_ >= 0 ? 1 : 0, kRereadMs);
    if (exited > 0) return ready(out());
  }
}

ProcessResult BackgroundProcess::Wait(absl::Duration timeout) {
  ProcessResult result;
  if (pid_ <= 0) {
    result.err = start_error_.empty() ? "not running" : start_error_;
    return result;
  }
  const std::optional<int> status = WaitPid(pid_, pid_fd_, timeout);
  if (!status.has_value()) {
    ::kill(pid_, SIGKILL);
    WaitPid(pid_, -1, absl::InfiniteDuration());
  }
  pid_ = -1;
  result.out = out();
  result.err = err();
  if (status.has_value()) {
    result.exit_code = ExitCodeOf(*status);
  } else {
    absl::StrAppend(&result.err, "\n[harness: killed after ", absl::FormatDuration(timeout), "]");
  }
  return result;
}

void BackgroundProcess::Signal(int signal_number) const {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

std::string SpawnAndWaitForAddress(const std::vector<std::string>& argv,
                                   const std::string& log_path, const std::string& address_path,
                                   absl::Time deadline, SpawnedDaemon* spawned) {
  *spawned = SpawnedDaemon();
  ::unlink(address_path.c_str());
  const std::string dir = std::filesystem::path(address_path).parent_path().string();
  const std::string program = std::filesystem::path(argv[0]).filename().string();
  // Watch the directory before the daemon starts, so that the rename that publishes the
  // address file cannot be missed.
  const int watch_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch_fd < 0 ||
      ::inotify_add_watch(watch_fd, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE) < 0) {
    if (watch_fd >= 0) ::close(watch_fd);
    return absl::StrCat("inotify on ", dir, ": ", std::strerror(errno));
  }
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    ::close(watch_fd);
    return absl::StrCat("cannot open ", log_path);
  }
  std::string error;
  const pid_t pid = Spawn(argv, {}, log_fd, log_fd, &error);
  ::close(log_fd);
  if (pid < 0) {
    ::close(watch_fd);
    return error;
  }
  int pid_fd = PidFdOpen(pid);

  std::string failure;
  std::string address;
  while (address.empty() && failure.empty()) {
    std::string content = ReadWholeFile(address_path);
    absl::string_view line = absl::StripAsciiWhitespace(content);
    if (!line.empty()) {
      address = std::string(line);
      break;
    }
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left_ms <= 0) {
      failure = absl::StrCat(program, " did not write its address file in time");
      break;
    }
    pollfd entries[2] = {{.fd = watch_fd, .events = POLLIN, .revents = 0},
                         {.fd = pid_fd, .events = POLLIN, .revents = 0}};
    const int ready = ::poll(entries, pid_fd >= 0 ? 2 : 1, static_cast<int>(left_ms));
    if (ready < 0 && errno != EINTR) failure = absl::StrCat("poll: ", std::strerror(errno));
    if (ready > 0 && (entries[1].revents & POLLIN) != 0) {
      // The descriptor is readable: it has exited, so this wait returns at once.
      const std::optional<int> status = WaitPid(pid, -1, absl::InfiniteDuration());
      ::close(pid_fd);
      failure =
          absl::StrCat(program, " exited early with code ", status ? ExitCodeOf(*status) : -1);
      ::close(watch_fd);
      return failure;
    }
    // Drain the inotify events: the loop re-reads the file either way.
    char events[4096];
    while (::read(watch_fd, events, sizeof(events)) > 0) {
    }
  }
  ::close(watch_fd);
  spawned->pid = pid;
  spawned->pid_fd = pid_fd;
  spawned->address = address;
  return failure;
}

DaemonHarness::DaemonHarness() {
  std::string path = TempBase() + "/sello-e2e-XXXXXX";
  if (::mkdtemp(path.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp under " << TempBase() << ": " << std::strerror(errno);
    return;
  }
  root_dir_ = path;
  data_dir_ = root_dir_ + "/data";
  log_path_ = root_dir_ + "/sellod.log";
  address_path_ = root_dir_ + "/address";
}

DaemonHarness::~DaemonHarness() {
  Kill();
  if (!root_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(root_dir_, ignored);
  }
}

void DaemonHarness::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitPid(pid_, -1, absl::InfiniteDuration());
  if (pid_fd_ >= 0) ::close(pid_fd_);
  pid_ = -1;
  pid_fd_ = -1;
}

::testing::AssertionResult DaemonHarness::Start(const std::string& listen) {
  if (root_dir_.empty()) return ::testing::AssertionFailure() << "no temporary directory";
  if (running()) return ::testing::AssertionFailure() << "sellod is already running";
  address_.clear();
  ::unlink(address_path_.c_str());

  std::vector<std::string> argv = {SELLOD_PATH, "--data-dir=" + data_dir_, "--listen=" + listen,
                                   "--address-file=" + address_path_};
  argv.insert(argv.end(), daemon_args_.begin(), daemon_args_.end());
  const absl::Time deadline = absl::Now() + kStartTimeout;
  SpawnedDaemon spawned;
  std::string failure = SpawnAndWaitForAddress(argv, log_path_, address_path_, deadline, &spawned);
  pid_ = spawned.pid;
  pid_fd_ = spawned.pid_fd;
  address_ = spawned.address;

  if (failure.empty()) {
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (!client_tls_.ca.empty()) {
      grpc::SslCredentialsOptions tls;
      tls.pem_root_certs = ReadWholeFile(client_tls_.ca);
      if (!client_tls_.cert.empty()) {
        tls.pem_cert_chain = ReadWholeFile(client_tls_.cert);
        tls.pem_private_key = ReadWholeFile(client_tls_.key);
      }
      credentials = grpc::SslCredentials(tls);
    }
    // A connection of its own: gRPC shares connections between a process's channels to
    // the same address, and one the test opened to a daemon just killed at this address
    // may not be known dead yet (the check would be sent on it and fail).
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    if (!client_tls_.server_name.empty()) {
      arguments.SetSslTargetNameOverride(client_tls_.server_name);
    }
    auto channel = grpc::CreateCustomChannel(address_, credentials, arguments);
    auto health = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(deadline));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    if (!status.ok()) {
      failure = absl::StrCat("health check at ", address_, ": ", status.error_message());
    } else if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      failure = absl::StrCat(
          "health check at ", address_, ": ",
          grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()));
    }
  }
  if (!failure.empty()) {
    Kill();
    return ::testing::AssertionFailure() << failure << "\n--- sellod log:\n" << log();
  }
  return ::testing::AssertionSuccess();
}

int DaemonHarness::WaitForExit(absl::Duration timeout) {
  const std::optional<int> status = WaitPid(pid_, pid_fd_, timeout);
  if (!status.has_value()) return -1;
  if (pid_fd_ >= 0) ::close(pid_fd_);
  pid_ = -1;
  pid_fd_ = -1;
  return *status;
}

int DaemonHarness::Stop(int signal_number) {
  if (!running()) {
    ADD_FAILURE() << "Stop(): sellod is not running";
    return -1;
  }
  ::kill(pid_, signal_number);
  const int status = WaitForExit(kStopTimeout);
  if (status == -1) {
    Kill();
    ADD_FAILURE() << "sellod did not exit within 20 s of signal " << signal_number
                  << "; killed\n--- sellod log:\n"
                  << log();
    return 128 + SIGKILL;
  }
  address_.clear();
  return ExitCodeOf(status);
}

::testing::AssertionResult DaemonHarness::Restart() {
  const int code = Stop(SIGTERM);
  if (code != 0) {
    return ::testing::AssertionFailure()
           << "sellod exited with " << code << " on SIGTERM\n--- sellod log:\n"
           << log();
  }
  return Start();
}

std::string DaemonHarness::admin_token() const {
  std::string content = ReadWholeFile(data_dir_ + "/admin.token");
  return std::string(absl::StripAsciiWhitespace(content));
}

std::string DaemonHarness::log() const { return ReadWholeFile(log_path_); }

std::string DaemonHarness::Metrics() const {
  // The last start's address: the log holds every start's.
  const std::string text = log();
  const std::regex listening(R"re("event":"metrics_listening","address":"([^"]+)")re");
  std::string address;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), listening);
       it != std::sregex_iterator(); ++it) {
    address = (*it)[1];
  }
  return address.empty() ? "" : HttpGet(address, "/metrics");
}

bool DaemonHarness::WaitForLog(const std::string& needle, int count, absl::Duration timeout) const {
  auto seen = [&] {
    const std::string text = log();
    int found = 0;
    for (size_t at = text.find(needle); at != std::string::npos && found < count;
         at = text.find(needle, at + 1)) {
      ++found;
    }
    return found >= count;
  };
  // Watch before the first read, so that a line written in between is not missed.
  const int watch_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch_fd < 0 || ::inotify_add_watch(watch_fd, log_path_.c_str(), IN_MODIFY) < 0) {
    if (watch_fd >= 0) ::close(watch_fd);
    return seen();
  }
  const absl::Time deadline = absl::Now() + timeout;
  bool found = seen();
  while (!found) {
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left_ms <= 0) break;
    pollfd entry = {.fd = watch_fd, .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, static_cast<int>(left_ms)) < 0 && errno != EINTR) break;
    char events[4096];
    while (::read(watch_fd, events, sizeof(events)) > 0) {
    }
    found = seen();
  }
  ::close(watch_fd);
  return found;
}

std::string DaemonHarness::WriteFile(const std::string& name, const std::string& content) const {
  std::string path = root_dir_ + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) ADD_FAILURE() << "cannot write " << path;
  return path;
}

std::vector<std::string> DaemonHarness::CliPrefix() const {
  std::vector<std::string> argv = {SELLO_PATH, "--server", address_};
  for (const auto& [flag, path] : {std::pair{"--ca", &client_tls_.ca},
                                   {"--cert", &client_tls_.cert},
                                   {"--key", &client_tls_.key},
                                   {"--tls-server-name", &client_tls_.server_name}}) {
    if (!path->empty()) argv.insert(argv.end(), {flag, *path});
  }
  return argv;
}

std::vector<std::string> DaemonHarness::CliEnvironment(
    const std::vector<std::string>& extra_env) const {
  // The checkpoint `sello` trusts (its audit state) stays in this test's directory.
  std::vector<std::string> env = {"XDG_STATE_HOME=" + root_dir_ + "/xdg-state"};
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return env;
}

ProcessResult DaemonHarness::RunCliArgs(const std::vector<std::string>& args,
                                        const std::vector<std::string>& extra_env) const {
  std::vector<std::string> argv = CliPrefix();
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, CliEnvironment(extra_env));
}

BackgroundProcess DaemonHarness::StartCliArgs(const std::vector<std::string>& args,
                                              const std::vector<std::string>& extra_env) const {
  std::vector<std::string> argv = CliPrefix();
  argv.insert(argv.end(), args.begin(), args.end());
  return StartProcess(argv, CliEnvironment(extra_env));
}

void SessionTest::SetUp() {
  ASSERT_TRUE(daemon_.Start());
  admin_ = daemon_.admin_token();
  ASSERT_FALSE(admin_.empty()) << "no " << daemon_.data_dir() << "/admin.token";
}

std::string SessionTest::IssueToken(const std::string& organisation, const std::string& role) {
  const ProcessResult issued =
      daemon_.RunCliAs(admin_, "token", "create", "--org", organisation, "--role", role);
  EXPECT_EQ(issued.exit_code, 0) << issued;
  const std::string secret = Trimmed(issued.out);
  EXPECT_EQ(secret.find_first_of(" \n"), std::string::npos)
      << "token create printed more than the secret:\n"
      << issued;
  return issued.exit_code == 0 ? secret : "";
}

std::string Trimmed(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

}  // namespace sello::e2e
