#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "augment/augment.hpp"
#include "losses/losses.hpp"
#include "test_util.hpp"

namespace cmems {

namespace {
namespace F = torch::nn::functional;
// Pixels whose 3×3 neighbourhood in `lab` [B, H, W] has one value.
torch::Tensor uniform_3x3(const torch::Tensor& lab) {
  auto lf = lab.to(torch::kFloat).unsqueeze(1);
  auto p3 = F::MaxPool2dFuncOptions(3).stride(1).padding(1);
  return (F::max_pool2d(lf, p3) == -F::max_pool2d(-lf, p3)).squeeze(1);
}
torch::Tensor asymmetric(int64_t b, int64_t s) {
  auto l = test::asymmetric_label(s, s);
  return torch::from_blob(l.data(), {1, s, s}, torch::kByte).to(torch::kLong).expand({b, s, s}).contiguous();
}
}  // namespace

TEST(Weak, ImageAndLabelStayAligned) {
  for (std::string mode : {"all", "ssl4mis"}) {
    WeakOptions c;
    c.mode = parse_enum<WeakMode>(mode, "test");
    Rng rng(3);
    auto y = asymmetric(8, 40);
    auto x = (y.to(torch::kFloat) / 3).unsqueeze(1);  // image = label / 3
    auto g = sample_weak(c, 8, rng, torch::kCPU);
    auto xw = apply_geometric_image(x, g).squeeze(1);
    auto yw = apply_geometric_label(y, g);
    // Away from edges (where bilinear blends), the warped image equals the warped label / 3.
    auto inner = uniform_3x3(yw).to(torch::kFloat);
    EXPECT_LT(((xw - yw.to(torch::kFloat) / 3).abs() * inner).max().item<float>(), 0.05f) << mode;
    for (int64_t k = 1; k <= 3; ++k) EXPECT_GT((yw == k).sum().item<int64_t>(), 8 * 10) << mode;
  }
}

TEST(Weak, Ssl4misModeLeavesAQuarterUntouchedAndTurnsHalf) {
  WeakOptions c;
  c.mode = WeakMode::Ssl4mis;
  c.scale_min = c.scale_max = 1.0;
  Rng rng(4);
  const int64_t b = 4000;
  auto theta = sample_weak(c, b, rng, torch::kCPU).theta;
  auto eye = torch::tensor({1.f, 0.f, 0.f, 0.f, 1.f, 0.f}).view({1, 2, 3});
  auto untouched = ((theta - eye).abs().amax({1, 2}) < 1e-5).to(torch::kDouble).mean().item<double>();
  // 90° turns and flips keep every entry in {-1, 0, 1}; small rotations do not.
  auto lattice = ((theta - theta.round()).abs().amax({1, 2}) < 1e-5).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(untouched, 0.25 + 0.5 / 8, 0.03);  // nothing, or the identity among the 8 turn+flips
  EXPECT_NEAR(lattice, 0.75, 0.03);
}

// weak.dihedral false keeps the orientation: no 90-degree turn and no flip in either mode,
// only the small rotation (|angle| <= weak.rotation) and the scale-crop.
TEST(Weak, WithoutDihedralNoItemIsTurnedOrFlipped) {
  for (auto mode : {WeakMode::Ssl4mis, WeakMode::All}) {
    WeakOptions c;
    c.mode = mode;
    c.dihedral = false;
    c.scale_min = c.scale_max = 1.0;
    Rng rng(4);
    auto theta = sample_weak(c, 2000, rng, torch::kCPU).theta;
    auto cos_a = theta.select(1, 0).select(1, 0), sin_a = theta.select(1, 1).select(1, 0);
    auto det = cos_a * theta.select(1, 1).select(1, 1) - theta.select(1, 0).select(1, 1) * sin_a;
    EXPECT_GT(det.min().item<float>(), 0.99f) << int(mode);  // no flip (a flip has det -1)
    EXPECT_GT(cos_a.min().item<float>(), std::cos(20.5 * 3.14159265 / 180)) << int(mode);  // |angle| <= 20
    if (mode == WeakMode::All)  // every item rotated a little: the draws still vary
      EXPECT_GT(sin_a.abs().max().item<float>(), 0.2f);
  }
}

TEST(CutMix, MixesImagesAndLabelsWithTheSameBox) {
  StrongOptions c;
  c.cutmix_prob = 1.0;
  c.color_prob = 0, c.blur_prob = 0, c.noise = 0;
  Rng rng(5);
  const int64_t b = 4, s = 32;
  auto ids = torch::arange(b).to(torch::kFloat);
  auto x = ids.view({b, 1, 1, 1}).expand({b, 1, s, s}).contiguous();  // image i is constant i
  auto y = ids.to(torch::kLong).view({b, 1, 1}).expand({b, s, s}).contiguous();
  auto p = sample_strong(c, b, s, rng, torch::kCPU);
  auto xs = apply_strong(x, p).squeeze(1);
  auto ys = cutmix(y, p.mix);
  EXPECT_TRUE(torch::equal(xs.round().to(torch::kLong), ys));
  EXPECT_GT(p.mix.box.sum().item<int64_t>(), 0);
  EXPECT_FALSE(torch::equal(p.mix.partner, torch::arange(b)));  // never mixed with itself
}

TEST(Strong, KeepsShapeAndChangesIntensities) {
  StrongOptions c;
  c.color_prob = 1.0;
  Rng rng(9);
  auto x = torch::rand({3, 1, 32, 32});
  auto p = sample_strong(c, 3, 32, rng, torch::kCPU);
  auto xs = apply_strong(x, p);
  EXPECT_EQ(xs.sizes(), x.sizes());
  EXPECT_FALSE(torch::allclose(xs, x));
}

TEST(Strong, ViewsMadeAsOneBatchEqualViewsMadeOneByOne) {
  StrongOptions c;
  c.color_prob = 0.5, c.blur_prob = 0.5, c.cutmix_prob = 1.0;
  Rng rng(11);
  const int64_t n = 4, g = 3, s = 32;
  auto x = torch::rand({n, 1, s, s});
  auto p = sample_strong(c, n, s, rng, torch::kCPU, g);
  ASSERT_EQ(p.mix.partner.size(0), g * n);
  auto all = apply_strong(x, p);
  ASSERT_EQ(all.sizes(), (std::vector<int64_t>{g * n, 1, s, s}));
  for (int64_t k = 0; k < g; ++k) {
    auto part = [&](const torch::Tensor& t) { return t.narrow(0, k * n, n); };
    StrongParams one = p;
    one.color_on = part(p.color_on), one.brightness = part(p.brightness), one.contrast = part(p.contrast);
    one.gamma = part(p.gamma), one.blur_on = part(p.blur_on), one.sigma = part(p.sigma), one.noise = part(p.noise);
    one.mix = {part(p.mix.box), part(p.mix.partner)};
    // each view's partners are other items of the same batch
    EXPECT_TRUE((one.mix.partner != torch::arange(n)).all().item<bool>()) << "view " << k;
    EXPECT_TRUE(torch::equal(std::get<0>(one.mix.partner.sort()), torch::arange(n))) << "view " << k;
    EXPECT_TRUE(torch::allclose(apply_strong(x, one), part(all), 1e-6, 1e-6)) << "view " << k;
  }
}

// Rng::uniform leaves out the multiply by 1 and the add of 0: the same values, bit for bit,
// as the full affine map of the same draw.
TEST(Rng, UniformEqualsTheAffineMapOfItsDraw) {
  for (auto [lo, hi] : std::vector<std::pair<double, double>>{{0, 1}, {0, 0.4}, {-1, 0}, {-0.5, 0.5}, {0.7, 1.3}}) {
    Rng a(3), b(3);
    auto u = a.uniform({1000}, lo, hi, torch::kCPU);
    auto ref = b.uniform({1000}, 0, 1, torch::kCPU) * (hi - lo) + lo;
    EXPECT_TRUE(torch::equal(u, ref)) << lo << " " << hi;
    EXPECT_GE(u.min().item<double>(), lo);
    EXPECT_LE(u.max().item<double>(), hi);
  }
}

}  // namespace cmems
