// The explicit random source of a run: a seeded CPU torch::Generator. Random tensors for the
// CPU are drawn from it (bit-identical for a seed on every machine); random tensors for a
// CUDA device are drawn on that device from torch's default CUDA generator (seeded by the
// run), so that the iteration never copies from the host or waits for the device.
// Model dropout uses torch's default generators, which the run seeds once; the CPU ones are
// checkpointed (resume is bit-exact on the CPU). Stage: core (its torch part).
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
