#include "losses/losses.hpp"

#include <cmath>

namespace cmems {
namespace F = torch::nn::functional;

namespace {
// Target with ignored pixels replaced by 0, and the mask with them removed.
std::pair<torch::Tensor, torch::Tensor> valid(const torch::Tensor& target, const torch::Tensor& mask) {
  auto ok = target != kIgnore;
  return {torch::where(ok, target, torch::zeros_like(target)), mask * ok.to(mask.dtype())};
}
}  // namespace

torch::Tensor masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target,
                                   const torch::Tensor& mask) {
  auto [t, m] = valid(target, mask);
  auto ce = F::cross_entropy(logits.to(torch::kFloat), t, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  return (ce * m).sum() / static_cast<double>(m.numel());
}

torch::Tensor masked_dice(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask) {
  auto [t, m] = valid(target, mask);
  const int64_t c = logits.size(1);
  auto p = torch::softmax(logits.to(torch::kFloat), 1);
  auto y = F::one_hot(t, c).permute({0, 3, 1, 2}).to(p.dtype());
  auto mm = m.unsqueeze(1);
  const double eps = 1e-5;
  auto inter = (p * y * mm).sum({0, 2, 3});
  auto psum = (p * p * mm).sum({0, 2, 3});
  auto ysum = (y * y * mm).sum({0, 2, 3});
  return 1.0 - ((2.0 * inter + eps) / (psum + ysum + eps)).mean();
}

torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask) {
  return 0.5 * masked_cross_entropy(logits, target, mask) + 0.5 * masked_dice(logits, target, mask);
}

torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target) {
  return seg_loss(logits, target, torch::ones(target.sizes(), logits.options().dtype(torch::kFloat)));
}

PseudoLabels make_pseudo_labels(const torch::Tensor& logits, double threshold) {
  torch::NoGradGuard g;
  PseudoLabels p;
  p.prob = torch::softmax(logits.detach().to(torch::kFloat), 1);
  auto [conf, label] = p.prob.max(1);
  p.label = label;
  p.mask = (conf >= threshold).to(torch::kFloat);
  return p;
}

torch::Tensor resize_nearest(const torch::Tensor& t, int64_t h, int64_t w) {
  if (t.size(1) == h && t.size(2) == w) return t;
  auto f = F::interpolate(t.unsqueeze(1).to(torch::kFloat),
                          F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kNearest));
  return f.squeeze(1).to(t.scalar_type());
}

double rampup_weight(int64_t iteration, int64_t total, double fraction, double lambda_max) {
  double tr = fraction * double(total);
  if (tr <= 0 || double(iteration) >= tr) return lambda_max;
  double phase = 1.0 - double(iteration) / tr;
  return lambda_max * std::exp(-5.0 * phase * phase);
}
}  // namespace cmems
