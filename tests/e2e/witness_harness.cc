#include "tests/e2e/witness_harness.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace sello::e2e {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(20);

std::string TempDirectory() {
  const char* base = std::getenv("TMPDIR");
  std::string path =
      absl::StrCat(base != nullptr && *base ? base : "/tmp", "/sello-witness-XXXXXX");
  if (::mkdtemp(path.data()) == nullptr) return "";
  return path;
}

}  // namespace

WitnessHarness::WitnessHarness(std::string name) : name_(std::move(name)) {
  root_dir_ = TempDirectory();
  if (root_dir_.empty()) ADD_FAILURE() << "mkdtemp failed";
  data_dir_ = root_dir_ + "/data";
  log_path_ = root_dir_ + "/witness.log";
  address_path_ = root_dir_ + "/address";
  http_options_.timeout = absl::Seconds(20);
}

WitnessHarness::~WitnessHarness() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    if (pid_fd_ >= 0) ::close(pid_fd_);
  }
  if (!root_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(root_dir_, ignored);
  }
}

::testing::AssertionResult WitnessHarness::Start(const std::vector<std::string>& log_keys,
                                                 const std::string& listen) {
  if (running()) return ::testing::AssertionFailure() << "the witness is already running";
  std::vector<std::string> argv = {SELLO_WITNESS_PATH, "--data-dir=" + data_dir_, "--name=" + name_,
                                   "--listen=" + listen, "--address-file=" + address_path_};
  for (const std::string& key : log_keys) argv.push_back("--log=" + key);
  argv.insert(argv.end(), args_.begin(), args_.end());
  tls_ = std::any_of(args_.begin(), args_.end(),
                     [](const std::string& arg) { return absl::StartsWith(arg, "--tls-cert"); });
  SpawnedDaemon spawned;
  const std::string failure =
      SpawnAndWaitForAddress(argv, log_path_, address_path_, absl::Now() + kStartTimeout, &spawned);
  pid_ = spawned.pid;
  pid_fd_ = spawned.pid_fd;
  address_ = spawned.address;
  if (!failure.empty()) {
    if (pid_ > 0) Stop(SIGKILL);
    return ::testing::AssertionFailure() << failure << "\n--- sello-witness log:\n" << log();
  }
  return ::testing::AssertionSuccess();
}

int WitnessHarness::Stop(int signal_number) {
  if (pid_ <= 0) {
    ADD_FAILURE() << "Stop(): the witness is not running";
    return -1;
  }
  ::kill(pid_, signal_number);
  if (pid_fd_ >= 0) {
    pollfd entry{.fd = pid_fd_, .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, 20'000) == 0) {
      ADD_FAILURE() << "the witness did not exit within 20 s of signal " << signal_number;
      ::kill(pid_, SIGKILL);
    }
  }
  int status = 0;
  ::waitpid(pid_, &status, 0);
  if (pid_fd_ >= 0) ::close(pid_fd_);
  pid_ = -1;
  pid_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string WitnessHarness::url() const {
  return absl::StrCat(tls_ ? "https://" : "http://", address_);
}

std::string WitnessHarness::verifier_key() const {
  return std::string(absl::StripAsciiWhitespace(ReadWholeFile(data_dir_ + "/witness.pub")));
}

std::string WitnessHarness::log() const { return ReadWholeFile(log_path_); }

client::AddCheckpointAnswer WitnessHarness::Submit(
    const domain::AddCheckpointRequest& request) const {
  absl::StatusOr<client::AddCheckpointAnswer> answer =
      client::AddCheckpoint(http_options_, url(), request);
  EXPECT_TRUE(answer.ok()) << answer.status();
  return answer.ok() ? *std::move(answer) : client::AddCheckpointAnswer();
}

client::HttpResponse WitnessHarness::Request(const std::string& method, const std::string& path,
                                             const std::string& body) const {
  absl::StatusOr<client::HttpResponse> response =
      client::HttpRequestOnce(http_options_, method, url() + path, body);
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? *std::move(response) : client::HttpResponse();
}

TestLog::TestLog(std::string origin)
    : signer_(std::make_shared<domain::NoteSigner>(*domain::NoteSigner::Generate(origin))) {}

TestLog TestLog::ForkAt(uint64_t size, const std::string& tag) const {
  return TestLog(signer_, leaves_.substr(0, size * domain::merkle::kHashSize), tag);
}

void TestLog::Append(int count) {
  for (int i = 0; i < count; ++i) {
    leaves_ += domain::merkle::LeafHash(absl::StrCat(tag_, "leaf ", size()));
  }
}

std::string TestLog::Root(uint64_t size) const {
  absl::StatusOr<domain::merkle::LeafTree> tree =
      domain::merkle::LeafTree::Build(leaves_.substr(0, size * domain::merkle::kHashSize));
  return *tree->Root();
}

std::string TestLog::Checkpoint(uint64_t size) const {
  const domain::Checkpoint checkpoint{signer_->name(), size, Root(size),
                                      absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()))};
  return *domain::SignCheckpoint(*signer_, checkpoint);
}

std::vector<std::string> TestLog::Proof(uint64_t from, uint64_t to) const {
  if (from == 0 || from == to) return {};
  absl::StatusOr<domain::merkle::LeafTree> tree =
      domain::merkle::LeafTree::Build(leaves_.substr(0, to * domain::merkle::kHashSize));
  return *domain::merkle::ConsistencyProof(from, to, *tree);
}

domain::AddCheckpointRequest TestLog::Request(uint64_t from) const {
  return domain::AddCheckpointRequest{from, Proof(from, size()), Checkpoint()};
}

}  // namespace sello::e2e
