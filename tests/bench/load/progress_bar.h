// A progress display on stderr for a long phase: on a terminal a bar redrawn in place
// with the count, the rate and the time left; otherwise one plain line every few seconds.
#ifndef SELLO_TESTS_BENCH_LOAD_PROGRESS_BAR_H_
#define SELLO_TESTS_BENCH_LOAD_PROGRESS_BAR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace sello::load {

// Shows `done` out of `total` `unit` until Stop() (or destruction), which prints the final
// line with the overall rate.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::string unit, int64_t total, const std::atomic<int64_t>& done);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Stop();

 private:
  void Show(bool final);

  const std::string label_;
  const std::string unit_;
  const int64_t total_;
  const std::atomic<int64_t>& done_;
  const bool terminal_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_PROGRESS_BAR_H_
