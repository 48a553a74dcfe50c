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
                                   const torch::Tensor& mask, CeMean mean) {
  auto [t, m] = valid(target, mask);
  auto ce = F::cross_entropy(logits.to(torch::kFloat), t, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  auto sum = (ce * m).sum();
  if (mean == CeMean::All) return sum / static_cast<double>(m.numel());
  return sum / m.sum().clamp_min(1.0);
}

torch::Tensor one_hot_nchw(const torch::Tensor& labels, int64_t c, torch::ScalarType dtype) {
  return labels.unsqueeze(1).eq(torch::arange(c, labels.options()).view({1, c, 1, 1})).to(dtype);
}

torch::Tensor masked_dice(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask) {
  auto [t, m] = valid(target, mask);
  const int64_t c = logits.size(1);
  auto p = torch::softmax(logits.to(torch::kFloat), 1);
  auto y = one_hot_nchw(t, c, p.scalar_type());
  auto mm = m.unsqueeze(1);
  const double eps = 1e-5;
  auto inter = (p * y * mm).sum({0, 2, 3});
  auto psum = (p * p * mm).sum({0, 2, 3});
  auto ysum = (y * y * mm).sum({0, 2, 3});
  return 1.0 - ((2.0 * inter + eps) / (psum + ysum + eps)).mean();
}

namespace {
// ½ masked_cross_entropy + ½ masked_dice with each shared part computed once: the validity
// of the target, the float logits, their log-softmax (cross_entropy's own first step) and
// the one-hot target. The same operations on the same values as the two functions, so the
// same bits (test: SegLoss.FusedEqualsItsTwoTermsBitForBit), in fewer ATen calls. `mask`
// undefined: every pixel.
torch::Tensor fused_seg_loss(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask,
                             CeMean mean) {
  const auto ok = target != kIgnore;
  const auto t = torch::where(ok, target, torch::zeros_like(target));
  const auto m = mask.defined() ? mask * ok.to(mask.dtype()) : ok.to(torch::kFloat);
  const auto x = logits.to(torch::kFloat);
  const auto nll = F::nll_loss(torch::log_softmax(x, 1), t, F::NLLLossFuncOptions().reduction(torch::kNone));
  const auto ce_sum = (nll * m).sum();
  const auto ce = mean == CeMean::All ? ce_sum / static_cast<double>(m.numel()) : ce_sum / m.sum().clamp_min(1.0);
  const auto p = torch::softmax(x, 1);
  const auto y = one_hot_nchw(t, x.size(1), p.scalar_type());
  const auto mm = m.unsqueeze(1);
  const double eps = 1e-5;
  const auto inter = (p * y * mm).sum({0, 2, 3});
  const auto psum = (p * p * mm).sum({0, 2, 3});
  const auto ysum = (y * y * mm).sum({0, 2, 3});
  const auto dice = 1.0 - ((2.0 * inter + eps) / (psum + ysum + eps)).mean();
  return 0.5 * ce + 0.5 * dice;
}
}  // namespace

torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask) {
  return fused_seg_loss(logits, target, mask, CeMean::All);
}

torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target) {
  return fused_seg_loss(logits, target, torch::Tensor(), CeMean::Labeled);
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

void mask_disagreement(std::vector<PseudoLabels>& pl) {
  if (pl.size() < 2) return;
  torch::NoGradGuard g;
  auto same = pl[0].label == pl[1].label;
  for (size_t m = 2; m < pl.size(); ++m) same = same & (pl[m].label == pl[0].label);
  const auto keep = same.to(pl[0].mask.scalar_type());
  for (auto& p : pl) p.mask = p.mask * keep;
}

torch::Tensor resize_nearest(const torch::Tensor& t, int64_t h, int64_t w) {
  const int64_t H = t.size(1), W = t.size(2);
  if (H == h && W == w) return t;
  // An integer downsampling: nearest takes source pixel j·(H/h), a strided view (no copy, no
  // dtype round trip; the same values as the interpolation below).
  if (h <= H && w <= W && H % h == 0 && W % w == 0) return t.slice(1, 0, H, H / h).slice(2, 0, W, W / w);
  auto f = F::interpolate(t.unsqueeze(1).to(torch::kFloat),
                          F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kNearest));
  return f.squeeze(1).to(t.scalar_type());
}

