// A progress line on stderr (k/n, rate, extra text, elapsed, ETA): training iterations,
// or the cases of evaluate and predict. Stage: core.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace cmems {

class Progress {
 public:
  /// `unit` names what is counted ("it", "case"); `live` redraws one line (\r) rather
  /// than printing one line per update.
  Progress(int64_t start, int64_t total, bool live, std::string unit = "it");
  /// Redraws the line; `it` is the number of finished units.
  void update(int64_t it, const std::string& extra);
  void finish();
  double seconds() const;

 private:
  int64_t start_, total_;
  bool live_;
  std::string unit_;
  std::chrono::steady_clock::time_point t0_;
};

/// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);
}  // namespace cmems
