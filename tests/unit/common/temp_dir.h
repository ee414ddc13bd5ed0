// A temporary directory for a test, removed with everything in it at the end.
#ifndef SELLO_TESTS_UNIT_COMMON_TEMP_DIR_H_
#define SELLO_TESTS_UNIT_COMMON_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace sello::test_support {

class TempDir {
 public:
  TempDir() {
    std::string pattern = std::filesystem::temp_directory_path() / "sello-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sello::test_support

#endif  // SELLO_TESTS_UNIT_COMMON_TEMP_DIR_H_