torch::Tensor cutmix(const torch::Tensor& t, const CutMixBoxes& m) {
  if (!m.box.defined()) return t;  // a view without CutMix
  auto box = m.box;
  while (box.dim() < t.dim()) box = box.unsqueeze(1);
  return torch::where(box, t.index_select(0, m.partner), t);
}

int64_t teacher_of(int64_t m, int64_t n, Pairing p) { return p == Pairing::Cross ? (m + 1) % n : m; }

torch::Tensor image_perturbation_loss(const std::vector<StrongView>& views, const PseudoLabels& teacher) {
  TORCH_CHECK(!views.empty(), "image_perturbation_loss: no strong view");
  torch::Tensor sum;
  for (auto& v : views) {
    auto l = seg_loss(v.logits, cutmix(teacher.label, v.mix), cutmix(teacher.mask, v.mix));
    sum = sum.defined() ? sum + l : l;
  }
  return sum / double(views.size());
}

const std::vector<double> kHeadWeights = {1.0, 0.5, 0.25, 0.125};

torch::Tensor multi_head_loss(const std::vector<torch::Tensor>& heads, const torch::Tensor& target,
                              const torch::Tensor& mask) {
  TORCH_CHECK(!heads.empty() && heads.size() <= kHeadWeights.size(), "multi_head_loss: 1 to 4 heads");
  double wsum = 0;
  for (size_t k = 0; k < heads.size(); ++k) wsum += kHeadWeights[k];
  torch::Tensor sum;
  for (size_t k = 0; k < heads.size(); ++k) {
    const int64_t h = heads[k].size(2), w = heads[k].size(3);
    auto y = resize_nearest(target, h, w);
    auto l = mask.defined() ? seg_loss(heads[k], y, resize_nearest(mask, h, w)) : seg_loss(heads[k], y);
    l = l * (kHeadWeights[k] / wsum);
    sum = sum.defined() ? sum + l : l;
  }
  return sum;
}

torch::Tensor grouped_seg_losses(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask,
                                 int64_t groups) {
  const int64_t g = groups, c = logits.size(1);
  TORCH_CHECK(g >= 1 && logits.size(0) % g == 0, "grouped_seg_losses: the batch is not ", g, " equal groups");
  const auto ok = target != kIgnore;
  const auto t = torch::where(ok, target, torch::zeros_like(target));
  const auto m = mask.defined() ? mask * ok.to(mask.dtype()) : ok.to(torch::kFloat);
  const auto x = logits.to(torch::kFloat);
  const auto nll = F::nll_loss(torch::log_softmax(x, 1), t, F::NLLLossFuncOptions().reduction(torch::kNone));
  const auto ce_sum = (nll * m).reshape({g, -1}).sum(1);
  const auto ce = mask.defined() ? ce_sum / static_cast<double>(m.numel() / g)  // CeMean::All
                                 : ce_sum / m.reshape({g, -1}).sum(1).clamp_min(1.0);  // CeMean::Labeled
  const auto p = torch::softmax(x, 1);
  const auto y = one_hot_nchw(t, c, p.scalar_type());
  const auto mm = m.unsqueeze(1);
  auto per_group = [&](const torch::Tensor& v) { return v.sum({2, 3}).reshape({g, -1, c}).sum(1); };  // [G, C]
  const double eps = 1e-5;
  const auto dice = 1.0 - ((2.0 * per_group(p * y * mm) + eps) / (per_group(p * p * mm) + per_group(y * y * mm) + eps)).mean(1);
  return 0.5 * ce + 0.5 * dice;
}

