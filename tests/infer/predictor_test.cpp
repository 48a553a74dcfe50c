#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "infer/predictor.hpp"
#include "test_util.hpp"

namespace cmems {

// A stand-in model that reads the label off the image (image = foreground mask of an
// asymmetric shape, threshold ½), so that the prediction equals the reference wherever the
// resize path keeps pixels where they were; a flip or transposition would not.
TEST(PredictSlices, ResizingToTheTrainingSizeAndBackKeepsNonSquareSlicesAligned) {
  for (auto fit : {SliceFit::Stretch, SliceFit::Pad})
  for (auto [h, w] : {std::pair<int64_t, int64_t>{60, 36}, {36, 60}}) {
    auto lab = test::asymmetric_label(h, w);
    auto y = (torch::from_blob(lab.data(), {1, h, w}, torch::kByte) > 0).to(torch::kLong).expand({3, h, w}).contiguous();
    auto vol = y.to(torch::kFloat);  // [D, H, W]
    int64_t calls = 0;
    auto model = [&calls](const torch::Tensor& x) {
      EXPECT_EQ(x.size(2), 32);
      EXPECT_EQ(x.size(3), 32);
      ++calls;
      auto fg = x.squeeze(1).clamp(0, 1);
      return torch::stack({1 - fg, fg}, 1);  // probabilities [B, 2, S, S]
    };
    auto pred = predict_slices(vol, 32, 2, model, fit).to(torch::kLong);
    ASSERT_EQ(pred.sizes(), (std::vector<int64_t>{3, h, w}));
    EXPECT_EQ(calls, 2);  // batches of 2 slices
    auto p = pred == 1, g = y == 1;
    double dice = 2.0 * (p & g).sum().item<double>() / (p.sum().item<double>() + g.sum().item<double>());
    EXPECT_GT(dice, 0.95) << h << "x" << w << " " << enum_name(fit);
    // Each slice's errors lie on the boundary only: no pixel farther than 1 from it is wrong.
    namespace F = torch::nn::functional;
    auto gf = g.to(torch::kFloat).unsqueeze(1);
    auto p3 = F::MaxPool2dFuncOptions(3).stride(1).padding(1);
    auto uniform = (F::max_pool2d(gf, p3) == -F::max_pool2d(-gf, p3)).squeeze(1);
    EXPECT_EQ((uniform & (p != g)).sum().item<int64_t>(), 0) << h << "x" << w << " " << enum_name(fit);
  }
}
// data.context at inference: each slice goes in with the planes around it (clamped at the
// volume's ends), in order of position, itself in the middle: as training stacks them.
TEST(PredictSlices, ContextPlanesGoInAsChannelsClampedAtTheEnds) {
  const int64_t d = 5, s = 8;
  auto vol = torch::arange(d, torch::kFloat).view({d, 1, 1}).expand({d, s, s}).contiguous();  // plane z holds z
  std::vector<std::vector<float>> seen;
  auto model = [&seen](const torch::Tensor& x) {
    EXPECT_EQ(x.size(1), 3);
    for (int64_t i = 0; i < x.size(0); ++i) {
      auto v = x[i].mean({1, 2}).contiguous();
      seen.emplace_back(v.data_ptr<float>(), v.data_ptr<float>() + 3);
    }
    return torch::softmax(torch::zeros({x.size(0), 2, x.size(2), x.size(3)}), 1);
  };
  predict_slices(vol, s, 2, model, SliceFit::Stretch, PlaneContext{1, 2});
  ASSERT_EQ(seen.size(), size_t(d));
  const std::vector<std::vector<float>> want{{0, 0, 2}, {0, 1, 3}, {0, 2, 4}, {1, 3, 4}, {2, 4, 4}};
  for (int64_t z = 0; z < d; ++z)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(seen[size_t(z)][size_t(c)], want[size_t(z)][size_t(c)], 1e-5) << z << " " << c;
}

namespace {
Predictor two_model_predictor(const std::string& which, bool tta, Amp amp = Amp::None) {
  PredictorOptions c;
  c.size = 32;
  c.infer.batch = 3;
  c.infer.models = parse_enum<InferModels>(which, "test");
  c.infer.tta = tta;
  c.infer.amp = amp;
  std::vector<UNet> models;
  for (int seed : {1, 2}) {
    torch::manual_seed(seed);
    UNetOptions o;
    o.num_classes = 4;
    o.width = 4;
    models.emplace_back(o);
  }
  return Predictor(c, models, {"background", "RV", "Myo", "LV"}, "zscore");
}

ImageVolume random_volume() {
  torch::manual_seed(7);
  ImageVolume img;
  img.dims = {40, 28, 5};  // non-square slices, resized to 32x32 and back
  img.geometry.spacing = {1.5, 1.25, 8.0};
  img.geometry.qoffset_x = 12.5;
  auto t = torch::randn({5, 28, 40}).contiguous();
  img.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  return img;
}
}  // namespace

// QC comes from the same pass as the labels: asking for it changes no label, and its
// per-model maps are exactly what each model predicts alone (`--models a`, `--models b`), post-processed alike.
TEST(PredictorQc, PerModelMapsMatchEachModelAloneAndLabelsAreUnchanged) {
  auto img = random_volume();
  for (bool tta : {false, true}) {
    auto both = two_model_predictor("both", tta);
    QcMaps qc;
    auto with_qc = both.predict(img, &qc);
    EXPECT_EQ(with_qc.data, both.predict(img).data) << "tta " << tta;
    EXPECT_EQ(qc.model_a.data, two_model_predictor("a", tta).predict(img).data) << "tta " << tta;
    EXPECT_EQ(qc.model_b.data, two_model_predictor("b", tta).predict(img).data) << "tta " << tta;
    EXPECT_NE(qc.model_a.data, qc.model_b.data);  // two different random models disagree somewhere
    for (auto* v : {&qc.model_a.dims, &qc.model_b.dims, &qc.entropy.dims}) EXPECT_EQ(*v, img.dims);
    EXPECT_EQ(qc.entropy.geometry.spacing, img.geometry.spacing);
    EXPECT_EQ(qc.entropy.geometry.qoffset_x, 12.5);
    ASSERT_EQ(qc.entropy.data.size(), img.data.size());
    float lo = 1, hi = 0;
    for (float e : qc.entropy.data) lo = std::min(lo, e), hi = std::max(hi, e);
    EXPECT_GE(lo, 0.0f);
    EXPECT_LE(hi, 1.0f);
    EXPECT_GT(hi, 0.0f);
  }
  // With model a chosen for the labels, QC still compares both models.
  QcMaps qc;
  auto a_only = two_model_predictor("a", false).predict(img, &qc);
  EXPECT_EQ(a_only.data, qc.model_a.data);
  EXPECT_FALSE(qc.model_b.data.empty());
}

// infer.amp bf16 runs the passes under autocast: labels as in float32 but for a few voxels
// where two classes are nearly tied (the random models here tie more than trained ones).
TEST(Predictor, Bf16AutocastPredictsAsFloat32) {
  auto img = random_volume();
  auto fp32 = two_model_predictor("both", false).predict(img);
  auto bf16 = two_model_predictor("both", false, Amp::BF16).predict(img);
  ASSERT_EQ(bf16.data.size(), fp32.data.size());
  size_t same = 0;
  for (size_t i = 0; i < fp32.data.size(); ++i) same += bf16.data[i] == fp32.data[i];
  EXPECT_GE(double(same) / double(fp32.data.size()), 0.95) << same << " of " << fp32.data.size();
}

TEST(PredictorQc, OneModelRunsFillNoQc) {
  PredictorOptions c;
  c.size = 32;
  c.infer.models = InferModels::A;
  UNetOptions o;
  o.width = 4;
  Predictor one(c, {UNet(o)}, {"background", "RV", "Myo", "LV"}, "zscore");
  QcMaps qc;
  auto img = random_volume();
  EXPECT_EQ(one.predict(img, &qc).data.size(), img.data.size());
  EXPECT_TRUE(qc.model_a.data.empty());
  EXPECT_TRUE(qc.entropy.data.empty());
}

// infer.opening's radius is physical: on a volume whose spacing is known (NIfTI) post_process
// opens before the largest component; where the source gave none (HDF5: spacing_known false,
// the spacing one voxel) it keeps the largest component alone, as with infer.opening 0.
TEST(Predictor, PostProcessOpensOnlyWhereTheSpacingIsKnown) {
  PredictorOptions c;
  c.size = 32;
  ASSERT_EQ(c.infer.opening, 0.5) << "the default";
  UNetOptions o;
  o.width = 4;
  o.num_classes = 2;
  Predictor p(c, {UNet(o)}, {"background", "atrium"}, "zscore");
  // a ball 8 voxels deep with a ball 3 deep on a tube one voxel thick: one component
  LabelVolume l;
  l.dims = {48, 24, 24};
  l.geometry.spacing = {1, 1, 1};
  l.data.assign(size_t(48 * 24 * 24), 0);
  auto sq = [](double v) { return v * v; };
  size_t small = 0;
  for (int64_t z = 0; z < 24; ++z)
    for (int64_t y = 0; y < 24; ++y)
      for (int64_t x = 0; x < 48; ++x) {
        const double r2 = sq(double(y) - 12) + sq(double(z) - 12);
        const bool s = sq(double(x) - 36) + r2 <= 9;
        if (sq(double(x) - 12) + r2 <= 64 || (x > 12 && x < 36 && r2 <= 1) || s) l.data[size_t(x + 48 * (y + 24 * z))] = 1;
        small += s;
      }
  LabelVolume unknown = l;
  unknown.geometry.spacing_known = false;
  p.post_process(unknown);
  EXPECT_EQ(unknown.data, l.data) << "spacing unknown: the largest component alone, which is all of it";
  LabelVolume known = l;
  p.post_process(known);
  const auto kept = [](const LabelVolume& v) { return std::count(v.data.begin(), v.data.end(), uint8_t(1)); };
  EXPECT_LT(kept(known), kept(l) - int64_t(small)) << "spacing known: the small ball and the tube go";
}
}  // namespace cmems

