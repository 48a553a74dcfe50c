#include "data/propagate.hpp"

#include "core/check.hpp"
#include "core/labels.hpp"

namespace cmems {
namespace F = torch::nn::functional;

namespace {
torch::Tensor sample(const torch::Tensor& x, const torch::Tensor& grid) {
  return F::grid_sample(x, grid, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
}
}  // namespace

torch::Tensor register_planes(const torch::Tensor& moving, const torch::Tensor& fixed, const PropagateOptions& o) {
  CMEMS_CHECK(moving.dim() == 4 && moving.sizes() == fixed.sizes() && moving.size(1) == 1,
              "register_planes: moving and fixed planes must be [P, 1, H, W] alike");
  const int64_t p = moving.size(0), h = moving.size(2), w = moving.size(3);
  const int64_t gh = std::max<int64_t>(2, h / o.grid), gw = std::max<int64_t>(2, w / o.grid);
  auto opts = moving.options().dtype(torch::kFloat);
  auto identity = torch::eye(2, 3, opts).unsqueeze(0).expand({p, 2, 3});
  torch::Tensor base;
  {
    torch::NoGradGuard g;
    base = F::affine_grid(identity, {p, 1, h, w}, false);
  }
  auto mov = moving.to(torch::kFloat).detach(), fix = fixed.to(torch::kFloat).detach();
  auto u = torch::zeros({p, 2, gh, gw}, opts).requires_grad_(true);
  auto field = [&](const torch::Tensor& c) {
    return F::interpolate(c, F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBilinear).align_corners(false))
        .permute({0, 2, 3, 1});
  };
  torch::AutoGradMode grad_on(true);
  torch::optim::Adam opt({u}, torch::optim::AdamOptions(o.lr));
  for (int64_t i = 0; i < o.iterations; ++i) {
    auto warped = sample(mov, base + field(u));
    auto dy = u.narrow(2, 1, gh - 1) - u.narrow(2, 0, gh - 1), dx = u.narrow(3, 1, gw - 1) - u.narrow(3, 0, gw - 1);
    // every pair's own mean, summed: the pairs do not weigh on each other's steps
    auto loss = ((warped - fix).square().mean({1, 2, 3}) + o.smooth * (dy.square().mean({1, 2, 3}) + dx.square().mean({1, 2, 3}))).sum();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  torch::NoGradGuard g;
  return (base + field(u)).detach();
}

torch::Tensor propagate_label(const torch::Tensor& planes, int64_t at, const torch::Tensor& label, int64_t num_classes,
                              const PropagateOptions& o) {
  const int64_t k = planes.size(0);
  CMEMS_CHECK(planes.dim() == 4 && at >= 0 && at < k && label.dim() == 2 && label.size(0) == planes.size(2) &&
                  label.size(1) == planes.size(3),
              "propagate_label: planes [K, 1, S, S], 0 <= at < K and a label [S, S]");
  if (k == 1) return label.unsqueeze(0).clone();
  // Pairs: every plane but the exemplar's (fixed) with its neighbour towards it (moving).
  std::vector<int64_t> fixed_idx, moving_idx;
  for (int64_t j = 0; j < k; ++j)
    if (j != at) fixed_idx.push_back(j), moving_idx.push_back(j < at ? j + 1 : j - 1);
  auto index = [&](const std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong).to(planes.device()); };
  auto grids = register_planes(planes.index_select(0, index(moving_idx)), planes.index_select(0, index(fixed_idx)), o);
  torch::NoGradGuard g;
  std::vector<torch::Tensor> prob(static_cast<size_t>(k));
  auto onehot = label.clamp(0, num_classes - 1).unsqueeze(0) ==
                torch::arange(num_classes, label.options()).view({num_classes, 1, 1});
  prob[size_t(at)] = onehot.to(torch::kFloat).unsqueeze(0);  // [1, C, S, S]
  auto grid_of = [&](int64_t j) { return grids.narrow(0, j < at ? j : j - 1, 1); };
  for (int64_t j = at + 1; j < k; ++j) prob[size_t(j)] = sample(prob[size_t(j - 1)], grid_of(j));
  for (int64_t j = at - 1; j >= 0; --j) prob[size_t(j)] = sample(prob[size_t(j + 1)], grid_of(j));
  auto p = torch::cat(prob, 0);  // [K, C, S, S]
  auto [best, cls] = p.max(1);
  auto out = cls.masked_fill(best < o.confidence, kIgnore);
  out[at] = label;
  return out;
}
}  // namespace cmems
