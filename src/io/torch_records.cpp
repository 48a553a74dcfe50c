#include "io/torch_records.hpp"

#include <cstring>
#include <set>

#include "core/check.hpp"

namespace cmems {
namespace {
std::string dtype_name(torch::ScalarType s) {
  switch (s) {
    case torch::kFloat: return "F32";
    case torch::kDouble: return "F64";
    case torch::kLong: return "I64";
    case torch::kInt: return "I32";
    case torch::kByte: return "U8";
    case torch::kBool: return "BOOL";
    default: CMEMS_FAIL("cannot store tensors of type ", c10::toString(s));
  }
}
torch::ScalarType scalar_type(const std::string& d) {
  if (d == "F32") return torch::kFloat;
  if (d == "F64") return torch::kDouble;
  if (d == "I64") return torch::kLong;
  if (d == "I32") return torch::kInt;
  if (d == "U8") return torch::kByte;
  if (d == "BOOL") return torch::kBool;
  CMEMS_FAIL("unsupported tensor dtype '", d, "'");
}
}  // namespace

TensorRecord to_record(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU).contiguous();
  TensorRecord r;
  r.dtype = dtype_name(c.scalar_type());
  r.shape = c.sizes().vec();
  r.bytes.assign(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  return r;
}

torch::Tensor from_record(const TensorRecord& r) {
  auto t = torch::empty(r.shape, torch::TensorOptions().dtype(scalar_type(r.dtype)));
  CMEMS_CHECK(size_t(t.numel() * t.element_size()) == r.bytes.size(), "tensor record size mismatch");
  std::memcpy(t.data_ptr(), r.bytes.data(), r.bytes.size());
  return t;
}

void add_module_state(TensorFile& f, const std::string& prefix, const torch::nn::Module& m) {
  for (auto& p : m.named_parameters(true)) f.tensors[prefix + p.key()] = to_record(p.value());
  for (auto& b : m.named_buffers(true)) f.tensors[prefix + b.key()] = to_record(b.value());
}

void load_module_state(const TensorFile& f, const std::string& prefix, torch::nn::Module& m,
                       const std::string& origin) {
  torch::NoGradGuard g;
  std::set<std::string> expected;
  auto load = [&](const std::string& name, torch::Tensor& dst) {
    expected.insert(prefix + name);
    auto it = f.tensors.find(prefix + name);
    CMEMS_CHECK(it != f.tensors.end(), origin, ": missing tensor '", prefix + name, "'");
    CMEMS_CHECK(it->second.dtype == dtype_name(dst.scalar_type()), origin, ": tensor '", prefix + name,
                "' has dtype ", it->second.dtype, ", the model expects ", dtype_name(dst.scalar_type()));
    CMEMS_CHECK(it->second.shape == dst.sizes().vec(), origin, ": tensor '", prefix + name,
                "' has the wrong shape for this model");
    dst.copy_(from_record(it->second));
  };
  for (auto& p : m.named_parameters(true)) load(p.key(), p.value());
  for (auto& b : m.named_buffers(true)) load(b.key(), b.value());
  for (auto& [name, rec] : f.tensors)
    if (name.rfind(prefix, 0) == 0)
      CMEMS_CHECK(expected.count(name), origin, ": unexpected tensor '", name, "' for this model");
}
}  // namespace cmems
