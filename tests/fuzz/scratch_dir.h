// A private scratch directory for a fuzz target's files, on tmpfs when there is one (a
// file per input must not cost a disk write), removed at exit.
#ifndef SELLO_TESTS_FUZZ_SCRATCH_DIR_H_
#define SELLO_TESTS_FUZZ_SCRATCH_DIR_H_

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace sello::fuzz {

class ScratchDir {
 public:
  // `name` goes into the directory's name, to tell the targets' apart.
  explicit ScratchDir(const std::string& name) {
    std::error_code error;
    std::string base = "/dev/shm";
    if (const char* tmp = std::getenv("SELLO_FUZZ_TMPDIR"); tmp != nullptr) {
      base = tmp;
    } else if (!std::filesystem::is_directory(base, error)) {
      base = std::filesystem::temp_directory_path(error).string();
    }
    std::string pattern = base + "/sello-fuzz-" + name + "-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror(pattern.c_str());
      std::abort();
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sello::fuzz

#endif  // SELLO_TESTS_FUZZ_SCRATCH_DIR_H_
