// The explicit random source of a run: a seeded CPU torch::Generator. Random tensors are
// drawn on the CPU (bit-identical for a seed on every machine) and moved to the target
// device. Model dropout uses torch's default generator, which the run seeds once and
// checkpoints. Stage: model.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace cmems {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  torch::Tensor uniform(at::IntArrayRef shape, double lo, double hi, const torch::Device& dev);
  torch::Tensor normal(at::IntArrayRef shape, const torch::Device& dev);
  torch::Tensor bernoulli(at::IntArrayRef shape, double p, const torch::Device& dev);
  /// A random permutation of 0..n-1 (int64).
  torch::Tensor permutation(int64_t n, const torch::Device& dev);
  /// Uniform integers in [0, n).
  torch::Tensor integers(at::IntArrayRef shape, int64_t n, const torch::Device& dev);
  double uniform_scalar(double lo, double hi);
  at::Generator& generator() { return gen_; }

  /// State for checkpoints (a uint8 tensor).
  torch::Tensor state();
  void set_state(const torch::Tensor& s);

 private:
  at::Generator gen_;
};
}  // namespace cmems
