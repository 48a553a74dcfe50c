// Exemplar-guided synthesis (synth/): the paste keeps image and label aligned, the label
// outside the paste mask is filled per synthesis.outside, and draws follow the seed.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/labels.hpp"
#include "synth/synth.hpp"
#include "test_util.hpp"

namespace cmems {
namespace {
torch::Tensor asymmetric(int64_t b, int64_t s) {
  auto l = test::asymmetric_label(s, s);
  return torch::from_blob(l.data(), {1, s, s}, torch::kByte).to(torch::kLong).expand({b, s, s}).contiguous();
}
}  // namespace

TEST(Synthesis, PastesTheExemplarAlignedWithItsLabel) {
  SynthOptions c;
  c.match_stats = false;
  c.gamma = 0, c.contrast = 0, c.brightness = 0;
  c.feather = 0, c.dilate = 2 * 256.0 / 48;  // 2 pixels at this 48-pixel size
  Rng rng(11);
  const int64_t s = 48;
  auto lab = asymmetric(1, s)[0];
  auto img = (lab.to(torch::kFloat) / 3).view({1, 1, s, s});  // image encodes the label
  auto pool = torch::full({5, 1, s, s}, 0.123f);
  auto p = sample_synth(c, 6, s, 5, rng, torch::kCPU, 1, 4);
  auto b = synthesize(c, img, lab, pool, 4, p);
  ASSERT_EQ(b.image.sizes(), (std::vector<int64_t>{6, 1, s, s}));
  auto fg = b.label > 0 & b.label != kIgnore;
  EXPECT_GT(fg.sum().item<int64_t>(), 6 * 100);
  // Pixels whose 5×5 neighbourhood has one label carry that label's intensity.
  namespace F = torch::nn::functional;
  auto lf = b.label.to(torch::kFloat).unsqueeze(1);
  auto pool5 = F::MaxPool2dFuncOptions(5).stride(1).padding(2);
  auto interior = (F::max_pool2d(lf, pool5) == -F::max_pool2d(-lf, pool5)).squeeze(1) & fg;
  // Not the 2-pixel frame, where the warp samples beyond the exemplar (zero padding).
  auto frame = torch::ones_like(interior);
  frame.index_put_({torch::indexing::Slice(), torch::indexing::Slice(2, s - 2), torch::indexing::Slice(2, s - 2)}, false);
  interior = interior & ~frame;
  EXPECT_GT(interior.sum().item<int64_t>(), 6 * 10);
  auto err = ((b.image.squeeze(1) - b.label.to(torch::kFloat) / 3).abs() * interior.to(torch::kFloat)).max();
  EXPECT_LT(err.item<float>(), 0.02f);
  auto outside = b.label == kIgnore;
  EXPECT_TRUE(torch::allclose(b.image.squeeze(1).masked_select(outside), torch::full({outside.sum().item<int64_t>()}, 0.123f)));
  EXPECT_TRUE(torch::equal(outside, ~b.inside));
}

TEST(Synthesis, ParametersAreDeterministicForASeed) {
  SynthOptions c;
  Rng r1(2), r2(2);
  auto a = sample_synth(c, 3, 32, 10, r1, torch::kCPU, 1, 4), b = sample_synth(c, 3, 32, 10, r2, torch::kCPU, 1, 4);
  EXPECT_TRUE(torch::equal(a.geometry.theta, b.geometry.theta));
  EXPECT_TRUE(torch::equal(a.background, b.background));
}
TEST(Synthesis, OutsideTheMaskTheLabelIsWhatTheCallerFills) {
  SynthOptions c;
  Rng rng(5);
  const int64_t s = 32;
  auto lab = asymmetric(1, s)[0];
  auto img = (lab.to(torch::kFloat) / 3).view({1, 1, s, s});
  auto pool = torch::rand({4, 1, s, s});
  auto b = synthesize(c, img, lab, pool, 4, sample_synth(c, 3, s, 4, rng, torch::kCPU, 1, 4));
  auto filled = fill_outside(b, torch::zeros_like(b.label));
  EXPECT_EQ(filled.masked_select(~b.inside).max().item<int64_t>(), 0);
  EXPECT_TRUE(torch::equal(filled.masked_select(b.inside), b.label.masked_select(b.inside)));
  // Previews: `background` fills 0 outside the mask, `ignore` leaves kIgnore there.
  c.outside = SynthOutside::Background;
  Rng r1(9), r2(9);
  auto bg = preview_samples(c, img, lab, pool, 4, 2, r1);
  c.outside = SynthOutside::Ignore;
  auto ig = preview_samples(c, img, lab, pool, 4, 2, r2);
  EXPECT_TRUE(torch::equal(bg.image, ig.image));
  EXPECT_EQ(bg.label.masked_select(~bg.inside).max().item<int64_t>(), 0);
  EXPECT_EQ(ig.label.masked_select(~ig.inside).min().item<int64_t>(), kIgnore);
}
// Several exemplars: each item pastes the one its source names; with two copies of one
// exemplar the samples are those of the one exemplar (whose draws have no source at all).
TEST(Synthesis, SeveralExemplarsPasteTheOneEachItemDraws) {
  SynthOptions c;
  const int64_t s = 32, n = 6;
  auto yy = torch::arange(s).view({s, 1}), xx = torch::arange(s).view({1, s});
  auto lab = (((yy - 16).square() + (xx - 16).square()) < 49).to(torch::kLong);
  auto img = (0.3 + 0.5 * lab.to(torch::kFloat)).view({1, 1, s, s});
  auto pool = torch::rand({5, 1, s, s});
  Rng r1(4), r2(4);
  auto one = sample_synth(c, n, s, 5, r1, torch::kCPU, 1, 2);
  EXPECT_FALSE(one.source.defined());
  auto two = sample_synth(c, n, s, 5, r2, torch::kCPU, 2, 2);
  ASSERT_TRUE(two.source.defined());
  EXPECT_TRUE(torch::equal(one.background, two.background));  // the source is drawn last
  auto a = synthesize(c, img, lab, pool, 2, one);
  auto b = synthesize(c, torch::cat({img, img}), torch::stack({lab, lab}), pool, 2, two);
  EXPECT_TRUE(torch::allclose(a.image, b.image, 1e-6, 1e-6));
  EXPECT_TRUE(torch::equal(a.label, b.label));
  // a second, empty-of-structure exemplar: items that draw it paste nothing
  auto c2 = synthesize(c, torch::cat({img, img}), torch::stack({lab, torch::zeros_like(lab)}), pool, 2, two);
  for (int64_t i = 0; i < n; ++i) {
    const bool second = two.source[i].item<int64_t>() == 1;
    EXPECT_EQ((c2.label[i] == 1).any().item<bool>(), !second) << "item " << i;
  }
}

// synthesis.structure_scale: each class scaled by its own factor about its own centre (here
// class 1 by 1.5 and class 2 by 0.7 in item 0, the reverse sizes unchanged in item 1), the
// rest of the transform the identity; off, nothing is drawn for it.
TEST(Synthesis, StructureScaleScalesEachClassAboutItsOwnCentre) {
  SynthOptions c;
  c.rotation = 0, c.flip = false, c.scale_min = c.scale_max = 1, c.translate = 0;
  c.match_stats = false, c.gamma = c.contrast = c.brightness = 0, c.dilate = c.feather = 0;
  const int64_t s = 64;
  auto yy = torch::arange(s).view({s, 1}), xx = torch::arange(s).view({1, s});
  auto square = [&](int64_t cx, int64_t cy) { return (xx - cx).abs() <= 6 & (yy - cy).abs() <= 6; };
  auto lab = square(18, 32).to(torch::kLong) + 2 * square(46, 32).to(torch::kLong);  // 13 x 13 each, 15 pixels apart
  auto img = (lab.to(torch::kFloat) / 2).view({1, 1, s, s});
  auto pool = torch::zeros({1, 1, s, s});
  Rng r0(3);
  c.structure_scale = 0;
  EXPECT_FALSE(sample_synth(c, 2, s, 1, r0, torch::kCPU, 1, 3).structure.defined());
  {  // one foreground class: no proportions to vary, nothing drawn, the same draws as with 0
    c.structure_scale = 0.5;
    Rng on(3), off(3);
    auto one = sample_synth(c, 2, s, 1, on, torch::kCPU, 1, 2);
    EXPECT_FALSE(one.structure.defined());
    c.structure_scale = 0;
    auto zero = sample_synth(c, 2, s, 1, off, torch::kCPU, 1, 2);
    EXPECT_TRUE(torch::equal(one.geometry.theta, zero.geometry.theta));
    EXPECT_TRUE(torch::equal(on.uniform({8}, 0, 1, torch::kCPU), off.uniform({8}, 0, 1, torch::kCPU)));
  }
  c.structure_scale = 0.5;
  Rng r1(3);
  auto p = sample_synth(c, 2, s, 1, r1, torch::kCPU, 1, 3);
  ASSERT_EQ(p.structure.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(p.structure.select(1, 0).abs().max().item<float>(), 0.f);
  EXPECT_LE(p.structure.abs().max().item<float>(), 0.5f);
  p.structure = torch::tensor({{0.f, std::log(1.5f), std::log(0.7f)}, {0.f, 0.f, 0.f}});
  auto b = synthesize(c, img, lab, pool, 3, p);
  auto area = [&](int64_t i, int64_t cls) { return (b.label[i] == cls).sum().item<double>(); };
  const double a0 = 13.0 * 13.0;
  // 1.5^2 = 2.25 and 0.7^2 = 0.49 where the blended weights are 1; the corners, where they are
  // below 1, move less
  EXPECT_NEAR(area(0, 1) / a0, 2.0, 0.2);
  EXPECT_NEAR(area(0, 2) / a0, 0.55, 0.1);
  EXPECT_NEAR(area(1, 1) / a0, 1.0, 0.05);
  EXPECT_NEAR(area(1, 2) / a0, 1.0, 0.05);
  // each about its own centre
  auto centre_x = [&](int64_t i, int64_t cls) {
    auto m = (b.label[i] == cls).to(torch::kDouble);
    return (m * xx.to(torch::kDouble)).sum().item<double>() / m.sum().item<double>();
  };
  EXPECT_NEAR(centre_x(0, 1), 18.0, 0.75);
  EXPECT_NEAR(centre_x(0, 2), 46.0, 0.75);
  // image and label stay aligned: the image encodes the label
  auto interior = (b.label[0] == 1) & (b.image[0][0] > 0.45) & (b.image[0][0] < 0.55);
  EXPECT_GT(interior.sum().item<int64_t>(), int64_t(a0));
}

}  // namespace cmems
