// A 3D image on a voxel grid with its physical geometry (spacing, qform/sform), as read
// from NIfTI or HDF5. Memory order is x fastest: index = x + nx*(y + ny*z), so a C-order
// tensor view of `data` has shape [nz, ny, nx]. Stage: io (torch-free).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cmems {

/// NIfTI-style geometry. `spacing` is in the file's units (mm for NIfTI, 1 where unknown).
struct Geometry {
  std::array<double, 3> spacing{1.0, 1.0, 1.0};
  int qform_code = 0, sform_code = 0;
  double quatern_b = 0, quatern_c = 0, quatern_d = 0;
  double qoffset_x = 0, qoffset_y = 0, qoffset_z = 0, qfac = 1;
  std::array<std::array<double, 4>, 4> sform{{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}};
  int xyz_units = 2;  // NIFTI_UNITS_MM
  // false where the source gives no spacing (HDF5 slices and volumes): `spacing` is then one
  // voxel, not a physical size, and nothing that needs millimetres (infer.opening) applies
  bool spacing_known = true;
};

/// The voxel spacing in mm (NIfTI xyz_units: metres, mm, microns; unknown units are taken
/// as mm).
inline std::array<double, 3> spacing_mm(const Geometry& g) {
  const double f = g.xyz_units == 1 ? 1000.0 : g.xyz_units == 3 ? 0.001 : 1.0;
  return {g.spacing[0] * f, g.spacing[1] * f, g.spacing[2] * f};
}

template <class T>
struct Volume {
  std::array<int64_t, 3> dims{0, 0, 0};  // nx, ny, nz
  std::vector<T> data;
  Geometry geometry;

  int64_t size() const { return dims[0] * dims[1] * dims[2]; }
  T& at(int64_t x, int64_t y, int64_t z) { return data[x + dims[0] * (y + dims[1] * z)]; }
  const T& at(int64_t x, int64_t y, int64_t z) const { return data[x + dims[0] * (y + dims[1] * z)]; }
};

using ImageVolume = Volume<float>;
using LabelVolume = Volume<uint8_t>;
}  // namespace cmems
