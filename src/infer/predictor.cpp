#include "infer/predictor.hpp"

#include <algorithm>
#include <cmath>

#include "core/check.hpp"
#include "eval/metrics.hpp"
#include "model/device.hpp"

namespace cmems {
namespace F = torch::nn::functional;

Predictor::Predictor(PredictorOptions o, std::vector<UNet> models, std::vector<std::string> classes, std::string norm)
    : o_(std::move(o)), models_(std::move(models)), classes_(std::move(classes)), normalisation_(std::move(norm)),
      dev_(torch::kCPU) {
  CMEMS_CHECK(!models_.empty() && models_.size() <= 2, "a predictor needs one or two models");
  CMEMS_CHECK(models_.size() == 2 || o_.infer.models != InferModels::B, "option --infer.models b needs --models 2");
  dev_ = models_[0]->parameters().front().device();
  for (auto& m : models_) m = inference_copy(m);  // eval mode, BatchNorm folded; the caller's models untouched
}

std::vector<size_t> Predictor::selected() const {
  std::vector<size_t> use;
  const InferModels which = models_.size() == 1 ? InferModels::A : o_.infer.models;
  if (which != InferModels::B) use.push_back(0);
  if (which != InferModels::A) use.push_back(1);
  return use;
}

torch::Tensor Predictor::model_probabilities(size_t m, const torch::Tensor& slices) const {
  c10::InferenceMode no_autograd;
  AutocastGuard amp(dev_, o_.infer.amp == Amp::BF16);
  const torch::Tensor x = in_format(slices, o_.channels_last);
  auto prob = [&](const torch::Tensor& in) { return torch::softmax(models_[m]->forward(in).to(torch::kFloat), 1); };
  auto p = prob(x);
  if (!o_.infer.tta) return p;
  p = p + prob(x.flip({3})).flip({3});
  p = p + prob(x.flip({2})).flip({2});
  return p / 3.0;
}

torch::Tensor Predictor::combine(const std::vector<torch::Tensor>& per_model) const {
  const auto use = selected();
  torch::Tensor sum = per_model.at(use[0]);
  for (size_t k = 1; k < use.size(); ++k) sum = sum + per_model.at(use[k]);
  return use.size() == 1 ? sum : sum / double(use.size());
}

torch::Tensor Predictor::probabilities(const torch::Tensor& slices) const {
  std::vector<torch::Tensor> per_model(models_.size());
  for (auto m : selected()) per_model[m] = model_probabilities(m, slices);
  return combine(per_model);
}

torch::Tensor map_slices(const torch::Tensor& volume, int64_t size, int64_t batch, const SliceModel& model,
                         const std::function<torch::Tensor(const torch::Tensor&)>& post, SliceFit fit,
                         const PlaneContext& context) {
  const int64_t nz = volume.size(0), ny = volume.size(1), nx = volume.size(2);
  const FitBox b = fit_box(ny, nx, size, fit);
  auto resize = [](const torch::Tensor& t, int64_t h, int64_t w) {
    if (t.size(2) == h && t.size(3) == w) return t;
    return F::interpolate(t, F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBilinear).align_corners(false));
  };
  auto into_square = [&](const torch::Tensor& t) {
    auto r = resize(t, b.h, b.w);
    if (b.h == size && b.w == size) return r;
    return F::pad(r, F::PadFuncOptions({b.left, size - b.w - b.left, b.top, size - b.h - b.top}));
  };
  auto out_of_square = [&](const torch::Tensor& t) {
    return resize(t.narrow(2, b.top, b.h).narrow(3, b.left, b.w), ny, nx);
  };
  std::vector<torch::Tensor> out;
  for (int64_t z0 = 0; z0 < nz; z0 += batch) {
    const int64_t n = std::min(batch, nz - z0);
    torch::Tensor x;
    if (context.planes == 0) {
      x = volume.narrow(0, z0, n).unsqueeze(1);
    } else {  // each slice with its neighbouring planes as channels
      std::vector<int64_t> planes;
      for (int64_t z = z0; z < z0 + n; ++z)
        for (int64_t p : context_planes(z, nz, context)) planes.push_back(p);
      auto at = torch::tensor(planes, torch::kLong).to(volume.device());
      x = volume.index_select(0, at).view({n, context.channels(), ny, nx});
    }
    out.push_back(post(out_of_square(model(into_square(x)))));
  }
  return torch::cat(out, 0).to(torch::kCPU);  // one copy back (and one wait) per volume
}

torch::Tensor predict_slices(const torch::Tensor& volume, int64_t size, int64_t batch, const SliceModel& model,
                             SliceFit fit, const PlaneContext& context) {
  return map_slices(
      volume, size, batch, model, [](const torch::Tensor& p) { return p.argmax(1).to(torch::kByte); }, fit, context);
}

namespace {
template <class T>
Volume<T> volume_like(const ImageVolume& image, const torch::Tensor& t) {
  auto c = t.contiguous();
  Volume<T> v;
  v.dims = image.dims;
  v.geometry = image.geometry;
  v.data.assign(c.data_ptr<T>(), c.data_ptr<T>() + c.numel());
  return v;
}
}  // namespace

