// The explicit random source of a run: a seeded CPU torch::Generator. Random tensors for the
// CPU are drawn from it (bit-identical for a seed on every machine); random tensors for a
// CUDA device are drawn on that device from torch's default CUDA generator (seeded by the
// run), so that the iteration never copies from the host or waits for the device.
// A generator made for a device (Rng(seed, dev)) owns its CUDA generator instead, so that it
// draws the same numbers from any thread (the batch producer's, methods/batch.hpp).
// Model dropout uses torch's default generators, which the run seeds once; the CPU ones are
// checkpointed (resume is bit-exact on the CPU). Stage: core (its torch part).
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace cmems {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  /// Draws for `dev` from generators of its own (on CUDA: a clone of the default one, seeded).
  Rng(uint64_t seed, const torch::Device& dev);
  torch::Tensor uniform(at::IntArrayRef shape, double lo, double hi, const torch::Device& dev);
  torch::Tensor normal(at::IntArrayRef shape, const torch::Device& dev);
  torch::Tensor bernoulli(at::IntArrayRef shape, double p, const torch::Device& dev);
  /// A random permutation of 0..n-1 (int64).
  torch::Tensor permutation(int64_t n, const torch::Device& dev);
  /// Uniform integers in [0, n).
  torch::Tensor integers(at::IntArrayRef shape, int64_t n, const torch::Device& dev);
  double uniform_scalar(double lo, double hi);
  at::Generator& generator() { return gen_; }
  /// The device given at construction (cpu for Rng(seed)).
  const torch::Device& device() const { return dev_; }

  /// State for checkpoints (a uint8 tensor).
  torch::Tensor state();
  void set_state(const torch::Tensor& s);

 private:
  // A draw on `dev` (cpu or cuda) comes from the CPU generator, or the device's (own or default).
  at::Generator gen_for(const torch::Device& dev);
  at::Generator gen_;
  torch::Device dev_{torch::kCPU};
  at::Generator own_device_gen_;  // defined for Rng(seed, cuda device)
};
}  // namespace cmems
