#include "io/npz.hpp"

#ifdef CMEMS_HAVE_LIBZIP
#include <zip.h>
#endif

#include <cstring>
#include <memory>

#include "core/check.hpp"
#include "core/fs.hpp"

namespace cmems {

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

namespace {
// The value of `key` in the header dict, e.g. 'descr': '<f4' -> "<f4" (quotes stripped).
std::string dict_value(const std::string& h, const std::string& key, const std::string& origin) {
  auto k = h.find("'" + key + "'");
  CMEMS_CHECK(k != std::string::npos, origin, ": .npy header has no '", key, "'");
  auto colon = h.find(':', k);
  CMEMS_CHECK(colon != std::string::npos, origin, ": malformed .npy header");
  size_t b = h.find_first_not_of(' ', colon + 1);
  CMEMS_CHECK(b != std::string::npos, origin, ": malformed .npy header");
  if (h[b] == '(') {
    auto e = h.find(')', b);
    CMEMS_CHECK(e != std::string::npos, origin, ": malformed .npy shape");
    return h.substr(b + 1, e - b - 1);
  }
  if (h[b] == '\'') {
    auto e = h.find('\'', b + 1);
    CMEMS_CHECK(e != std::string::npos, origin, ": malformed .npy header");
    return h.substr(b + 1, e - b - 1);
  }
  auto e = h.find_first_of(",}", b);
  CMEMS_CHECK(e != std::string::npos, origin, ": malformed .npy header");
  return h.substr(b, e - b);
}

template <class T>
T load_scalar(const char* p, bool swap) {
  char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap)
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}
}  // namespace

NpyArray parse_npy(const std::string& s, const std::string& origin) {
  CMEMS_CHECK(s.size() >= 10 && s.compare(0, 6, "\x93NUMPY") == 0, origin, ": not a .npy array");
  const int major = static_cast<unsigned char>(s[6]);
  CMEMS_CHECK(major >= 1 && major <= 3, origin, ": unsupported .npy version ", major);
  size_t hlen = 0, start = 0;
  if (major == 1) {
    hlen = size_t(static_cast<unsigned char>(s[8])) | size_t(static_cast<unsigned char>(s[9])) << 8;
    start = 10;
  } else {
    CMEMS_CHECK(s.size() >= 12, origin, ": truncated .npy header");
    for (int i = 0; i < 4; ++i) hlen |= size_t(static_cast<unsigned char>(s[8 + i])) << (8 * i);
    start = 12;
  }
  CMEMS_CHECK(hlen <= s.size() - start, origin, ": truncated .npy header");
  const std::string h = s.substr(start, hlen);
  NpyArray a;
  const std::string descr = dict_value(h, "descr", origin);
  CMEMS_CHECK(descr.size() >= 3 && std::string("<>|=").find(descr[0]) != std::string::npos &&
                  std::string("fiub").find(descr[1]) != std::string::npos,
              origin, ": unsupported .npy dtype '", descr, "'");
  a.big_endian = descr[0] == '>';
  a.kind = descr[1];
  try {
    a.itemsize = std::stoi(descr.substr(2));
  } catch (const std::exception&) {
    CMEMS_FAIL(origin, ": unsupported .npy dtype '", descr, "'");
  }
  const bool ok_size = a.kind == 'f' ? (a.itemsize == 4 || a.itemsize == 8)
                                     : (a.itemsize == 1 || a.itemsize == 2 || a.itemsize == 4 || a.itemsize == 8);
  CMEMS_CHECK(ok_size, origin, ": unsupported .npy dtype '", descr, "'");
  a.fortran_order = dict_value(h, "fortran_order", origin) == "True";
  std::string shape = dict_value(h, "shape", origin);
  size_t pos = 0;
  while (pos < shape.size()) {
    size_t e = shape.find(',', pos);
    std::string tok = shape.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
    tok.erase(0, tok.find_first_not_of(' '));
    if (!tok.empty()) {
      tok.erase(tok.find_last_not_of(' ') + 1);
      size_t used = 0;
      int64_t d = -1;
      try {
        d = std::stoll(tok, &used);
      } catch (const std::exception&) {
      }
      CMEMS_CHECK(d >= 0 && used == tok.size() && d < (int64_t(1) << 31), origin, ": bad .npy shape (", shape, ")");
      a.shape.push_back(d);
    }
    if (e == std::string::npos) break;
    pos = e + 1;
  }
  CMEMS_CHECK(a.shape.size() <= 8, origin, ": .npy array has too many dimensions");
  uint64_t n = 1;
  for (auto d : a.shape) {
    n *= uint64_t(d);
    CMEMS_CHECK(n < (uint64_t(1) << 34), origin, ": .npy array is too large");
  }
  const size_t data = start + hlen;
  CMEMS_CHECK(s.size() - data >= n * size_t(a.itemsize), origin, ": truncated .npy data (", s.size() - data,
              " bytes for ", n, " values)");
  a.bytes = s.substr(data, n * size_t(a.itemsize));
  return a;
}

