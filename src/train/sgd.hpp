// SGD with momentum and weight decay, the update of PyTorch's SGD (dampening 0, no Nesterov):
//   d = g + wd·p;  b = d (first step) or momentum·b + d;  p = p − lr·b
// written with foreach ops: four calls update every parameter (torch::optim::SGD issues four
// per parameter), which a GPU runs as a few multi-tensor kernels. Parameters without a
// gradient are skipped, as PyTorch does. zero_grad() drops the gradients (set_to_none):
// backward then writes them afresh, with no zeroing op. The learning rate is a host number,
// or a device scalar (set_lr(Tensor)) that a captured step (perf.cuda_graph) reads at each
// replay: then p = p − (lr·b), one op more, equal to the host form within rounding. Stage: train.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace cmems {

class Sgd {
 public:
  Sgd(std::vector<torch::Tensor> params, double lr, double momentum, double weight_decay);
  void zero_grad();
  void step();
  void set_lr(double lr) { lr_ = lr, lr_t_ = torch::Tensor(); }
  /// A 0-dim tensor on the parameters' device, read by every later step() until set_lr(double).
  void set_lr(const torch::Tensor& lr) { lr_t_ = lr; }
  double lr() const { return lr_; }
  const std::vector<torch::Tensor>& params() const { return params_; }
  /// One per parameter, in params() order; undefined until the parameter's first step.
  std::vector<torch::Tensor>& momentum_buffers() { return buffers_; }

 private:
  std::vector<torch::Tensor> params_, buffers_;
  torch::Tensor lr_t_;
  double lr_, momentum_, weight_decay_;
};
}  // namespace cmems
