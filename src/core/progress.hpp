// A live progress line on stderr (iteration, it/s, loss, ETA). Stage: core.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace cmems {

class Progress {
 public:
  Progress(int64_t start, int64_t total, bool live);
  /// Redraws the line; `it` is the number of finished iterations.
  void update(int64_t it, const std::string& extra);
  void finish();
  double seconds() const;

 private:
  int64_t start_, total_;
  bool live_;
  std::chrono::steady_clock::time_point t0_;
};

/// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);
}  // namespace cmems
