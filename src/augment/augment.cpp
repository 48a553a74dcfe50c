#include "augment/augment.hpp"

#include <cmath>

namespace cmems {
namespace F = torch::nn::functional;
constexpr double kPi = 3.14159265358979323846;

torch::Tensor affine_theta(const torch::Tensor& angle, const torch::Tensor& flip, const torch::Tensor& scale,
                           const torch::Tensor& tx, const torch::Tensor& ty) {
  auto c = torch::cos(angle) / scale, s = torch::sin(angle) / scale;
  auto fx = 1.0 - 2.0 * flip;  // -1 flips x
  auto row0 = torch::stack({c * fx, -s, tx}, 1);
  auto row1 = torch::stack({s * fx, c, ty}, 1);
  return torch::stack({row0, row1}, 1);
}

GeometricParams sample_weak(const WeakOptions& c, int64_t b, Rng& rng, const torch::Device& dev) {
  auto turns = rng.integers({b}, 4, dev).to(torch::kFloat) * (kPi / 2);
  auto small = rng.uniform({b}, -c.rotation, c.rotation, dev) * (kPi / 180);
  auto flip = rng.bernoulli({b}, 0.5, dev);
  if (!c.dihedral) turns = turns * 0.0, flip = flip * 0.0;  // same draws, orientation kept
  auto angle = turns + small;
  if (c.mode == WeakMode::Ssl4mis) {  // one of: 90° turn + flip (p ½), small rotation (p ¼), nothing
    auto u = rng.uniform({b}, 0, 1, dev);
    auto dihedral = u < 0.5, rotate = (u >= 0.5) & (u < 0.75);
    angle = torch::where(dihedral, turns, torch::where(rotate, small, torch::zeros_like(small)));
    flip = flip * dihedral.to(flip.dtype());
  }
  auto scale = rng.uniform({b}, c.scale_min, c.scale_max, dev);
  // Crop anywhere inside the magnified image (no shift when the image shrinks).
  auto room = torch::clamp(1.0 - 1.0 / scale, 0.0);
  auto tx = rng.uniform({b}, -1, 1, dev) * room, ty = rng.uniform({b}, -1, 1, dev) * room;
  return {affine_theta(angle, flip, scale, tx, ty)};
}

namespace {
torch::Tensor grid_for(const torch::Tensor& theta, const torch::Tensor& like) {
  return F::affine_grid(theta.to(like.dtype()), {like.size(0), 1, like.size(-2), like.size(-1)}, false);
}
}  // namespace

torch::Tensor apply_geometric_image(const torch::Tensor& x, const GeometricParams& p) {
  return F::grid_sample(x, grid_for(p.theta, x),
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false));
}

torch::Tensor apply_geometric_label(const torch::Tensor& y, const GeometricParams& p) {
  auto yf = y.unsqueeze(1).to(torch::kFloat);
  auto out = F::grid_sample(yf, grid_for(p.theta, yf),
                            F::GridSampleFuncOptions().mode(torch::kNearest).padding_mode(torch::kZeros).align_corners(false));
  return out.squeeze(1).round().to(torch::kLong);
}

