#include "model/weights.hpp"

#include <nlohmann/json.hpp>

#include "core/check.hpp"

namespace cmems {
std::string model_prefix(size_t m) { return std::string(1, char('a' + m)) + "."; }

void add_run_info(TensorFile& f, const RunInfo& info) {
  f.metadata["config"] = info.config_json;
  f.metadata["normalisation"] = info.normalisation;
  f.metadata["classes"] = nlohmann::json(info.class_names).dump();
}

void save_weights(const std::string& path, const std::vector<UNet>& models, const RunInfo& info) {
  TensorFile f;
  add_run_info(f, info);
  f.metadata["format"] = "cmems-weights-1";
  f.metadata["models"] = std::to_string(models.size());
  for (size_t m = 0; m < models.size(); ++m) add_module_state(f, model_prefix(m), *models[m]);
  save_tensor_file(path, f);
}

LoadedWeights read_weights(const std::string& path) {
  LoadedWeights w;
  w.file = load_tensor_file(path);
  auto& md = w.file.metadata;
  CMEMS_CHECK(md.count("format") && md.count("config") && md.count("classes"), path,
              ": not a cmems weights file (missing metadata)");
  w.info.config_json = md["config"];
  w.info.normalisation = md.count("normalisation") ? md["normalisation"] : "MRI";
  try {
    w.info.class_names = nlohmann::json::parse(md["classes"]).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    CMEMS_FAIL(path, ": corrupt class list in metadata");
  }
  CMEMS_CHECK(w.info.class_names.size() >= 2, path, ": fewer than two classes in metadata");
  return w;
}

void load_models(const TensorFile& f, std::vector<UNet>& models, const std::string& origin) {
  for (size_t m = 0; m < models.size(); ++m) load_module_state(f, model_prefix(m), *models[m], origin);
}
}  // namespace cmems
