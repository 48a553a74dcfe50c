#include "core/rng.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace cmems {
Rng::Rng(uint64_t seed) : gen_(at::make_generator<at::CPUGeneratorImpl>(seed)) {}

Rng::Rng(uint64_t seed, const torch::Device& dev) : Rng(seed) {
  dev_ = dev;
  if (dev.is_cuda()) {
    own_device_gen_ = at::globalContext().defaultGenerator(dev).clone();
    std::lock_guard<std::mutex> lock(own_device_gen_.mutex());
    own_device_gen_.set_current_seed(seed);
  }
}

at::Generator Rng::gen_for(const torch::Device& dev) {
  if (!dev.is_cuda()) return gen_;
  return own_device_gen_.defined() ? own_device_gen_ : at::globalContext().defaultGenerator(dev);
}

namespace {
torch::TensorOptions on(const torch::Device& dev, torch::ScalarType t) { return torch::TensorOptions().dtype(t).device(dev); }
}  // namespace

torch::Tensor Rng::uniform(at::IntArrayRef shape, double lo, double hi, const torch::Device& dev) {
  auto u = torch::rand(shape, gen_for(dev), on(dev, torch::kFloat));
  // u·1 and u + 0 are u, bit for bit: no operation (a kernel launch on a GPU) for them
  if (hi - lo != 1.0) u = u * (hi - lo);
  return lo != 0.0 ? u + lo : u;
}
torch::Tensor Rng::normal(at::IntArrayRef shape, const torch::Device& dev) {
  return torch::randn(shape, gen_for(dev), on(dev, torch::kFloat));
}
torch::Tensor Rng::bernoulli(at::IntArrayRef shape, double p, const torch::Device& dev) {
  return (torch::rand(shape, gen_for(dev), on(dev, torch::kFloat)) < p).to(torch::kFloat);
}
torch::Tensor Rng::permutation(int64_t n, const torch::Device& dev) {
  return torch::randperm(n, gen_for(dev), on(dev, torch::kLong));
}
torch::Tensor Rng::integers(at::IntArrayRef shape, int64_t n, const torch::Device& dev) {
  return torch::randint(n, shape, gen_for(dev), on(dev, torch::kLong));
}
double Rng::uniform_scalar(double lo, double hi) {
  return lo + (hi - lo) * torch::rand({1}, gen_, torch::kDouble).item<double>();
}
torch::Tensor Rng::state() {
  std::lock_guard<std::mutex> lock(gen_.mutex());
  return gen_.get_state();
}
void Rng::set_state(const torch::Tensor& s) {
  std::lock_guard<std::mutex> lock(gen_.mutex());
  gen_.set_state(s);
}
}  // namespace cmems
