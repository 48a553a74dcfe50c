// Converting torch tensors and module states to/from safetensors records (io/tensor_file),
// with names, shapes and dtypes validated against the receiving module; and the run
// folder's weights.safetensors: the models ("a.", "b." prefixes) + metadata (config,
// classes, normalisation), all that `cmems predict` needs. Loading cannot execute code.
// Stage: model.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/unet.hpp"

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

struct RunInfo {
  std::string config_json;               // the resolved configuration
  std::vector<std::string> class_names;  // index = label value
  std::string normalisation;             // "as_stored" (ACDC) or the NIfTI channel name
};

/// "a." for model 0, "b." for model 1.
std::string model_prefix(size_t m);
void add_run_info(TensorFile& f, const RunInfo& info);
void save_weights(const std::string& path, const std::vector<UNet>& models, const RunInfo& info);

struct LoadedWeights {
  RunInfo info;
  TensorFile file;
};
LoadedWeights read_weights(const std::string& path);
/// Copies the "a."/"b." tensors into `models` with shape/dtype validation.
void load_models(const TensorFile& f, std::vector<UNet>& models, const std::string& origin);
}  // namespace cmems
