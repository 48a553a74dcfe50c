#include "core/progress.hpp"

#include <cstdio>
#include <utility>

namespace cmems {

Progress::Progress(int64_t start, int64_t total, bool live, std::string unit)
    : start_(start), total_(total), live_(live), unit_(std::move(unit)), t0_(std::chrono::steady_clock::now()) {}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

void Progress::update(int64_t it, const std::string& extra) {
  double s = seconds();
  double rate = s > 0 ? double(it - start_) / s : 0.0;
  double eta = rate > 0 ? double(total_ - it) / rate : 0.0;
  const char* u = unit_.c_str();
  std::fprintf(stderr, "%s%s %lld/%lld  %.2f %s/s  %s%s%s elapsed, ETA %s%s", live_ ? "\r" : "", u,
               static_cast<long long>(it), static_cast<long long>(total_), rate, u, extra.c_str(),
               extra.empty() ? "" : "  ", format_duration(s).c_str(), format_duration(eta).c_str(),
               live_ ? "   " : "\n");
  std::fflush(stderr);
}

void Progress::finish() {
  if (live_) std::fprintf(stderr, "\n");
}

std::string format_duration(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}
}  // namespace cmems
