// NIfTI-1/2 reading and writing through nifti_clib, keeping the geometry (spacing, qform,
// sform). Images are converted to float32 (scl_slope/scl_inter applied); label maps are
// uint8. Throws cmems::Error naming the file on any problem. Stage: io.
#pragma once
#include <string>

#include "io/volume.hpp"

namespace cmems {

/// Reads a 2D or 3D single-channel image as float32. Throws on missing/corrupt files,
/// more than one channel/time point, unsupported data types, and NaN/Inf voxels.
ImageVolume read_nifti_image(const std::string& path);
/// Reads a label map: values must be integers in [0, 255].
LabelVolume read_nifti_labels(const std::string& path);

/// Writes atomically (a temporary sibling, then rename). `path` ends in .nii or .nii.gz.
void write_nifti(const std::string& path, const LabelVolume& v);
void write_nifti(const std::string& path, const ImageVolume& v);
/// A 4-D float NIfTI (x, y, z, channel) with `v`'s geometry: `v.data` holds `channels`
/// volumes one after the other (x fastest, channel slowest).
void write_nifti_channels(const std::string& path, const ImageVolume& v, int64_t channels);
}  // namespace cmems

namespace cmems {
/// What the header alone says: {nx, ny, nz} and the geometry (read_nifti_image's).
struct NiftiHeader {
  std::array<int64_t, 3> dims{0, 0, 0};
  Geometry geometry;
};
/// Reads only the header. Throws like read_nifti_image.
NiftiHeader read_nifti_header(const std::string& path);
/// read_nifti_header(path).dims
std::array<int64_t, 3> read_nifti_dims(const std::string& path);
}  // namespace cmems