StrongParams sample_strong(const StrongOptions& c, int64_t batch, int64_t s, Rng& rng, const torch::Device& dev,
                           int64_t groups) {
  TORCH_CHECK(batch > 0 && groups > 0, "sample_strong: empty batch");
  const int64_t b = batch * groups;  // every view's items, drawn at once
  StrongParams p;
  p.color_on = rng.bernoulli({b}, c.color_prob, dev);
  p.brightness = rng.uniform({b}, -c.brightness, c.brightness, dev);
  p.contrast = rng.uniform({b}, 1 - c.contrast, 1 + c.contrast, dev);
  p.gamma = torch::exp(rng.uniform({b}, -c.gamma, c.gamma, dev));
  p.blur_on = rng.bernoulli({b}, c.blur_prob, dev);
  p.max_sigma = pixels_at(c.blur_sigma, s);
  p.sigma = rng.uniform({b}, std::min(0.1, p.max_sigma), p.max_sigma, dev);
  p.noise = rng.normal({b, 1, s, s}, dev) * rng.uniform({b, 1, 1, 1}, 0, c.noise, dev);
  // CutMix boxes [ref: UniMatch obtain_cutmix_box: area 2-40%, aspect ratio 0.3-1/0.3].
  auto on = rng.bernoulli({b}, c.cutmix_prob, dev);
  auto area = rng.uniform({b}, 0.02, 0.4, dev) * double(s * s);
  auto ratio = torch::exp(rng.uniform({b}, std::log(0.3), std::log(1 / 0.3), dev));
  auto bw = torch::sqrt(area / ratio).clamp_max(double(s)), bh = torch::sqrt(area * ratio).clamp_max(double(s));
  auto x0 = rng.uniform({b}, 0, 1, dev) * (double(s) - bw), y0 = rng.uniform({b}, 0, 1, dev) * (double(s) - bh);
  auto coord = torch::arange(s, torch::TensorOptions().device(dev).dtype(torch::kFloat));
  auto inx = (coord.view({1, 1, s}) >= x0.view({b, 1, 1})) & (coord.view({1, 1, s}) < (x0 + bw).view({b, 1, 1}));
  auto iny = (coord.view({1, s, 1}) >= y0.view({b, 1, 1})) & (coord.view({1, s, 1}) < (y0 + bh).view({b, 1, 1}));
  p.mix.box = inx & iny & (on.view({b, 1, 1}) > 0.5);
  // Partner: in each view, a cyclic shift of a random permutation of the batch, so that no
  // item is mixed with itself (batch > 1).
  auto perm = rng.uniform({groups, batch}, 0, 1, dev).argsort(/*dim=*/int64_t(1));
  p.mix.partner = torch::empty_like(perm).scatter_(1, perm, perm.roll(1, 1)).view({b});
  return p;
}

torch::Tensor gaussian_blur(const torch::Tensor& x, const torch::Tensor& sigma, double max_sigma) {
  const int64_t b = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t r = std::max<int64_t>(1, int64_t(std::ceil(3 * max_sigma)));
  auto k = torch::arange(-r, r + 1, x.options()).view({1, -1});
  auto sg = sigma.to(x.dtype()).view({b, 1});
  auto ker = torch::exp(-0.5 * (k / sg).pow(2));
  ker = ker / ker.sum(1, true);  // [B, 2r+1]
  if (ch > 1) ker = ker.repeat_interleave(ch, 0);  // one kernel per channel, the item's for each
  const int64_t g = b * ch;
  auto y = x.reshape({1, g, h, w});
  y = F::conv2d(y, ker.view({g, 1, 1, 2 * r + 1}), F::Conv2dFuncOptions().padding({0, r}).groups(g));
  y = F::conv2d(y, ker.view({g, 1, 2 * r + 1, 1}), F::Conv2dFuncOptions().padding({r, 0}).groups(g));
  return y.view({b, ch, h, w});
}

torch::Tensor apply_strong(const torch::Tensor& x_w, const StrongParams& p) {
  const int64_t n = x_w.size(0), b = p.brightness.size(0), g = b / n;
  TORCH_CHECK(g * n == b, "apply_strong: parameters of ", b, " items for a batch of ", n);
  torch::Tensor x;
  if (g == 1) {
    x = cutmix(x_w, p.mix);
  } else {  // the views' partners index the batch: in the repeated batch, view k's are offset by k·n
    auto offset = torch::arange(0, b, n, p.mix.partner.options()).view({g, 1}).expand({g, n}).reshape({b});  // no host read
    x = cutmix(x_w.repeat({g, 1, 1, 1}), {p.mix.box, p.mix.partner + offset});
  }
  auto v = [b](const torch::Tensor& t) { return t.view({b, 1, 1, 1}); };
  // Photometric jitter: contrast about the mean, brightness shift, gamma on [0, 1].
  auto mean = x.mean({1, 2, 3}, true);
  auto jit = ((x - mean) * v(p.contrast) + mean + v(p.brightness)).clamp(0.0, 1.0).pow(v(p.gamma));
  x = torch::where(v(p.color_on) > 0.5, jit, x);
  auto blurred = gaussian_blur(x, p.sigma, p.max_sigma);
  x = torch::where(v(p.blur_on) > 0.5, blurred, x);
  return x + p.noise;
}
}  // namespace cmems
