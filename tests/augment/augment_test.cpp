#include <gtest/gtest.h>
#include <torch/torch.h>

#include "augment/augment.hpp"
#include "losses/losses.hpp"
#include "synth/synth.hpp"

namespace cmems {

TEST(Weak, ImageAndLabelStayAligned) {
  Config c;
  Rng rng(3);
  auto y = torch::zeros({4, 32, 32}, torch::kLong);
  y.index_put_({torch::indexing::Slice(), torch::indexing::Slice(8, 20), torch::indexing::Slice(10, 16)}, 2);
  auto x = (y.to(torch::kFloat) / 2).unsqueeze(1);  // image = label / 2
  auto g = sample_weak(c, 4, rng, torch::kCPU);
  auto xw = apply_geometric_image(x, g).squeeze(1);
  auto yw = apply_geometric_label(y, g);
  // Away from edges (where bilinear blends), the warped image equals the warped label / 2.
  auto inner = (torch::nn::functional::max_pool2d(yw.to(torch::kFloat).unsqueeze(1), torch::nn::functional::MaxPool2dFuncOptions(3).stride(1).padding(1)) ==
                -torch::nn::functional::max_pool2d(-yw.to(torch::kFloat).unsqueeze(1), torch::nn::functional::MaxPool2dFuncOptions(3).stride(1).padding(1)))
                   .squeeze(1);
  auto diff = (xw - yw.to(torch::kFloat) / 2).abs() * inner.to(torch::kFloat);
  EXPECT_LT(diff.max().item<float>(), 0.05f);
  EXPECT_GT((yw == 2).sum().item<int64_t>(), 0);
}

TEST(CutMix, MixesImagesAndLabelsWithTheSameBox) {
  Config c;
  c.cutmix_prob = 1.0;
  c.strong_color_prob = 0, c.strong_blur_prob = 0, c.strong_noise = 0;
  Rng rng(5);
  const int64_t b = 4, s = 32;
  auto ids = torch::arange(b).to(torch::kFloat);
  auto x = ids.view({b, 1, 1, 1}).expand({b, 1, s, s}).contiguous();  // image i is constant i
  auto y = ids.to(torch::kLong).view({b, 1, 1}).expand({b, s, s}).contiguous();
  auto p = sample_strong(c, b, s, rng, torch::kCPU);
  auto xs = apply_strong(x, p).squeeze(1);
  auto ys = apply_cutmix(y, p);
  EXPECT_TRUE(torch::equal(xs.round().to(torch::kLong), ys));
  EXPECT_GT(p.cutmix_box.sum().item<int64_t>(), 0);
  EXPECT_FALSE(torch::equal(p.partner, torch::arange(b)));  // never mixed with itself
}

TEST(Strong, KeepsShapeAndChangesIntensities) {
  Config c;
  c.strong_color_prob = 1.0;
  Rng rng(9);
  auto x = torch::rand({3, 1, 32, 32});
  auto p = sample_strong(c, 3, 32, rng, torch::kCPU);
  auto xs = apply_strong(x, p);
  EXPECT_EQ(xs.sizes(), x.sizes());
  EXPECT_FALSE(torch::allclose(xs, x));
}

TEST(Synthesis, PastesTheExemplarAlignedWithItsLabel) {
  Config c;
  c.syn_match_stats = false;
  c.syn_gamma = 0, c.syn_contrast = 0, c.syn_brightness = 0;
  c.syn_feather = 0, c.syn_dilate = 2;
  Rng rng(11);
  const int64_t s = 48;
  auto lab = torch::zeros({s, s}, torch::kLong);
  using torch::indexing::Slice;
  lab.index_put_({Slice(16, 32), Slice(14, 30)}, 3);
  lab.index_put_({Slice(20, 28), Slice(18, 26)}, 1);
  auto img = (lab.to(torch::kFloat) / 3).view({1, 1, s, s});  // image encodes the label
  auto pool = torch::full({5, 1, s, s}, 0.123f);
  auto p = sample_synth(c, 6, s, 5, rng, torch::kCPU);
  auto b = synthesize(c, img, lab, pool, 4, p);
  ASSERT_EQ(b.image.sizes(), (std::vector<int64_t>{6, 1, s, s}));
  auto fg = b.label > 0 & b.label != kIgnore;
  EXPECT_GT(fg.sum().item<int64_t>(), 6 * 100);
  // Pixels whose 5×5 neighbourhood has one label carry that label's intensity.
  namespace F = torch::nn::functional;
  auto lf = b.label.to(torch::kFloat).unsqueeze(1);
  auto pool5 = F::MaxPool2dFuncOptions(5).stride(1).padding(2);
  auto interior = (F::max_pool2d(lf, pool5) == -F::max_pool2d(-lf, pool5)).squeeze(1) & fg;
  EXPECT_GT(interior.sum().item<int64_t>(), 6 * 10);
  auto err = ((b.image.squeeze(1) - b.label.to(torch::kFloat) / 3).abs() * interior.to(torch::kFloat)).max();
  EXPECT_LT(err.item<float>(), 0.02f);
  auto outside = b.label == kIgnore;
  EXPECT_TRUE(torch::allclose(b.image.squeeze(1).masked_select(outside), torch::full({outside.sum().item<int64_t>()}, 0.123f)));
  EXPECT_TRUE(torch::equal(outside, ~b.inside));
}

TEST(Synthesis, ParametersAreDeterministicForASeed) {
  Config c;
  Rng r1(2), r2(2);
  auto a = sample_synth(c, 3, 32, 10, r1, torch::kCPU), b = sample_synth(c, 3, 32, 10, r2, torch::kCPU);
  EXPECT_TRUE(torch::equal(a.geometry.theta, b.geometry.theta));
  EXPECT_TRUE(torch::equal(a.background, b.background));
}
}  // namespace cmems
