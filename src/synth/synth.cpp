#include "synth/synth.hpp"

#include <cmath>

#include "core/labels.hpp"

namespace cmems {
namespace F = torch::nn::functional;
constexpr double kPi = 3.14159265358979323846;

SynthParams sample_synth(const SynthOptions& c, int64_t n, int64_t s, int64_t pool, Rng& rng, const torch::Device& dev,
                         int64_t sources, int64_t num_classes) {
  SynthParams p;
  auto angle = rng.uniform({n}, -c.rotation, c.rotation, dev) * (kPi / 180);
  auto flip = torch::zeros({n}, torch::TensorOptions().device(dev));
  if (c.flip) {
    angle = angle + rng.integers({n}, 4, dev).to(torch::kFloat) * (kPi / 2);
    flip = rng.bernoulli({n}, 0.5, dev);
  }
  auto scale = rng.uniform({n}, c.scale_min, c.scale_max, dev);
  auto tx = rng.uniform({n}, -2 * c.translate, 2 * c.translate, dev);
  auto ty = rng.uniform({n}, -2 * c.translate, 2 * c.translate, dev);
  p.geometry.theta = affine_theta(angle, flip, scale, tx, ty);
  if (c.elastic > 0) {
    // Smooth random displacement: coarse 5×5 noise, bicubic-upsampled, in pixels -> normalised.
    auto coarse = rng.normal({n, 2, 5, 5}, dev) * (pixels_at(c.elastic, s) * 2.0 / double(s));
    p.elastic = F::interpolate(coarse, F::InterpolateFuncOptions()
                                           .size(std::vector<int64_t>{s, s})
                                           .mode(torch::kBicubic)
                                           .align_corners(true))
                    .permute({0, 2, 3, 1});
  }
  p.gamma = torch::exp(rng.uniform({n}, -c.gamma, c.gamma, dev));
  p.contrast = rng.uniform({n}, 1 - c.contrast, 1 + c.contrast, dev);
  p.brightness = rng.uniform({n}, -c.brightness, c.brightness, dev);
  p.background = rng.integers({n}, pool, dev);
  // Per-structure factors vary the proportions between structures: with one foreground class
  // there are none to vary, and on the left atrium scaling the one structure inside its paste
  // cost 5.1 and 2.2 points (docs/RESULTS.md), so nothing is drawn there (as with 0).
  if (c.structure_scale > 0) {
    TORCH_CHECK(num_classes > 1, "sample_synth: synthesis.structure_scale needs the number of classes");
    if (num_classes > 2) {
      p.structure = rng.uniform({n, num_classes}, -c.structure_scale, c.structure_scale, dev);
      p.structure.select(1, 0).zero_();
    }
  }
  // last, so that several exemplars leave every other draw of the one-exemplar run unchanged
  if (sources > 1) p.source = rng.integers({n}, sources, dev);
  return p;
}

namespace {
// Each item's row of a per-exemplar tensor [K, ...] -> [n, ...]: item i takes row source[i]
// (with one exemplar, a broadcast view of it).
torch::Tensor per_item(const torch::Tensor& t, int64_t n, const torch::Tensor& source) {
  if (t.size(0) > 1) return t.index_select(0, source);
  std::vector<int64_t> shape = t.sizes().vec();
  shape[0] = n;
  return t.expand(shape);
}

// `grid` [n, S, S, 2] (normalised, pointing into the exemplar) moved so that each class c of the
// exemplar appears scaled by k_c = exp(structure[:, c]) about its centre mu_c. In the exemplar's
// frame the forward map is D(u) = u + sum_c w_c(u) (u - mu_c) (k_c - 1), with w_c the class's
// mask blurred and doubled (1 up to its edge, falling to 0 over a few pixels outside), divided
// by their sum where they overlap: inside a class u goes to mu_c + k_c (u - mu_c), the
// background around it is pushed or pulled smoothly. Each output point samples D^-1 of where
// the grid points, found by fixed-point iteration (u = g - sum_c w_c(u) (u - mu_c) (k_c - 1));
// image and label are sampled through the same grid, so they stay aligned.
torch::Tensor scale_structures(const torch::Tensor& onehot, const torch::Tensor& grid, const torch::Tensor& structure,
                               const torch::Tensor& source) {
  const int64_t k = onehot.size(0), c = onehot.size(1), s = onehot.size(-1), n = grid.size(0);
  const double sigma = pixels_at(8.0, s);
  auto w = gaussian_blur(onehot.reshape({k * c, 1, s, s}), torch::full({k * c}, sigma, onehot.options()), sigma)
               .reshape({k, c, s, s});
  w = (2 * w).clamp_max(1).narrow(1, 1, c - 1);  // foreground classes
  w = w / w.sum(1, true).clamp_min(1);
  // centres in normalised coordinates (align_corners false: pixel i lies at (2i + 1) / S - 1)
  auto fg = onehot.narrow(1, 1, c - 1);
  auto coord = (torch::arange(s, onehot.options()) * 2 + 1) / double(s) - 1;
  auto mass = fg.sum({2, 3}).clamp_min(1e-6);                                       // [K, C-1]
  auto mu = torch::stack({(fg.sum(2) * coord).sum(2) / mass, (fg.sum(3) * coord).sum(2) / mass}, 2);  // (x, y)
  auto w_n = per_item(w, n, source).to(grid.dtype());
  auto mu_n = per_item(mu, n, source).reshape({n, c - 1, 1, 1, 2}).to(grid.dtype());
  auto stretch = (torch::exp(structure.narrow(1, 1, c - 1)) - 1).reshape({n, c - 1, 1, 1, 1}).to(grid.dtype());
  // damped (half steps): the plain iteration oscillates where w falls steeply beside a grown class
  auto u = grid;
  for (int it = 0; it < 12; ++it) {
    auto wu = F::grid_sample(w_n, u, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false));
    u = 0.5 * (u + grid - (wu.unsqueeze(-1) * stretch * (u.unsqueeze(1) - mu_n)).sum(1));
  }
  return u;
}
}  // namespace

