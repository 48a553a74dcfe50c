#include "io/nifti.hpp"

#include <nifti2_io.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <type_traits>
#include <unistd.h>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/isolate.hpp"

namespace cmems {
namespace {

struct NimDeleter {
  void operator()(nifti_image* n) const { nifti_image_free(n); }
};
using NimPtr = std::unique_ptr<nifti_image, NimDeleter>;

// Reads the header with nifti_clib, then the voxel data ourselves: nifti_clib's loader
// silently replaces non-finite floats by 0, and we must report them instead.
NimPtr open_nifti(const std::string& path) {
  require_exists(path, "NIfTI file");
  nifti_set_debug_level(0);
  NimPtr nim(nifti_image_read(path.c_str(), 0));
  CMEMS_CHECK(nim, path, ": not a readable NIfTI file (corrupt, truncated or wrong format)");
  for (int d = 4; d <= 7; ++d)
    CMEMS_CHECK(nim->dim[0] < d || nim->dim[d] <= 1, path, ": expected one 2D/3D channel, got ",
                nim->dim[0], " dimensions (dim[", d, "] = ", nim->dim[d], ")");
  CMEMS_CHECK(nim->nx > 0 && nim->ny > 0 && nim->nvox > 0 && nim->nbyper > 0, path, ": empty image");
  CMEMS_CHECK(nim->nvox < (int64_t(1) << 31), path, ": image too large (", nim->nvox, " voxels)");
  const size_t bytes = size_t(nim->nvox) * size_t(nim->nbyper);
  znzFile fp = znzopen(nim->iname, "rb", nifti_is_gzfile(nim->iname));
  CMEMS_CHECK(!znz_isnull(fp), path, ": cannot open the image data");
  std::vector<char> buf(bytes);
  bool ok = znzseek(fp, long(nim->iname_offset), SEEK_SET) >= 0 && znzread(buf.data(), 1, bytes, fp) == bytes;
  znzclose(fp);
  CMEMS_CHECK(ok, path, ": truncated NIfTI file (the voxel data is incomplete)");
  if (nim->byteorder != nifti_short_order() && nim->swapsize > 1)
    nifti_swap_Nbytes(nim->nvox, nim->swapsize, buf.data());
  nim->data = std::malloc(bytes);  // freed by nifti_image_free
  CMEMS_CHECK(nim->data, path, ": out of memory");
  std::memcpy(nim->data, buf.data(), bytes);
  return nim;
}

Geometry geometry_of(const nifti_image* n) {
  Geometry g;
  auto sp = [](double v) { return (v > 0 && std::isfinite(v)) ? v : 1.0; };
  g.spacing = {sp(n->dx), sp(n->dy), n->nz > 1 || n->dim[0] >= 3 ? sp(n->dz) : 1.0};
  g.qform_code = n->qform_code;
  g.sform_code = n->sform_code;
  g.quatern_b = n->quatern_b, g.quatern_c = n->quatern_c, g.quatern_d = n->quatern_d;
  g.qoffset_x = n->qoffset_x, g.qoffset_y = n->qoffset_y, g.qoffset_z = n->qoffset_z;
  g.qfac = n->qfac == 0 ? 1 : n->qfac;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) g.sform[i][j] = n->sto_xyz.m[i][j];
  g.xyz_units = n->xyz_units;
  return g;
}

template <class T>
void copy_converted(const nifti_image* n, std::vector<T>& out, const std::string& path) {
  out.resize(static_cast<size_t>(n->nvox));
  auto convert = [&](auto* src) {
    for (int64_t i = 0; i < n->nvox; ++i) out[i] = static_cast<T>(src[i]);
  };
  switch (n->datatype) {
    case DT_UINT8: convert(static_cast<const uint8_t*>(n->data)); break;
    case DT_INT8: convert(static_cast<const int8_t*>(n->data)); break;
    case DT_INT16: convert(static_cast<const int16_t*>(n->data)); break;
    case DT_UINT16: convert(static_cast<const uint16_t*>(n->data)); break;
    case DT_INT32: convert(static_cast<const int32_t*>(n->data)); break;
    case DT_UINT32: convert(static_cast<const uint32_t*>(n->data)); break;
    case DT_INT64: convert(static_cast<const int64_t*>(n->data)); break;
    case DT_FLOAT32: convert(static_cast<const float*>(n->data)); break;
    case DT_FLOAT64: convert(static_cast<const double*>(n->data)); break;
    default: CMEMS_FAIL(path, ": unsupported NIfTI data type ", n->datatype);
  }
}

template <class T>
Volume<T> volume_shell(const nifti_image* n) {
  Volume<T> v;
  v.dims = {n->nx, n->ny, n->dim[0] >= 3 ? std::max<int64_t>(n->nz, 1) : 1};
  v.geometry = geometry_of(n);
  return v;
}

template <class T>
void write_any(const std::string& path, const Volume<T>& v, int datatype, int64_t channels = 1) {
  CMEMS_CHECK(v.size() > 0 && channels >= 1 && int64_t(v.data.size()) == v.size() * channels, path,
              ": refusing to write an empty or inconsistent volume");
  const int64_t dims[8] = {channels > 1 ? 4 : 3, v.dims[0], v.dims[1], v.dims[2], channels, 1, 1, 1};
  NimPtr nim(nifti_make_new_nim(dims, datatype, 0));
  CMEMS_CHECK(nim, path, ": cannot create NIfTI header");
  const Geometry& g = v.geometry;
  nim->dx = nim->pixdim[1] = g.spacing[0];
  nim->dy = nim->pixdim[2] = g.spacing[1];
  nim->dz = nim->pixdim[3] = g.spacing[2];
  nim->qform_code = g.qform_code;
  nim->sform_code = g.sform_code;
  nim->quatern_b = g.quatern_b, nim->quatern_c = g.quatern_c, nim->quatern_d = g.quatern_d;
  nim->qoffset_x = g.qoffset_x, nim->qoffset_y = g.qoffset_y, nim->qoffset_z = g.qoffset_z;
  nim->qfac = g.qfac;
  nim->pixdim[0] = g.qfac;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) nim->sto_xyz.m[i][j] = g.sform[i][j];
  nim->xyz_units = g.xyz_units;
  nim->qto_xyz = nifti_quatern_to_dmat44(g.quatern_b, g.quatern_c, g.quatern_d, g.qoffset_x,
                                         g.qoffset_y, g.qoffset_z, g.spacing[0], g.spacing[1],
                                         g.spacing[2], g.qfac);
  nim->data = const_cast<T*>(v.data.data());
  // Write to a temporary sibling with the same extension, then rename.
  fs::path final_path(path);
  std::string name = final_path.filename().string();
  fs::path tmp = final_path.parent_path() / (".tmp" + std::to_string(::getpid()) + "-" + name);
  int rc = nifti_set_filenames(nim.get(), tmp.c_str(), 0, 1);
  if (rc != 0) {
    nim->data = nullptr;
    CMEMS_FAIL(path, ": not a NIfTI file name (use .nii or .nii.gz)");
  }
  nifti_image_write(nim.get());
  nim->data = nullptr;  // owned by v
  NimPtr check(nifti_image_read(tmp.c_str(), 0));
  if (!check || int64_t(check->nvox) != v.size() * channels) {
    fs::remove(tmp);
    CMEMS_FAIL(path, ": write failed (disk full or not writable); nothing was replaced");
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp);
    CMEMS_FAIL(path, ": cannot move the written file into place: ", ec.message());
  }
}