std::vector<float> NpyArray::to_float() const {
  const int64_t n = numel();
  std::vector<float> v(static_cast<size_t>(n));
  const bool swap = big_endian && itemsize > 1;
  for (int64_t i = 0; i < n; ++i) {
    const char* p = bytes.data() + i * itemsize;
    double x = 0;
    if (kind == 'f') x = itemsize == 4 ? load_scalar<float>(p, swap) : load_scalar<double>(p, swap);
    else if (kind == 'i')
      x = itemsize == 1 ? load_scalar<int8_t>(p, swap) : itemsize == 2 ? load_scalar<int16_t>(p, swap)
          : itemsize == 4 ? load_scalar<int32_t>(p, swap) : double(load_scalar<int64_t>(p, swap));
    else
      x = itemsize == 1 ? load_scalar<uint8_t>(p, swap) : itemsize == 2 ? load_scalar<uint16_t>(p, swap)
          : itemsize == 4 ? load_scalar<uint32_t>(p, swap) : double(load_scalar<uint64_t>(p, swap));
    v[size_t(i)] = static_cast<float>(x);
  }
  if (fortran_order && shape.size() > 1) {  // column-major -> row-major
    std::vector<float> c(v.size());
    std::vector<int64_t> idx(shape.size(), 0);
    for (int64_t f = 0; f < n; ++f) {
      int64_t ci = 0;
      for (size_t k = 0; k < shape.size(); ++k) ci = ci * shape[k] + idx[k];
      c[size_t(ci)] = v[size_t(f)];
      for (size_t k = 0; k < shape.size(); ++k) {  // advance the Fortran index
        if (++idx[k] < shape[k]) break;
        idx[k] = 0;
      }
    }
    v.swap(c);
  }
  return v;
}

std::map<std::string, NpyArray> read_npz(const std::string& path) {
  require_exists(path, "npz file");
#ifndef CMEMS_HAVE_LIBZIP
  CMEMS_FAIL(path, ": this cmems was built without libzip, so .npz files cannot be read (use `cmems prepare` on a machine with it)");
#else
  int err = 0;
  std::unique_ptr<zip_t, int (*)(zip_t*)> z(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err), zip_close);
  CMEMS_CHECK(z, path, ": not a readable .npz (zip) archive (libzip error ", err, ")");
  std::map<std::string, NpyArray> out;
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  CMEMS_CHECK(n > 0 && n < 10000, path, ": .npz archive has ", n, " entries");
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    CMEMS_CHECK(zip_stat_index(z.get(), zip_uint64_t(i), 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
                    (st.valid & ZIP_STAT_NAME),
                path, ": corrupt .npz entry ", i);
    CMEMS_CHECK(st.size < (zip_uint64_t(1) << 32), path, ": .npz entry '", st.name, "' is too large");
    std::string name = st.name;
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z.get(), zip_uint64_t(i), 0), zip_fclose);
    CMEMS_CHECK(f, path, ": cannot open .npz entry '", name, "'");
    std::string bytes(size_t(st.size), '\0');
    zip_int64_t got = bytes.empty() ? 0 : zip_fread(f.get(), bytes.data(), st.size);
    CMEMS_CHECK(got == zip_int64_t(st.size), path, ": truncated or corrupt .npz entry '", name, "'");
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    out[name] = parse_npy(bytes, path + ":" + name);
  }
  return out;
#endif
}
}  // namespace cmems
