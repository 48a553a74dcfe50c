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

// Arrays travel from the child as [rank][shape...][bytes of data] records.
template <class T>
void pack(std::string& s, const H5Array<T>& a) {
  const int64_t rank = int64_t(a.shape.size()), bytes = int64_t(a.data.size() * sizeof(T));
  s.append(reinterpret_cast<const char*>(&rank), sizeof rank);
  s.append(reinterpret_cast<const char*>(a.shape.data()), a.shape.size() * sizeof(int64_t));
  s.append(reinterpret_cast<const char*>(&bytes), sizeof bytes);
  s.append(reinterpret_cast<const char*>(a.data.data()), size_t(bytes));
}

template <class T>
H5Array<T> unpack(const std::string& s, size_t& off) {
  auto take = [&](void* dst, size_t n) {
    CMEMS_CHECK(off + n <= s.size(), "HDF5 reader: truncated reply from the reading process");
    std::memcpy(dst, s.data() + off, n);
    off += n;
  };
  H5Array<T> a;
  int64_t rank = 0, bytes = 0;
  take(&rank, sizeof rank);
  CMEMS_CHECK(rank >= 1 && rank <= 4, "HDF5 reader: corrupt reply from the reading process");
  a.shape.resize(size_t(rank));
  take(a.shape.data(), size_t(rank) * sizeof(int64_t));
  take(&bytes, sizeof bytes);
  a.data.resize(size_t(bytes) / sizeof(T));
  take(a.data.data(), size_t(bytes));
  return a;
}

// libhdf5 runs in a child process (core/isolate.hpp): it crashes on some malformed files.
// One child reads a whole list (a fork per file costs ~50 ms with torch loaded); when the
// list fails, the files are read again one child each, so that the error names its file.
template <class T>
std::vector<H5Array<T>> read_isolated(const std::vector<std::string>& paths, const std::string& name,
                                      const H5::PredType& mem) {
  for (auto& p : paths) require_exists(p, "HDF5 file");
  auto read_list = [&](size_t begin, size_t end) {
    std::string b = run_isolated(
        [&] {
          std::string s;
          for (size_t i = begin; i < end; ++i) pack(s, read_any<T>(paths[i], name, mem));
          return s;
        },
        paths[begin], "the HDF5 library crashed on this file (malformed or corrupt HDF5)");
    std::vector<H5Array<T>> out;
    size_t off = 0;
    for (size_t i = begin; i < end; ++i) out.push_back(unpack<T>(b, off));
    return out;
  };
  if (paths.size() == 1) return read_list(0, 1);
  std::vector<H5Array<T>> out;
  constexpr size_t kChunk = 256;  // bounds the child's reply (~60 MB of 256x216 float slices)
  for (size_t begin = 0; begin < paths.size(); begin += kChunk) {
    const size_t end = std::min(paths.size(), begin + kChunk);
    std::vector<H5Array<T>> part;
    try {
      part = read_list(begin, end);
    } catch (const Error&) {
      for (size_t i = begin; i < end; ++i) read_list(i, i + 1);  // throws naming the file
      throw;
    }
    for (auto& a : part) out.push_back(std::move(a));
  }
  return out;
}
}  // namespace

H5Array<float> read_h5_float(const std::string& path, const std::string& name) {
  return std::move(read_isolated<float>({path}, name, H5::PredType::NATIVE_FLOAT).front());
}
H5Array<uint8_t> read_h5_u8(const std::string& path, const std::string& name) {
  return std::move(read_isolated<uint8_t>({path}, name, H5::PredType::NATIVE_UINT8).front());
}
std::vector<H5Array<float>> read_h5_float(const std::vector<std::string>& paths, const std::string& name) {
  return read_isolated<float>(paths, name, H5::PredType::NATIVE_FLOAT);
}
std::vector<H5Array<uint8_t>> read_h5_u8(const std::vector<std::string>& paths, const std::string& name) {
  return read_isolated<uint8_t>(paths, name, H5::PredType::NATIVE_UINT8);
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
