// Shared by the fuzz targets: a per-process scratch folder.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cmems::fuzz {
inline std::filesystem::path scratch() {
  static const std::filesystem::path p = [] {
    auto d = std::filesystem::temp_directory_path() / ("cmems-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return p;
}
inline std::string put(const std::string& name, const uint8_t* data, size_t size) {
  auto p = scratch() / name;
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return p.string();
}
}  // namespace cmems::fuzz
