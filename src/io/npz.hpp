// NumPy .npy and .npz (zip of .npy) reading, through libzip, for the Synapse TransUNet
// layout (train_npz/caseXXXX_sliceYYY.npz with `image` and `label`). Little- and
// big-endian bool/int/uint/float arrays of 1..8 bytes, C or Fortran order. Every size is
// checked against the data actually present. Stage: io.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cmems {

struct NpyArray {
  char kind = 'f';      // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  int itemsize = 4;
  bool big_endian = false;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  std::string bytes;

  int64_t numel() const;
  /// Values as float32 in C order (Fortran-ordered arrays are transposed).
  std::vector<float> to_float() const;
};

/// Parses one .npy file's bytes; throws Error naming `origin`.
NpyArray parse_npy(const std::string& bytes, const std::string& origin);
/// Every array of an .npz archive, by name without ".npy".
std::map<std::string, NpyArray> read_npz(const std::string& path);
}  // namespace cmems
