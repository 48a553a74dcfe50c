#include <gtest/gtest.h>
#include <torch/torch.h>

#include "losses/losses.hpp"
#include "model/unet.hpp"

namespace cmems {

TEST(SegLoss, NearZeroForAConfidentCorrectPrediction) {
  auto y = torch::randint(0, 4, {2, 8, 8}, torch::kLong);
  auto logits = torch::nn::functional::one_hot(y, 4).permute({0, 3, 1, 2}).to(torch::kFloat) * 50;
  EXPECT_LT(seg_loss(logits, y).item<double>(), 1e-3);
  auto wrong = (y + 1) % 4;
  EXPECT_GT(seg_loss(logits, wrong).item<double>(), 1.0);
}

TEST(SegLoss, MaskedAndIgnoredPixelsDoNotCount) {
  torch::manual_seed(0);
  auto logits = torch::randn({1, 3, 4, 4});
  auto y = torch::randint(0, 3, {1, 4, 4}, torch::kLong);
  auto mask = torch::ones({1, 4, 4});
  mask.index_put_({0, 0}, 0.0);  // first row masked
  auto y2 = y.clone();
  y2.index_put_({0, 0}, (y.index({0, 0}) + 1) % 3);
  EXPECT_NEAR(seg_loss(logits, y, mask).item<double>(), seg_loss(logits, y2, mask).item<double>(), 1e-6);
  auto y3 = y.clone();
  y3.index_put_({0, 0}, kIgnore);
  EXPECT_NEAR(seg_loss(logits, y3).item<double>(), seg_loss(logits, y, mask).item<double>(), 1e-6);
}

TEST(PseudoLabels, CarryNoGradientAndRespectTheThreshold) {
  auto logits = torch::tensor({{{{4.0f}}, {{0.0f}}}, {{{0.1f}}, {{0.0f}}}}).requires_grad_(true);  // [2,2,1,1]
  auto p = make_pseudo_labels(logits, 0.9);
  EXPECT_FALSE(p.label.requires_grad());
  EXPECT_FALSE(p.mask.requires_grad());
  EXPECT_FALSE(p.prob.requires_grad());
  EXPECT_EQ(p.mask.flatten()[0].item<float>(), 1.0f);  // softmax 0.98
  EXPECT_EQ(p.mask.flatten()[1].item<float>(), 0.0f);  // softmax 0.52
}

TEST(CrossModel, PseudoLabelsOfAReachOnlyBsLoss) {
  UNetOptions o;
  o.width = 4;
  UNet a(o), b(o);
  auto x = torch::randn({2, 1, 16, 16});
  auto pa = make_pseudo_labels(a->forward(x), 0.0);
  auto loss = seg_loss(b->forward(x + 0.1 * torch::randn_like(x)), pa.label, pa.mask);
  loss.backward();
  for (auto& p : a->parameters()) EXPECT_FALSE(p.grad().defined() && p.grad().abs().sum().item<double>() > 0);
  double gb = 0;
  for (auto& p : b->parameters())
    if (p.grad().defined()) gb += p.grad().abs().sum().item<double>();
  EXPECT_GT(gb, 0.0);
}

TEST(Rampup, SigmoidShape) {
  EXPECT_NEAR(rampup_weight(0, 100, 0.2, 1.0), std::exp(-5.0), 1e-12);
  EXPECT_NEAR(rampup_weight(10, 100, 0.2, 2.0), 2.0 * std::exp(-5.0 * 0.25), 1e-12);
  EXPECT_EQ(rampup_weight(20, 100, 0.2, 1.0), 1.0);
  EXPECT_EQ(rampup_weight(5, 100, 0.0, 0.5), 0.5);
}
}  // namespace cmems
