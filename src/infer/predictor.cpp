#include "infer/predictor.hpp"

#include "core/check.hpp"
#include "core/fs.hpp"
#include "eval/metrics.hpp"
#include "model/device.hpp"
#include "model/weights.hpp"

namespace cmems {
namespace F = torch::nn::functional;

Predictor::Predictor(Config c, std::vector<UNet> models, std::vector<std::string> classes, std::string norm)
    : c_(std::move(c)), models_(std::move(models)), classes_(std::move(classes)), normalisation_(std::move(norm)),
      dev_(c_.device == "cuda" ? torch::kCUDA : torch::kCPU) {
  for (auto& m : models_) m->eval();
}

Predictor Predictor::load(const std::string& run_dir, const std::string& device, const std::string& which) {
  const std::string path = (fs::path(run_dir) / "weights.safetensors").string();
  require_exists(run_dir, "run folder");
  CMEMS_CHECK(fs::exists(path), path, ": no trained weights in this run folder (did training finish?)");
  LoadedWeights w = read_weights(path);
  Config c;
  try {
    apply_json(c, nlohmann::json::parse(w.info.config_json), path);
  } catch (const nlohmann::json::exception&) {
    CMEMS_FAIL(path, ": corrupt configuration in metadata");
  }
  if (!device.empty()) c.device = device;
  if (!which.empty()) c.infer_models = which;
  validate(c);
  CMEMS_CHECK(c.device != "cuda" || torch::cuda::is_available(), "option --device cuda: no CUDA device available");
  const torch::Device dev = c.device == "cuda" ? torch::kCUDA : torch::kCPU;
  std::vector<UNet> models;
  for (int64_t m = 0; m < c.models; ++m) {
    UNetOptions o;
    o.num_classes = int64_t(w.info.class_names.size());
    o.width = c.model_width;
    models.emplace_back(o);
  }
  load_models(w.file, models, path);
  for (auto& m : models) {
    m->to(dev);
    if (c.channels_last) to_channels_last(m);
  }
  if (c.models == 1) c.infer_models = "a";
  return Predictor(c, std::move(models), w.info.class_names, w.info.normalisation);
}

torch::Tensor Predictor::probabilities(const torch::Tensor& slices) const {
  torch::NoGradGuard g;
  const torch::Tensor x = in_format(slices, c_.channels_last);
  std::vector<size_t> use;
  if (c_.infer_models == "a" || c_.infer_models == "both") use.push_back(0);
  if ((c_.infer_models == "b" || c_.infer_models == "both") && models_.size() > 1) use.push_back(1);
  torch::Tensor sum;
  int64_t n = 0;
  auto add = [&](const torch::Tensor& p) { sum = sum.defined() ? sum + p : p, ++n; };
  for (auto m : use) {
    add(torch::softmax(models_[m]->forward(x), 1));
    if (c_.infer_tta) {
      add(torch::softmax(models_[m]->forward(x.flip({3})), 1).flip({3}));
      add(torch::softmax(models_[m]->forward(x.flip({2})), 1).flip({2}));
    }
  }
  return sum / double(n);
}

torch::Tensor predict_slices(const torch::Tensor& volume, int64_t size, int64_t batch, const SliceModel& model) {
  const int64_t nz = volume.size(0), ny = volume.size(1), nx = volume.size(2);
  auto resize = [](const torch::Tensor& t, int64_t h, int64_t w) {
    if (t.size(2) == h && t.size(3) == w) return t;
    return F::interpolate(t, F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBilinear).align_corners(false));
  };
  std::vector<torch::Tensor> out;
  for (int64_t z0 = 0; z0 < nz; z0 += batch) {
    auto x = volume.narrow(0, z0, std::min(batch, nz - z0)).unsqueeze(1);
    out.push_back(resize(model(resize(x, size, size)), ny, nx).argmax(1).to(torch::kByte).to(torch::kCPU));
  }
  return torch::cat(out, 0);
}

LabelVolume Predictor::predict(const ImageVolume& image) const {
  const int64_t nx = image.dims[0], ny = image.dims[1], nz = image.dims[2];
  auto vol = torch::from_blob(const_cast<float*>(image.data.data()), {nz, ny, nx}, torch::kFloat).to(dev_);
  auto lab = predict_slices(vol, c_.size, c_.infer_batch, [this](const torch::Tensor& x) { return probabilities(x); })
                 .contiguous();
  LabelVolume out;
  out.dims = image.dims;
  out.geometry = image.geometry;
  out.data.assign(lab.data_ptr<uint8_t>(), lab.data_ptr<uint8_t>() + lab.numel());
  if (c_.infer_lcc) keep_largest_components(out.data, out.dims, int(classes_.size()));
  return out;
}
}  // namespace cmems