LabelVolume QcMaps::disagreement(uint8_t value) const {
  LabelVolume d = model_a;
  for (size_t i = 0; i < d.data.size(); ++i) d.data[i] = model_a.data[i] != model_b.data[i] ? value : 0;
  return d;
}

ImageVolume Predictor::probability_volume(const ImageVolume& image) const {
  const int64_t nx = image.dims[0], ny = image.dims[1], nz = image.dims[2];
  auto vol = torch::from_blob(const_cast<float*>(image.data.data()), {nz, ny, nx}, torch::kFloat).to(dev_);
  auto p = map_slices(
      vol, o_.size, o_.infer.batch, [this](const torch::Tensor& x) { return probabilities(x); },
      [](const torch::Tensor& q) { return q.to(torch::kFloat); }, o_.fit, o_.context);  // [D, C, H, W]
  auto by_class = p.permute({1, 0, 2, 3}).contiguous();  // [C, D, H, W]: x fastest, class slowest
  ImageVolume out;
  out.dims = image.dims;
  out.geometry = image.geometry;
  out.data.assign(by_class.data_ptr<float>(), by_class.data_ptr<float>() + by_class.numel());
  return out;
}

LabelVolume Predictor::predict(const ImageVolume& image, QcMaps* qc) const {
  const int64_t nx = image.dims[0], ny = image.dims[1], nz = image.dims[2];
  auto vol = torch::from_blob(const_cast<float*>(image.data.data()), {nz, ny, nx}, torch::kFloat).to(dev_);
  LabelVolume out;
  if (qc && models_.size() == 2) {
    const int64_t k = int64_t(classes_.size());
    const double log_k = std::log(double(std::max<int64_t>(k, 2)));
    // One pass: [ensemble | model a | model b] probabilities, resized back together.
    auto maps = map_slices(
        vol, o_.size, o_.infer.batch,
        [this](const torch::Tensor& x) {
          std::vector<torch::Tensor> p{model_probabilities(0, x), model_probabilities(1, x)};
          return torch::cat({combine(p), p[0], p[1]}, 1);
        },
        [k, log_k](const torch::Tensor& p) {
          auto pa = p.narrow(1, k, k), pb = p.narrow(1, 2 * k, k);
          auto mean = (pa + pb) * 0.5;
          auto entropy = (-(mean * mean.clamp_min(1e-12).log()).sum(1) / log_k).clamp(0.0, 1.0);
          return torch::stack({p.narrow(1, 0, k).argmax(1).to(torch::kFloat), pa.argmax(1).to(torch::kFloat),
                               pb.argmax(1).to(torch::kFloat), entropy},
                              1);
        },
        o_.fit, o_.context);
    out = volume_like<uint8_t>(image, maps.select(1, 0).to(torch::kByte));
    qc->model_a = volume_like<uint8_t>(image, maps.select(1, 1).to(torch::kByte));
    qc->model_b = volume_like<uint8_t>(image, maps.select(1, 2).to(torch::kByte));
    qc->entropy = volume_like<float>(image, maps.select(1, 3));
  } else {
    out = volume_like<uint8_t>(
        image, predict_slices(
                   vol, o_.size, o_.infer.batch, [this](const torch::Tensor& x) { return probabilities(x); }, o_.fit,
                   o_.context));
  }
  post_process(out);
  if (qc && models_.size() == 2) post_process(qc->model_a), post_process(qc->model_b);
  return out;
}

void Predictor::post_process(LabelVolume& labels) const {
  // the opening's radius is physical: where the volume's spacing is unknown it stays off
  if (labels.geometry.spacing_known)
    open_largest_components(labels.data, labels.dims, spacing_mm(labels.geometry), int(classes_.size()),
                            o_.infer.opening);
  if (!o_.infer.lcc) return;
  if (o_.infer.assembly) keep_assembly(labels.data, labels.dims, int(classes_.size()));
  keep_large_components(labels.data, labels.dims, int(classes_.size()), o_.infer.keep_fraction);
}

bool labels_form_one_assembly(const torch::Tensor& labels, int64_t num_classes) {
  CMEMS_CHECK(labels.dim() == 3, "labels_form_one_assembly: labels must be [N, S, S]");
  if (num_classes < 3) return false;  // fewer than two structures
  auto l = labels.to(torch::kCPU).to(torch::kInt64).contiguous();
  const Dims3 d{l.size(2), l.size(1), 1};
  int64_t several = 0, one = 0;  // maps with two classes or more; those of them in one piece
  std::vector<uint8_t> map(size_t(d[0] * d[1]));
  for (int64_t k = 0; k < l.size(0); ++k) {
    const int64_t* p = l[k].data_ptr<int64_t>();
    std::vector<uint8_t> present(size_t(num_classes), 0);
    for (size_t i = 0; i < map.size(); ++i) {
      map[i] = p[i] > 0 && p[i] < num_classes ? uint8_t(p[i]) : 0;
      present[map[i]] = 1;
    }
    if (std::count(present.begin() + 1, present.end(), 1) < 2) continue;
    ++several;
    one += is_one_assembly(map, d, int(num_classes));
  }
  return several > 0 && 2 * one > several;
}

}  // namespace cmems