ImageVolume read_image_direct(const std::string& path) {
  NimPtr n = open_nifti(path);
  ImageVolume v = volume_shell<float>(n.get());
  copy_converted(n.get(), v.data, path);
  double slope = n->scl_slope, inter = n->scl_inter;
  bool scale = slope != 0 && std::isfinite(slope) && (slope != 1 || inter != 0);
  for (auto& x : v.data) {
    if (scale) x = static_cast<float>(x * slope + inter);
    CMEMS_CHECK(std::isfinite(x), path, ": image contains NaN or Inf intensities");
  }
  return v;
}

LabelVolume read_labels_direct(const std::string& path) {
  NimPtr n = open_nifti(path);
  ImageVolume as_float = volume_shell<float>(n.get());
  copy_converted(n.get(), as_float.data, path);
  LabelVolume v = volume_shell<uint8_t>(n.get());
  v.data.resize(as_float.data.size());
  for (size_t i = 0; i < v.data.size(); ++i) {
    float x = as_float.data[i];
    CMEMS_CHECK(x >= 0 && x <= 255 && x == std::floor(x), path, ": label value ", x,
                " is not an integer class in [0, 255]");
    v.data[i] = static_cast<uint8_t>(x);
  }
  return v;
}

// nifti_clib runs in a child process (core/isolate.hpp): it crashes on some malformed files.
template <class T>
std::string pack(const Volume<T>& v) {
  static_assert(std::is_trivially_copyable_v<Geometry>);
  std::string b(sizeof v.dims + sizeof(Geometry) + v.data.size() * sizeof(T), '\0');
  std::memcpy(b.data(), v.dims.data(), sizeof v.dims);
  std::memcpy(b.data() + sizeof v.dims, &v.geometry, sizeof(Geometry));
  std::memcpy(b.data() + sizeof v.dims + sizeof(Geometry), v.data.data(), v.data.size() * sizeof(T));
  return b;
}
template <class T>
Volume<T> unpack(const std::string& b) {
  Volume<T> v;
  std::memcpy(v.dims.data(), b.data(), sizeof v.dims);
  std::memcpy(&v.geometry, b.data() + sizeof v.dims, sizeof(Geometry));
  v.data.resize((b.size() - sizeof v.dims - sizeof(Geometry)) / sizeof(T));
  std::memcpy(v.data.data(), b.data() + sizeof v.dims + sizeof(Geometry), v.data.size() * sizeof(T));
  return v;
}
constexpr const char* kCrash = "the NIfTI library crashed on this file (malformed or corrupt NIfTI)";
}  // namespace

