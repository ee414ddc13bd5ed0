#include "tests/bench/load/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace sello::load {

ProgressBar::ProgressBar(std::string label, std::string unit, int64_t total,
                         const std::atomic<int64_t>& done)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      done_(done),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {
  const auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::seconds(5);
  thread_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stopped_; })) Show(false);
  });
}

ProgressBar::~ProgressBar() { Stop(); }

void ProgressBar::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  wake_.notify_all();
  thread_.join();
  Show(true);
}

void ProgressBar::Show(bool final) {
  constexpr int kWidth = 30;
  const int64_t done = done_.load(std::memory_order_relaxed);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? done / seconds : 0;
  const double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(done) / total_) : 1;
  const int filled = static_cast<int>(fraction * kWidth);
  const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
  const std::string left = final || rate <= 0
                               ? absl::StrFormat("%.1f s", seconds)
                               : absl::StrFormat("%.0f s left", (total_ - done) / rate);
  const std::string line = absl::StrFormat("%s [%s] %d/%d %s  %.0f %s/s  %s", label_, bar, done,
                                           total_, unit_, rate, unit_, left);
  if (terminal_) {
    absl::FPrintF(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
  } else {
    absl::FPrintF(stderr, "%s\n", line);
  }
  std::fflush(stderr);
}

}  // namespace sello::load
