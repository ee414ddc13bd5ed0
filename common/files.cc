#include "common/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace sello::storage {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, absl::string_view content, mode_t mode) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create", temp);
  // open() does not change the mode of a file that already exists.
  bool ok = ::fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  errno = saved_errno;
  if (!ok) return Errno("cannot write", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("cannot rename to", path);
  // The rename is durable once the directory is synced.
  const std::string dir = DirectoryOf(path);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Errno("cannot open", dir);
  ok = ::fsync(dir_fd) == 0;
  ::close(dir_fd);
  if (!ok) return Errno("cannot sync", dir);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Errno("cannot read", path);
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Errno("cannot read", path);
  return std::optional<std::string>(content.str());
}

bool IsWithin(const std::filesystem::path& path, const std::filesystem::path& dir) {
  std::error_code ignored;
  const std::filesystem::path inner = std::filesystem::weakly_canonical(path, ignored);
  const std::filesystem::path outer = std::filesystem::weakly_canonical(dir, ignored);
  auto at = inner.begin();
  for (const std::filesystem::path& part : outer) {
    // A trailing separator is an empty last component: it names the same directory.
    if (part.empty()) break;
    if (at == inner.end() || *at != part) return false;
    ++at;
  }
  return true;
}

absl::Status PrepareDataDir(const std::string& dir) {
  std::error_code error;
  if (std::filesystem::exists(dir, error) && !std::filesystem::is_directory(dir, error)) {
    return absl::UnavailableError(absl::StrCat("data dir ", dir, " is not a directory"));
  }
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("data dir ", dir, " cannot be created: ", error.message()));
  }
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::UnavailableError(absl::StrCat("data dir ", dir, " is not a directory"));
  }
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    return absl::UnavailableError(
        absl::StrCat("data dir ", dir, " is not writable: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status LockDataDir(const std::string& dir, absl::string_view program) {
  const std::string path = absl::StrCat(dir, "/", program, ".lock");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    if (saved == EWOULDBLOCK) {
      std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "unknown";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", dir, " is already in use by another ", program, " (pid ", holder, ")"));
    }
    return absl::UnavailableError(absl::StrCat("cannot lock ", path, ": ", std::strerror(saved)));
  }
  const std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  // The descriptor stays open (and locked) until the process exits.
  return absl::OkStatus();
}

absl::Status WriteAddressFile(const std::string& path, const std::string& address) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << address << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", temp));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", temp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace sello::storage
