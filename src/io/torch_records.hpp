// Torch tensors and module states to and from safetensors records (io/tensor_file.hpp):
// the torch part of io. Loading validates every name, shape and dtype against the
// receiving module. Stage: io (torch).
#pragma once
#include <torch/torch.h>

#include <string>

#include "io/tensor_file.hpp"

namespace cmems {

TensorRecord to_record(const torch::Tensor& t);
torch::Tensor from_record(const TensorRecord& r);

/// Adds every parameter and buffer of `m` as `prefix + name`.
void add_module_state(TensorFile& f, const std::string& prefix, const torch::nn::Module& m);
/// Copies `prefix + name` records into `m`; throws (naming `origin`) when a tensor is
/// missing, has another shape or dtype, or when a record under `prefix` is unknown.
void load_module_state(const TensorFile& f, const std::string& prefix, torch::nn::Module& m,
                       const std::string& origin);
}  // namespace cmems
