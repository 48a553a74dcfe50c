#include "io/hdf5.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/isolate.hpp"

namespace cmems {
namespace {

template <class T>
H5Array<T> read_any(const std::string& path, const std::string& name, const H5::PredType& mem) {
  require_exists(path, "HDF5 file");
  H5::Exception::dontPrint();
  H5Array<T> out;
  try {
    H5::H5File file(path, H5F_ACC_RDONLY);
    CMEMS_CHECK(file.nameExists(name), path, ": has no dataset '", name, "'");
    H5::DataSet ds = file.openDataSet(name);
    H5::DataSpace space = ds.getSpace();
    int rank = space.getSimpleExtentNdims();
    CMEMS_CHECK(rank >= 1 && rank <= 4, path, ": dataset '", name, "' has rank ", rank);
    std::vector<hsize_t> dims(rank);
    space.getSimpleExtentDims(dims.data());
    size_t n = 1;
    for (auto d : dims) {
      out.shape.push_back(static_cast<int64_t>(d));
      n *= d;
    }
    CMEMS_CHECK(n > 0 && n < (size_t(1) << 33), path, ": dataset '", name, "' has ", n, " elements");
    H5T_class_t cls = ds.getTypeClass();
    CMEMS_CHECK(cls == H5T_INTEGER || cls == H5T_FLOAT, path, ": dataset '", name,
                "' is not numeric");
    if constexpr (std::is_same_v<T, uint8_t>) {
      // Read as float first so that out-of-range values are caught, not wrapped.
      std::vector<float> tmp(n);
      ds.read(tmp.data(), H5::PredType::NATIVE_FLOAT);
      out.data.resize(n);
      for (size_t i = 0; i < n; ++i) {
        CMEMS_CHECK(tmp[i] >= 0 && tmp[i] <= 255 && tmp[i] == std::floor(tmp[i]), path,
                    ": dataset '", name, "' value ", tmp[i], " is not a class in [0, 255]");
        out.data[i] = static_cast<uint8_t>(tmp[i]);
      }
    } else {
      out.data.resize(n);
      ds.read(out.data.data(), mem);
      for (auto x : out.data)
        CMEMS_CHECK(std::isfinite(x), path, ": dataset '", name, "' contains NaN or Inf");
    }
  } catch (const H5::Exception& e) {
    CMEMS_FAIL(path, ": not a readable HDF5 file or dataset '", name, "' (", e.getDetailMsg(), ")");
  }
  return out;
}

template <class T>
void write_ds(H5::H5File& f, const std::string& name, const H5Array<T>& a, const H5::PredType& t) {
  std::vector<hsize_t> dims(a.shape.begin(), a.shape.end());
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  H5::DataSet ds = f.createDataSet(name, t, space);
  ds.write(a.data.data(), t);
}

// libhdf5 runs in a child process (core/isolate.hpp): it crashes on some malformed files.
template <class T>
H5Array<T> read_isolated(const std::string& path, const std::string& name, const H5::PredType& mem) {
  require_exists(path, "HDF5 file");
  std::string b = run_isolated(
      [&] {
        H5Array<T> a = read_any<T>(path, name, mem);
        std::string s(sizeof(int64_t) * (1 + a.shape.size()) + a.data.size() * sizeof(T), '\0');
        int64_t rank = int64_t(a.shape.size());
        std::memcpy(s.data(), &rank, sizeof rank);
        std::memcpy(s.data() + sizeof rank, a.shape.data(), a.shape.size() * sizeof(int64_t));
        std::memcpy(s.data() + sizeof(int64_t) * (1 + a.shape.size()), a.data.data(), a.data.size() * sizeof(T));
        return s;
      },
      path, "the HDF5 library crashed on this file (malformed or corrupt HDF5)");
  H5Array<T> a;
  int64_t rank = 0;
  std::memcpy(&rank, b.data(), sizeof rank);
  a.shape.resize(size_t(rank));
  std::memcpy(a.shape.data(), b.data() + sizeof rank, size_t(rank) * sizeof(int64_t));
  size_t off = sizeof(int64_t) * (1 + size_t(rank));
  a.data.resize((b.size() - off) / sizeof(T));
  std::memcpy(a.data.data(), b.data() + off, a.data.size() * sizeof(T));
  return a;
}
}  // namespace

H5Array<float> read_h5_float(const std::string& path, const std::string& name) {
  return read_isolated<float>(path, name, H5::PredType::NATIVE_FLOAT);
}
H5Array<uint8_t> read_h5_u8(const std::string& path, const std::string& name) {
  return read_isolated<uint8_t>(path, name, H5::PredType::NATIVE_UINT8);
}

void write_h5(const std::string& path, const std::vector<std::pair<std::string, H5Array<float>>>& f32,
              const std::vector<std::pair<std::string, H5Array<uint8_t>>>& u8) {
  H5::Exception::dontPrint();
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  try {
    {
      H5::H5File f(tmp, H5F_ACC_TRUNC);
      for (auto& [n, a] : f32) write_ds(f, n, a, H5::PredType::NATIVE_FLOAT);
      for (auto& [n, a] : u8) write_ds(f, n, a, H5::PredType::NATIVE_UINT8);
    }
    std::filesystem::rename(tmp, path);
  } catch (const H5::Exception& e) {
    std::filesystem::remove(tmp);
    CMEMS_FAIL(path, ": cannot write HDF5 (", e.getDetailMsg(), ")");
  }
}
}  // namespace cmems
