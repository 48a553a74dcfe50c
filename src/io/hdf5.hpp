// Reading named datasets from HDF5 files (the ACDC preprocessed layout: `image` float32,
// `label` uint8, 2D H×W or 3D D×H×W). Throws cmems::Error naming the file and dataset.
// Stage: io.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace cmems {

template <class T>
struct H5Array {
  std::vector<int64_t> shape;  // C order
  std::vector<T> data;
};

/// Reads dataset `name` of `path` converted to float32 (checks NaN/Inf).
H5Array<float> read_h5_float(const std::string& path, const std::string& name);
/// Reads dataset `name` of `path` converted to uint8 (values must be integers in [0,255]).
H5Array<uint8_t> read_h5_u8(const std::string& path, const std::string& name);
/// The same dataset of many files, read together (one reading process per 256 files).
std::vector<H5Array<float>> read_h5_float(const std::vector<std::string>& paths, const std::string& name);
std::vector<H5Array<uint8_t>> read_h5_u8(const std::vector<std::string>& paths, const std::string& name);
/// Writes datasets (for tests and prepared fixtures); replaces the file atomically.
void write_h5(const std::string& path, const std::vector<std::pair<std::string, H5Array<float>>>& f32,
              const std::vector<std::pair<std::string, H5Array<uint8_t>>>& u8);
}  // namespace cmems
