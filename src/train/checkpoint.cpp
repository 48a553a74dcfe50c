#include "train/checkpoint.hpp"

#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include <type_traits>

#include "core/check.hpp"
#include "model/weights.hpp"

namespace cmems {
namespace {
// The optimizer's per-parameter state map is keyed by a string in LibTorch 1.x and by the
// TensorImpl pointer in newer releases; this resolves the key for either.
template <class Map>
typename Map::key_type state_key(const Map&, const torch::Tensor& p) {
  using K = typename Map::key_type;
  if constexpr (std::is_same_v<K, std::string>) {
    std::ostringstream s;  // as LibTorch 1.x keys it (c10::guts::to_string, gone in 2.x)
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return static_cast<K>(p.unsafeGetTensorImpl());
  }
}

std::vector<torch::Tensor> all_params(torch::optim::SGD& opt) {
  std::vector<torch::Tensor> ps;
  for (auto& g : opt.param_groups())
    for (auto& p : g.params()) ps.push_back(p);
  return ps;
}

at::Generator default_cpu_generator() { return at::detail::getDefaultCPUGenerator(); }
}  // namespace

void save_checkpoint(const std::string& path, const std::vector<UNet>& models, torch::optim::SGD& opt, Rng& rng,
                     int64_t iteration, const RunInfo& info) {
  TensorFile f;
  add_run_info(f, info);
  f.metadata["format"] = "cmems-checkpoint-1";
  f.metadata["models"] = std::to_string(models.size());
  f.metadata["iteration"] = std::to_string(iteration);
  for (size_t m = 0; m < models.size(); ++m) add_module_state(f, model_prefix(m), *models[m]);
  auto& state = opt.state();
  auto ps = all_params(opt);
  for (size_t i = 0; i < ps.size(); ++i) {
    auto it = state.find(state_key(state, ps[i]));
    if (it == state.end()) continue;
    auto& s = static_cast<torch::optim::SGDParamState&>(*it->second);
    if (s.momentum_buffer().defined()) f.tensors["optim." + std::to_string(i)] = to_record(s.momentum_buffer());
  }
  f.tensors["rng.run"] = to_record(rng.state());
  {
    auto g = default_cpu_generator();
    std::lock_guard<std::mutex> lock(g.mutex());
    f.tensors["rng.torch_cpu"] = to_record(g.get_state());
  }
  save_tensor_file(path, f);
}

int64_t load_checkpoint(const std::string& path, std::vector<UNet>& models, torch::optim::SGD& opt, Rng& rng) {
  TensorFile f = load_tensor_file(path);
  CMEMS_CHECK(f.metadata.count("format") && f.metadata["format"] == "cmems-checkpoint-1", path,
              ": not a cmems checkpoint");
  CMEMS_CHECK(f.metadata["models"] == std::to_string(models.size()), path, ": holds ", f.metadata["models"],
              " models, the configuration has ", models.size());
  // Only model and known state tensors may be present.
  TensorFile weights;
  for (auto& [k, v] : f.tensors)
    if (k.rfind("optim.", 0) != 0 && k.rfind("rng.", 0) != 0) weights.tensors[k] = v;
  load_models(weights, models, path);
  auto& state = opt.state();
  auto ps = all_params(opt);
  for (size_t i = 0; i < ps.size(); ++i) {
    auto it = f.tensors.find("optim." + std::to_string(i));
    if (it == f.tensors.end()) continue;
    auto buf = from_record(it->second);
    CMEMS_CHECK(buf.sizes() == ps[i].sizes(), path, ": optimizer state does not match the model");
    auto s = std::make_unique<torch::optim::SGDParamState>();
    s->momentum_buffer(buf.to(ps[i].device()));
    state[state_key(state, ps[i])] = std::move(s);
  }
  CMEMS_CHECK(f.tensors.count("rng.run") && f.tensors.count("rng.torch_cpu"), path, ": random state missing");
  rng.set_state(from_record(f.tensors["rng.run"]));
  {
    auto g = default_cpu_generator();
    std::lock_guard<std::mutex> lock(g.mutex());
    g.set_state(from_record(f.tensors["rng.torch_cpu"]));
  }
  try {
    return std::stoll(f.metadata["iteration"]);
  } catch (const std::exception&) {
    CMEMS_FAIL(path, ": corrupt iteration in metadata");
  }
}
}  // namespace cmems