namespace cmems {
// infer.assembly, part of the component step (infer.lcc): a "heart" of three classes side by side
// and a larger stray block of class 1 apart from it; the defaults keep the heart alone; without
// the assembly step the stray block is class 1's largest component and stays; without
// infer.lcc nothing changes.
TEST(Predictor, PostProcessKeepsTheAssemblyOnlyWithTheComponentStep) {
  UNetOptions o;
  o.width = 4;
  o.num_classes = 4;
  LabelVolume l;
  l.dims = {20, 4, 2};
  l.geometry.spacing_known = false;
  l.data.assign(size_t(20 * 4 * 2), 0);
  for (int64_t z = 0; z < 2; ++z)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 20; ++x) {
        uint8_t v = x < 2 ? 1 : x < 4 ? 2 : x < 6 ? 3 : (x >= 9 ? 1 : 0);  // heart 0-5, stray 9-19
        l.data[size_t(x + 20 * (y + 4 * z))] = v;
      }
  auto post = [&](bool lcc, bool assembly) {
    PredictorOptions c;
    c.size = 32;
    c.infer.lcc = lcc, c.infer.assembly = assembly;
    Predictor p(c, {UNet(o)}, {"background", "a", "b", "c"}, "zscore");
    LabelVolume v = l;
    p.post_process(v);
    return v.data;
  };
  ASSERT_TRUE(PredictorOptions{}.infer.assembly) << "the default";
  const auto heart_only = post(true, true);
  EXPECT_EQ(std::count(heart_only.begin(), heart_only.end(), uint8_t(1)), 2 * 4 * 2);
  EXPECT_EQ(std::count(heart_only.begin(), heart_only.end(), uint8_t(3)), 2 * 4 * 2);
  const auto largest = post(true, false);
  EXPECT_EQ(std::count(largest.begin(), largest.end(), uint8_t(1)), 11 * 4 * 2) << "class 1's largest: the stray block";
  EXPECT_EQ(post(false, true), l.data);
}
// What sets infer.assembly at training: most of the label maps that show two classes or more
// have all their foreground in one component. A heart (classes touching) is; two organs apart
// are not; maps with one class or none do not count; -1 (ignored) is background.
TEST(Predictor, OneAssemblyIsWhatMostMapsWithSeveralClassesShow) {
  auto heart = torch::zeros({8, 8}, torch::kLong), apart = torch::zeros({8, 8}, torch::kLong);
  heart.index_put_({torch::indexing::Slice(2, 5), torch::indexing::Slice(2, 4)}, 1);
  heart.index_put_({torch::indexing::Slice(2, 5), torch::indexing::Slice(4, 6)}, 2);
  apart.index_put_({torch::indexing::Slice(0, 2), torch::indexing::Slice(0, 2)}, 1);
  apart.index_put_({torch::indexing::Slice(5, 8), torch::indexing::Slice(5, 8)}, 2);
  auto one_class = (heart > 0).to(torch::kLong), ignored = torch::full({8, 8}, -1, torch::kLong);
  EXPECT_TRUE(labels_form_one_assembly(heart.unsqueeze(0), 3));
  EXPECT_FALSE(labels_form_one_assembly(apart.unsqueeze(0), 3));
  EXPECT_FALSE(labels_form_one_assembly(one_class.unsqueeze(0), 3)) << "one class";
  EXPECT_FALSE(labels_form_one_assembly(ignored.unsqueeze(0), 3)) << "no foreground";
  EXPECT_TRUE(labels_form_one_assembly(torch::stack({heart, heart, apart, one_class, ignored}), 3));
  EXPECT_FALSE(labels_form_one_assembly(torch::stack({heart, apart}), 3)) << "one of two is not most";
}

}  // namespace cmems