torch::Tensor multi_head_losses(const std::vector<std::vector<torch::Tensor>>& heads,
                                const std::vector<torch::Tensor>& targets, const std::vector<torch::Tensor>& masks) {
  const int64_t g = int64_t(heads.size());
  TORCH_CHECK(g >= 1 && int64_t(targets.size()) == g && (masks.empty() || int64_t(masks.size()) == g),
              "multi_head_losses: one target (and mask) per group");
  const size_t nk = heads[0].size();
  TORCH_CHECK(nk >= 1 && nk <= kHeadWeights.size(), "multi_head_losses: 1 to 4 heads");
  for (auto& h : heads) TORCH_CHECK(h.size() == nk, "multi_head_losses: every group needs the same heads");
  double wsum = 0;
  for (size_t k = 0; k < nk; ++k) wsum += kHeadWeights[k];
  auto joined = [](std::vector<torch::Tensor> v) { return v.size() == 1 ? v[0] : torch::cat(v, 0); };
  torch::Tensor sum;
  for (size_t k = 0; k < nk; ++k) {
    const int64_t h = heads[0][k].size(2), w = heads[0][k].size(3);
    std::vector<torch::Tensor> xs, ys, ms;
    for (int64_t i = 0; i < g; ++i) {
      xs.push_back(heads[i][k]);
      ys.push_back(resize_nearest(targets[i], h, w));
      if (!masks.empty()) ms.push_back(resize_nearest(masks[i], h, w));
    }
    auto l = grouped_seg_losses(joined(xs), joined(ys), ms.empty() ? torch::Tensor() : joined(ms), g) *
             (kHeadWeights[k] / wsum);
    sum = sum.defined() ? sum + l : l;
  }
  return sum;
}

torch::Tensor feature_perturbation_loss(const std::vector<torch::Tensor>& perturbed_heads,
                                        const PseudoLabels& teacher) {
  return multi_head_loss(perturbed_heads, teacher.label, teacher.mask);
}

std::vector<torch::Tensor> image_perturbation_losses(const std::vector<std::vector<StrongView>>& views,
                                                     const std::vector<PseudoLabels>& pseudo, Pairing pairing) {
  const int64_t n = int64_t(views.size());
  TORCH_CHECK(int64_t(pseudo.size()) == n, "image_perturbation_losses: one set of pseudo-labels per model");
  const int64_t nv = n > 0 ? int64_t(views[0].size()) : 0;
  for (auto& v : views) TORCH_CHECK(int64_t(v.size()) == nv && nv > 0, "image_perturbation_losses: the same number of views per student");
  // Every (student, view) term is one group of one batched loss: the mean over views of each
  // student's group losses is image_perturbation_loss of that student.
  std::vector<std::vector<torch::Tensor>> heads;
  std::vector<torch::Tensor> targets, masks;
  for (int64_t m = 0; m < n; ++m) {
    const PseudoLabels& t = pseudo[teacher_of(m, n, pairing)];
    for (auto& v : views[m]) {
      heads.push_back({v.logits});
      targets.push_back(cutmix(t.label, v.mix));
      masks.push_back(cutmix(t.mask, v.mix));
    }
  }
  auto per_student = multi_head_losses(heads, targets, masks).reshape({n, nv}).mean(1);
  std::vector<torch::Tensor> out;
  for (int64_t m = 0; m < n; ++m) out.push_back(per_student[m]);
  return out;
}

std::vector<torch::Tensor> feature_perturbation_losses(const std::vector<std::vector<torch::Tensor>>& heads,
                                                       const std::vector<PseudoLabels>& pseudo, Pairing pairing) {
  const int64_t n = int64_t(heads.size());
  TORCH_CHECK(int64_t(pseudo.size()) == n, "feature_perturbation_losses: one set of pseudo-labels per model");
  std::vector<torch::Tensor> targets, masks;
  for (int64_t m = 0; m < n; ++m) {
    targets.push_back(pseudo[teacher_of(m, n, pairing)].label);
    masks.push_back(pseudo[teacher_of(m, n, pairing)].mask);
  }
  auto per_student = multi_head_losses(heads, targets, masks);
  std::vector<torch::Tensor> out;
  for (int64_t m = 0; m < n; ++m) out.push_back(per_student[m]);
  return out;
}

double rampup_weight(int64_t iteration, int64_t total, double fraction, double lambda_max) {
  double tr = fraction * double(total);
  if (tr <= 0 || double(iteration) >= tr) return lambda_max;
  double phase = 1.0 - double(iteration) / tr;
  return lambda_max * std::exp(-5.0 * phase * phase);
}
}  // namespace cmems
