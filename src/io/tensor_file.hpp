// Named tensors in the safetensors layout (8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}} plus "__metadata__", then raw bytes).
// Loading cannot execute code; every entry's size and bounds are checked.
// Stage: io (torch-free).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cmems {

struct TensorRecord {
  std::string dtype;           // "F32", "F64", "I64", "I32", "U8", "BOOL"
  std::vector<int64_t> shape;
  std::string bytes;           // raw little-endian data, size = numel * itemsize
};

struct TensorFile {
  std::map<std::string, std::string> metadata;
  std::map<std::string, TensorRecord> tensors;
};

size_t dtype_size(const std::string& dtype);  // throws on unknown dtypes
std::string serialize_tensor_file(const TensorFile& f);
/// `origin` names the source in error messages.
TensorFile parse_tensor_file(const std::string& bytes, const std::string& origin);
/// Atomic write / checked read.
void save_tensor_file(const std::string& path, const TensorFile& f);
TensorFile load_tensor_file(const std::string& path);
}  // namespace cmems
