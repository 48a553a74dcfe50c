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
  torch::optim::SGD opt_a(a[0]->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  auto loss = a[0]->forward(torch::randn({2, 1, 32, 32})).square().mean();
  loss.backward();
  opt_a.step();  // momentum buffers now exist
  Rng rng_a(7);
  rng_a.uniform_scalar(0, 1);
  const std::string path = dir.str("checkpoint.safetensors");
  save_checkpoint(path, a, opt_a, rng_a, 42, RunInfo{"{}", {"background", "x"}, "MRI"});

  auto b = make(2);  // other weights
  torch::optim::SGD opt_b(b[0]->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  Rng rng_b(99);
  EXPECT_EQ(load_checkpoint(path, b, opt_b, rng_b), 42);
  auto pa = a[0]->parameters(), pb = b[0]->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i])) << i;
  EXPECT_EQ(rng_a.uniform_scalar(0, 1), rng_b.uniform_scalar(0, 1));
  // The same step from both gives the same weights: the momentum buffers came back too.
  for (auto* o : {&opt_a, &opt_b}) o->zero_grad();
  auto x = torch::randn({2, 1, 32, 32});
  a[0]->eval(), b[0]->eval();  // no dropout draws: both forwards see the same network
  a[0]->forward(x).square().mean().backward();
  b[0]->forward(x).square().mean().backward();
  opt_a.step(), opt_b.step();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::allclose(pa[i], pb[i])) << i;
}
}  // namespace cmems
