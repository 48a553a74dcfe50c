// The run folder's weights.safetensors: the models ("a.", "b." prefixes) + metadata
// (config, classes, normalisation), all that `cmems predict` needs. Loading cannot execute
// code; names, shapes and dtypes are validated (io/torch_records.hpp). Stage: model.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "io/torch_records.hpp"
#include "model/unet.hpp"

namespace cmems {

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