SynthBatch synthesize(const SynthOptions& c, const torch::Tensor& ex_img, const torch::Tensor& ex_lab,
                      const torch::Tensor& pool, int64_t num_classes, const SynthParams& p) {
  const int64_t n = p.background.size(0), s = ex_img.size(-1);
  const auto labels = ex_lab.dim() == 2 ? ex_lab.unsqueeze(0) : ex_lab;  // [K, S, S]
  const int64_t k = labels.size(0);
  TORCH_CHECK(ex_img.size(0) == k && (k == 1 || p.source.defined()), "synthesize: one label per exemplar, and sources for more than one");
  auto item = [&](const torch::Tensor& t) { return per_item(t, n, p.source); };  // each item's exemplar
  auto grid = F::affine_grid(p.geometry.theta.to(ex_img.dtype()), {n, 1, s, s}, false);
  auto onehot = one_hot_nchw(labels, num_classes, ex_img.scalar_type());
  if (p.structure.defined()) grid = scale_structures(onehot, grid, p.structure, p.source);
  if (p.elastic.defined()) grid = grid + p.elastic.to(grid.dtype());
  auto sample = [&](const torch::Tensor& x, torch::enumtype::kBilinear mode) {
    return F::grid_sample(x, grid, F::GridSampleFuncOptions().mode(mode).padding_mode(torch::kZeros).align_corners(false));
  };
  // Joint transform: the image bilinearly; the label as warped one-hot + argmax (no aliasing).
  auto img = sample(item(ex_img), torch::kBilinear);
  auto lab = sample(item(onehot), torch::kBilinear).argmax(1);
  auto fg = (lab > 0).unsqueeze(1).to(ex_img.dtype());
  // Intensity transform, then optionally match the background's mean and std.
  auto bg = pool.index_select(0, p.background);
  auto v = [n](const torch::Tensor& t) { return t.view({n, 1, 1, 1}); };
  img = (img.clamp(0.0, 1.0).pow(v(p.gamma)) - 0.5) * v(p.contrast) + 0.5 + v(p.brightness);
  if (c.match_stats) {
    auto src = item(ex_img);
    auto [bg_sd, bg_mu] = torch::std_mean(bg, {1, 2, 3}, true, true);
    auto [e_sd, e_mu] = torch::std_mean(src, {1, 2, 3}, true, true);
    img = (img - e_mu) / (e_sd + 1e-6) * bg_sd + bg_mu;
  }
  // Paste mask: dilated foreground (hard), feathered (soft), never below 1 on the foreground.
  const auto r = int64_t(std::lround(pixels_at(c.dilate, s)));
  const double feather = pixels_at(c.feather, s);
  auto hard = r > 0 ? F::max_pool2d(fg, F::MaxPool2dFuncOptions(2 * r + 1).stride(1).padding(r)) : fg;
  auto soft = hard;
  if (feather > 0) {
    auto sigma = torch::full({n}, feather, hard.options());
    soft = torch::max(gaussian_blur(hard, sigma, feather), fg);
  }
  SynthBatch out;
  out.image = soft * img + (1 - soft) * bg;
  out.inside = hard.squeeze(1) > 0.5;
  out.label = torch::where(out.inside, lab, torch::full_like(lab, kIgnore));
  return out;
}

torch::Tensor fill_outside(const SynthBatch& b, const torch::Tensor& outside) {
  return torch::where(b.inside, b.label, outside);
}

SynthBatch preview_samples(const SynthOptions& c, const torch::Tensor& exemplar_image, const torch::Tensor& exemplar_label,
                           const torch::Tensor& pool, int64_t num_classes, int64_t n, Rng& rng) {
  const int64_t size = exemplar_image.size(-1);
  auto p = sample_synth(c, n, size, pool.size(0), rng, pool.device(), exemplar_image.size(0), num_classes);
  auto b = synthesize(c, exemplar_image, exemplar_label, pool, num_classes, p);
  if (c.outside == SynthOutside::Background) b.label = fill_outside(b, torch::zeros_like(b.label));
  return b;
}
}  // namespace cmems
