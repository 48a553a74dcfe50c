// The generic loop's pieces (train/): the poly schedule and the checkpoint round trip.
// Whole training runs (resume, divergence) are in tests/methods.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/check.hpp"
#include "test_util.hpp"
#include "train/checkpoint.hpp"
#include "train/loop.hpp"

namespace cmems {

TEST(PolyLr, DecaysFromTheBaseRateToZero) {
  OptimOptions o;
  o.lr = 0.01, o.poly_power = 0.9;
  EXPECT_DOUBLE_EQ(poly_lr(o, 0, 100), 0.01);
  EXPECT_DOUBLE_EQ(poly_lr(o, 50, 100), 0.01 * std::pow(0.5, 0.9));
  EXPECT_DOUBLE_EQ(poly_lr(o, 100, 100), 0.0);
  EXPECT_GT(poly_lr(o, 10, 100), poly_lr(o, 20, 100));
}

TEST(Checkpoint, RestoresWeightsMomentumRandomStateAndIteration) {
  test::TempDir dir("ckpt");
  UNetOptions u;
  u.width = 4;
  auto make = [&](int seed) {
    torch::manual_seed(seed);
    return std::vector<UNet>{UNet(u)};
  };
  auto a = make(1);
  Sgd opt_a(a[0]->parameters(), 0.01, 0.9, 0.0);
  auto loss = a[0]->forward(torch::randn({2, 1, 32, 32})).square().mean();
  loss.backward();
  opt_a.step();  // momentum buffers now exist
  Rng rng_a(7);
  rng_a.uniform_scalar(0, 1);
  const std::string path = dir.str("checkpoint.safetensors");
  Rng batches_a(8);
  batches_a.uniform_scalar(0, 1);
  save_checkpoint(path, a, opt_a, rng_a, batches_a.state(), 42, RunInfo{"{}", {"background", "x"}, "MRI"});

  auto b = make(2);  // other weights
  Sgd opt_b(b[0]->parameters(), 0.01, 0.9, 0.0);
  Rng rng_b(99);
  Rng batches_b(100);
  torch::Tensor batch_state;
  EXPECT_EQ(load_checkpoint(path, b, opt_b, rng_b, batch_state), 42);
  batches_b.set_state(batch_state);
  auto pa = a[0]->parameters(), pb = b[0]->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i])) << i;
  EXPECT_EQ(rng_a.uniform_scalar(0, 1), rng_b.uniform_scalar(0, 1));
  EXPECT_EQ(batches_a.uniform_scalar(0, 1), batches_b.uniform_scalar(0, 1));
  // The same step from both gives the same weights: the momentum buffers came back too.
  for (auto* o : {&opt_a, &opt_b}) o->zero_grad();
  auto x = torch::randn({2, 1, 32, 32});
  a[0]->eval(), b[0]->eval();  // no dropout draws: both forwards see the same network
  a[0]->forward(x).square().mean().backward();
  b[0]->forward(x).square().mean().backward();
  opt_a.step(), opt_b.step();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::allclose(pa[i], pb[i])) << i;
}

// The foreach SGD gives the parameters LibTorch's SGD gives (momentum, weight decay, a
// changing learning rate, a parameter that gets no gradient), bit for bit on the CPU, and
// issues a handful of ops per step where LibTorch's issues four per parameter.
namespace {
// Two small U-Nets with the same initial weights, without dropout (eval): both see the same network.
std::pair<UNet, UNet> twin_unets(uint64_t seed) {
  UNetOptions u;
  u.width = 4;
  torch::manual_seed(seed);
  UNet a(u);
  torch::manual_seed(seed);
  UNet b(u);
  a->eval(), b->eval();
  return {a, b};
}
}  // namespace

TEST(Sgd, EqualsLibTorchSgdBitForBit) {
  auto [a, b] = twin_unets(3);
  auto pa = a->parameters(), pb = b->parameters();
  Sgd ours(pa, 0.05, 0.9, 1e-3);
  torch::optim::SGD ref(pb, torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(1e-3));
  for (int step = 0; step < 5; ++step) {
    const double lr = 0.05 * (1.0 - step / 10.0);
    ours.set_lr(lr);
    for (auto& g : ref.param_groups()) static_cast<torch::optim::SGDOptions&>(g.options()).lr(lr);
    ours.zero_grad();
    ref.zero_grad();
    auto x = torch::randn({2, 1, 32, 32});
    a->forward(x).square().mean().backward();
    b->forward(x).square().mean().backward();
    // one parameter without a gradient: both skip it
    pa.back().mutable_grad() = torch::Tensor();
    pb.back().mutable_grad() = torch::Tensor();
    ours.step();
    ref.step();
    for (size_t i = 0; i < pa.size(); ++i) ASSERT_TRUE(torch::equal(pa[i], pb[i])) << "step " << step << " param " << i;
  }
  EXPECT_FALSE(ours.momentum_buffers().back().defined());
  EXPECT_TRUE(ours.momentum_buffers().front().defined());
}

// The learning rate as a device scalar (what a captured step reads, perf.cuda_graph),
// filled in place before each step, gives the host rate's parameters within rounding
// (p − (lr·b) against p + (−lr)·b).
TEST(Sgd, ADeviceScalarRateEqualsTheHostRate) {
  auto [a, b] = twin_unets(5);
  auto pa = a->parameters(), pb = b->parameters();
  Sgd host(pa, 0.05, 0.9, 1e-3), device(pb, 0.05, 0.9, 1e-3);
  auto lr = torch::zeros({});
  device.set_lr(lr);
  for (int step = 0; step < 6; ++step) {
    const double r = 0.05 * (1.0 - step / 10.0);
    host.set_lr(r);
    lr.fill_(r);  // in place: the optimiser keeps reading the same tensor
    host.zero_grad(), device.zero_grad();
    auto x = torch::randn({2, 1, 32, 32});
    a->forward(x).square().mean().backward();
    b->forward(x).square().mean().backward();
    host.step(), device.step();
  }
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  }
  EXPECT_LT(worst, 1e-6);
  // and the rate is read at each step: a zero rate leaves the parameters where they are
  lr.fill_(0);
  std::vector<torch::Tensor> before;
  for (auto& p : pb) before.push_back(p.detach().clone());
  device.zero_grad();
  b->forward(torch::randn({2, 1, 32, 32})).square().mean().backward();
  device.step();
  for (size_t i = 0; i < pb.size(); ++i) EXPECT_TRUE(torch::equal(pb[i], before[i])) << i;
}
}  // namespace cmems