ImageVolume read_nifti_image(const std::string& path) {
  require_exists(path, "NIfTI file");
  return unpack<float>(run_isolated([&] { return pack(read_image_direct(path)); }, path, kCrash));
}

LabelVolume read_nifti_labels(const std::string& path) {
  require_exists(path, "NIfTI file");
  return unpack<uint8_t>(run_isolated([&] { return pack(read_labels_direct(path)); }, path, kCrash));
}

void write_nifti(const std::string& path, const LabelVolume& v) { write_any(path, v, DT_UINT8); }
void write_nifti(const std::string& path, const ImageVolume& v) { write_any(path, v, DT_FLOAT32); }
void write_nifti_channels(const std::string& path, const ImageVolume& v, int64_t channels) {
  write_any(path, v, DT_FLOAT32, channels);
}
}  // namespace cmems

namespace cmems {
NiftiHeader read_nifti_header(const std::string& path) {
  require_exists(path, "NIfTI file");
  static_assert(std::is_trivially_copyable<NiftiHeader>::value, "the header crosses the isolation as bytes");
  std::string b = run_isolated(
      [&] {
        nifti_set_debug_level(0);
        NimPtr n(nifti_image_read(path.c_str(), 0));
        CMEMS_CHECK(n, path, ": not a readable NIfTI file (corrupt, truncated or wrong format)");
        NiftiHeader h;
        h.dims = {n->nx, n->ny, n->dim[0] >= 3 ? std::max<int64_t>(n->nz, 1) : 1};
        h.geometry = geometry_of(n.get());
        return std::string(reinterpret_cast<const char*>(&h), sizeof h);
      },
      path, kCrash);
  NiftiHeader h;
  std::memcpy(&h, b.data(), sizeof h);
  return h;
}

std::array<int64_t, 3> read_nifti_dims(const std::string& path) { return read_nifti_header(path).dims; }
}  // namespace cmems
