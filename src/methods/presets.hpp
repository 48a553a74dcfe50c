// The named methods: each a preset (a partial config.json) over one implementation
// (methods/ssl_method.cpp). Torch-free. Stage: methods.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cmems {

struct MethodPreset {
  std::string name, description;
  nlohmann::json patch;  // the options it sets, as nested config.json keys
};
const std::vector<MethodPreset>& method_presets();
/// Throws "unknown method 'x' (known: ...)".
const MethodPreset& method_preset(const std::string& name);
/// The preset names, in order.
std::vector<std::string> method_names();
}  // namespace cmems
