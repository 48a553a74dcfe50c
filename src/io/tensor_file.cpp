#include "io/tensor_file.hpp"

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/check.hpp"
#include "core/fs.hpp"

namespace cmems {
using nlohmann::json;

size_t dtype_size(const std::string& d) {
  if (d == "F32" || d == "I32") return 4;
  if (d == "F64" || d == "I64") return 8;
  if (d == "U8" || d == "BOOL") return 1;
  CMEMS_FAIL("unsupported tensor dtype '", d, "'");
}

std::string serialize_tensor_file(const TensorFile& f) {
  json h = json::object();
  if (!f.metadata.empty()) h["__metadata__"] = f.metadata;
  uint64_t offset = 0;
  for (auto& [name, t] : f.tensors) {
    h[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string header = h.dump();
  while (header.size() % 8) header += ' ';
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += header;
  for (auto& [name, t] : f.tensors) out += t.bytes;
  return out;
}

TensorFile parse_tensor_file(const std::string& bytes, const std::string& origin) {
  CMEMS_CHECK(bytes.size() >= 8, origin, ": truncated weights file (", bytes.size(), " bytes)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  CMEMS_CHECK(n <= bytes.size() - 8 && n < (uint64_t(1) << 30), origin,
              ": corrupt weights file (header length ", n, ")");
  json h;
  try {
    h = json::parse(bytes.substr(8, n));
  } catch (const json::exception&) {
    CMEMS_FAIL(origin, ": corrupt weights file (header is not JSON)");
  }
  CMEMS_CHECK(h.is_object(), origin, ": corrupt weights file (header is not an object)");
  TensorFile f;
  const uint64_t data_start = 8 + n, data_size = bytes.size() - data_start;
  try {
    for (auto it = h.begin(); it != h.end(); ++it) {
      if (it.key() == "__metadata__") {
        for (auto m = it->begin(); m != it->end(); ++m) f.metadata[m.key()] = m->get<std::string>();
        continue;
      }
      TensorRecord t;
      t.dtype = it->at("dtype").get<std::string>();
      t.shape = it->at("shape").get<std::vector<int64_t>>();
      auto off = it->at("data_offsets").get<std::vector<uint64_t>>();
      CMEMS_CHECK(off.size() == 2 && off[0] <= off[1] && off[1] <= data_size, origin,
                  ": corrupt weights file (tensor '", it.key(), "' lies outside the file)");
      uint64_t numel = 1;
      for (auto d : t.shape) {
        CMEMS_CHECK(d >= 0 && d < (int64_t(1) << 31), origin, ": tensor '", it.key(), "' has a bad shape");
        numel *= uint64_t(d);
        CMEMS_CHECK(numel < (uint64_t(1) << 40), origin, ": tensor '", it.key(), "' is too large");
      }
      CMEMS_CHECK(numel * dtype_size(t.dtype) == off[1] - off[0], origin, ": tensor '", it.key(),
                  "': shape and byte size disagree");
      t.bytes = bytes.substr(data_start + off[0], off[1] - off[0]);
      f.tensors.emplace(it.key(), std::move(t));
    }
  } catch (const json::exception& e) {
    CMEMS_FAIL(origin, ": corrupt weights file (", e.what(), ")");
  }
  return f;
}

void save_tensor_file(const std::string& path, const TensorFile& f) {
  write_file_atomic(path, serialize_tensor_file(f));
}

TensorFile load_tensor_file(const std::string& path) { return parse_tensor_file(read_file(path), path); }
}  // namespace cmems
