// Shared helpers for the test suite: temporary folders and the shared ACDC data location.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace cmems::test {
namespace fs = std::filesystem;

/// A fresh, empty temporary folder removed at scope exit.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag = "t") {
    std::random_device rd;
    path = fs::temp_directory_path() / ("cmems-" + tag + "-" + std::to_string(rd()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string str(const std::string& sub = "") const { return sub.empty() ? path.string() : (path / sub).string(); }
};

/// An h×w label (row-major) with content that no flip, turn or transposition maps onto
/// itself: an L of class 1 at the top left, a bar of class 2 down the lower right, a small
/// block of class 3 near the bottom left. Sizes from 16 up.
inline std::vector<uint8_t> asymmetric_label(int64_t h, int64_t w) {
  std::vector<uint8_t> l(size_t(h * w), 0);
  auto fill = [&](double r0, double r1, double c0, double c1, uint8_t v) {
    for (int64_t r = int64_t(r0 * h); r < int64_t(r1 * h); ++r)
      for (int64_t c = int64_t(c0 * w); c < int64_t(c1 * w); ++c) l[size_t(r * w + c)] = v;
  };
  fill(0.1, 0.5, 0.1, 0.25, 1);   // the L's upright
  fill(0.35, 0.5, 0.1, 0.55, 1);  // the L's foot
  fill(0.55, 0.9, 0.7, 0.85, 2);  // bar, lower right
  fill(0.7, 0.85, 0.2, 0.4, 3);   // block, bottom left
  return l;
}

/// ../shared/data/acdc relative to the source tree, or "" when absent.
inline std::string acdc_root() {
  fs::path p = fs::path(CMEMS_SOURCE_DIR) / ".." / "shared" / "data" / "acdc";
  return fs::exists(p / "train_slices.list") ? p.string() : "";
}
}  // namespace cmems::test
