// Shared helpers for the test suite: temporary folders and the shared ACDC data location.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

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

/// ../shared/data/acdc relative to the source tree, or "" when absent.
inline std::string acdc_root() {
  fs::path p = fs::path(CMEMS_SOURCE_DIR) / ".." / "shared" / "data" / "acdc";
  return fs::exists(p / "train_slices.list") ? p.string() : "";
}
}  // namespace cmems::test
