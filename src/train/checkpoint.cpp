#include "train/checkpoint.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include "core/check.hpp"
#include "model/weights.hpp"

namespace cmems {
namespace {
at::Generator default_cpu_generator() { return at::detail::getDefaultCPUGenerator(); }
}  // namespace

void save_checkpoint(const std::string& path, const std::vector<UNet>& models, Sgd& opt, Rng& rng,
                     const torch::Tensor& batch_state, int64_t iteration, const RunInfo& info) {
  TensorFile f;
  add_run_info(f, info);
  f.metadata["format"] = "cmems-checkpoint-1";
  f.metadata["models"] = std::to_string(models.size());
  f.metadata["iteration"] = std::to_string(iteration);
  for (size_t m = 0; m < models.size(); ++m) add_module_state(f, model_prefix(m), *models[m]);
  const auto& bufs = opt.momentum_buffers();  // "optim.I": parameter I's buffer, as before Sgd
  for (size_t i = 0; i < bufs.size(); ++i)
    if (bufs[i].defined()) f.tensors["optim." + std::to_string(i)] = to_record(bufs[i]);
  f.tensors["rng.run"] = to_record(rng.state());
  f.tensors["rng.batch"] = to_record(batch_state);
  {
    auto g = default_cpu_generator();
    std::lock_guard<std::mutex> lock(g.mutex());
    f.tensors["rng.torch_cpu"] = to_record(g.get_state());
  }
  save_tensor_file(path, f);
}

int64_t load_checkpoint(const std::string& path, std::vector<UNet>& models, Sgd& opt, Rng& rng,
                        torch::Tensor& batch_state) {
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
  const auto& ps = opt.params();
  auto& bufs = opt.momentum_buffers();
  for (size_t i = 0; i < ps.size(); ++i) {
    auto it = f.tensors.find("optim." + std::to_string(i));
    if (it == f.tensors.end()) continue;
    auto buf = from_record(it->second);
    CMEMS_CHECK(buf.sizes() == ps[i].sizes(), path, ": optimizer state does not match the model");
    bufs[i] = buf.to(ps[i].device());
  }
  CMEMS_CHECK(f.tensors.count("rng.run") && f.tensors.count("rng.torch_cpu"), path, ": random state missing");
  CMEMS_CHECK(f.tensors.count("rng.batch"), path,
              ": written by an earlier cmems (no rng.batch, the batches' random state): it cannot continue exactly; "
              "train again, or resume with the version that wrote it");
  rng.set_state(from_record(f.tensors["rng.run"]));
  batch_state = from_record(f.tensors["rng.batch"]);
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
