#include "train/sgd.hpp"

#include <torch/version.h>

namespace cmems {

Sgd::Sgd(std::vector<torch::Tensor> params, double lr, double momentum, double weight_decay)
    : params_(std::move(params)), buffers_(params_.size()), lr_(lr), momentum_(momentum), weight_decay_(weight_decay) {}

void Sgd::zero_grad() {
  for (auto& p : params_) p.mutable_grad() = torch::Tensor();
}

void Sgd::step() {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> ps, gs, bufs;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].grad().defined()) continue;
    ps.push_back(params_[i]);
    gs.push_back(params_[i].grad());
  }
  if (ps.empty()) return;
  std::vector<torch::Tensor> d = weight_decay_ != 0 ? at::_foreach_add(gs, ps, weight_decay_) : gs;
  if (momentum_ != 0) {
    std::vector<torch::Tensor> old_bufs, old_ds;
    for (size_t i = 0, k = 0; i < params_.size(); ++i) {
      if (!params_[i].grad().defined()) continue;
      if (buffers_[i].defined()) {
        old_bufs.push_back(buffers_[i]);
        old_ds.push_back(d[k]);
      } else {
        buffers_[i] = d[k].clone().detach();  // the first step: b = d
      }
      bufs.push_back(buffers_[i]);
      ++k;
    }
    if (!old_bufs.empty()) {
      at::_foreach_mul_(old_bufs, momentum_);
      at::_foreach_add_(old_bufs, old_ds);
    }
    d = bufs;
  }
  if (!lr_t_.defined()) {
    at::_foreach_add_(ps, d, -lr_);
    return;
  }
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  at::_foreach_sub_(ps, at::_foreach_mul(d, lr_t_));  // the Tensor-scalar overload (LibTorch >= 2.1)
#else
  at::_foreach_sub_(ps, at::_foreach_mul(d, std::vector<torch::Tensor>(d.size(), lr_t_)));
#endif
}
}  // namespace cmems
