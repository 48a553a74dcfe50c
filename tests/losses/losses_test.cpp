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
  // An ignored pixel counts as a masked one (the labeled form averages CE over the rest).
  auto y3 = y.clone();
  y3.index_put_({0, 0}, kIgnore);
  EXPECT_NEAR(seg_loss(logits, y3).item<double>(),
              0.5 * masked_cross_entropy(logits, y, mask, CeMean::Labeled).item<double>() +
                  0.5 * masked_dice(logits, y, mask).item<double>(),
              1e-6);
}

// seg_loss computes its two terms with shared parts (one validity, one log-softmax): the same
// value, bit for bit, as ½ masked_cross_entropy + ½ masked_dice, and the same gradient.
TEST(SegLoss, FusedEqualsItsTwoTermsBitForBit) {
  torch::manual_seed(5);
  auto logits = torch::randn({3, 4, 16, 16}, torch::requires_grad());
  auto y = torch::randint(0, 4, {3, 16, 16}, torch::kLong);
  y.index_put_({0, 0}, kIgnore);  // a row of ignored pixels
  auto mask = (torch::rand({3, 16, 16}) > 0.3).to(torch::kFloat);
  auto ones = torch::ones({3, 16, 16});
  for (bool labeled : {false, true}) {
    auto fused = labeled ? seg_loss(logits, y) : seg_loss(logits, y, mask);
    auto m = labeled ? ones : mask;
    auto parts = 0.5 * masked_cross_entropy(logits, y, m, labeled ? CeMean::Labeled : CeMean::All) +
                 0.5 * masked_dice(logits, y, m);
    EXPECT_TRUE(torch::equal(fused, parts)) << labeled << ": " << fused.item<double>() << " vs " << parts.item<double>();
    auto g1 = torch::autograd::grad({fused}, {logits})[0], g2 = torch::autograd::grad({parts}, {logits})[0];
    EXPECT_TRUE(torch::allclose(g1, g2, 0.0, 1e-9)) << labeled << ": " << (g1 - g2).abs().max().item<double>();
  }
}

// resize_nearest's strided view for integer downsampling takes the pixels nearest
// interpolation takes; other sizes still interpolate.
TEST(ResizeNearest, IntegerDownsamplingEqualsNearestInterpolation) {
  namespace F = torch::nn::functional;
  torch::manual_seed(2);
  auto label = torch::randint(0, 4, {2, 32, 24}, torch::kLong);
  auto mask = (torch::rand({2, 32, 24}) > 0.5).to(torch::kFloat);
  auto reference = [](const torch::Tensor& t, int64_t h, int64_t w) {
    return F::interpolate(t.unsqueeze(1).to(torch::kFloat),
                          F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kNearest))
        .squeeze(1)
        .to(t.scalar_type());
  };
  for (auto [h, w] : {std::pair<int64_t, int64_t>{16, 12}, {8, 6}, {4, 3}, {20, 15}, {32, 12}}) {
    EXPECT_TRUE(torch::equal(resize_nearest(label, h, w), reference(label, h, w))) << h << "x" << w;
    EXPECT_TRUE(torch::equal(resize_nearest(mask, h, w), reference(mask, h, w))) << h << "x" << w;
  }
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

TEST(PseudoLabels, DisagreementMasksEveryModelsPixelWhereTheLabelsDiffer) {
  torch::manual_seed(3);
  auto la = torch::randn({2, 3, 8, 8}) * 5, lb = la.clone();
  lb.index_put_({0, torch::indexing::Slice(), 2, 5}, torch::tensor({9.0f, -9.0f, -9.0f}));  // b says class 0
  la.index_put_({0, torch::indexing::Slice(), 2, 5}, torch::tensor({-9.0f, 9.0f, -9.0f}));  // a says class 1
  std::vector<PseudoLabels> pl{make_pseudo_labels(la, 0.9), make_pseudo_labels(lb, 0.9)};
  const auto before_a = pl[0].mask.clone(), before_b = pl[1].mask.clone();
  EXPECT_EQ(before_a[0][2][5].item<float>(), 1.0f);  // both confident, of different classes
  EXPECT_EQ(before_b[0][2][5].item<float>(), 1.0f);
  mask_disagreement(pl);
  auto differs = (pl[0].label != pl[1].label);
  EXPECT_EQ(differs.sum().item<int64_t>(), 1);
  EXPECT_EQ(pl[0].mask[0][2][5].item<float>(), 0.0f);
  EXPECT_EQ(pl[1].mask[0][2][5].item<float>(), 0.0f);
  // elsewhere each model keeps its own confidence mask
  EXPECT_TRUE(torch::equal(pl[0].mask.masked_fill(differs, 0), before_a.masked_fill(differs, 0)));
  EXPECT_TRUE(torch::equal(pl[1].mask.masked_fill(differs, 0), before_b.masked_fill(differs, 0)));
  std::vector<PseudoLabels> one{make_pseudo_labels(la, 0.9)};
  mask_disagreement(one);
  EXPECT_TRUE(torch::equal(one[0].mask, before_a));
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

namespace {
namespace F = torch::nn::functional;
// Confident logits [B, C, H, W] that predict `y` [B, H, W].
torch::Tensor logits_of(const torch::Tensor& y, int64_t c = 4, double scale = 50) {
  return F::one_hot(y, c).permute({0, 3, 1, 2}).to(torch::kFloat) * scale;
}
PseudoLabels confident(const torch::Tensor& y) { return make_pseudo_labels(logits_of(y), 0.95); }
CutMixBoxes left_half_from_next(int64_t b, int64_t h, int64_t w) {
  auto box = torch::zeros({b, h, w}, torch::kBool);
  box.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, w / 2)}, true);
  return {box, (torch::arange(b) + 1) % b};
}
}  // namespace

TEST(SegLoss, LabeledCrossEntropyAveragesOverLabeledPixelsOnly) {
  torch::manual_seed(1);
  auto logits = torch::randn({2, 4, 8, 8});
  auto y = torch::randint(0, 4, {2, 8, 8}, torch::kLong);
  auto ones = torch::ones({2, 8, 8});
  auto y_ign = y.clone();
  y_ign.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, 6)}, kIgnore);  // 3/4 ignored
  auto kept = y.index({torch::indexing::Slice(), torch::indexing::Slice(6, 8)});
  auto ce_kept = F::cross_entropy(logits.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(6, 8)}), kept);
  EXPECT_NEAR(masked_cross_entropy(logits, y_ign, ones, CeMean::Labeled).item<double>(), ce_kept.item<double>(), 1e-5);
  EXPECT_NEAR(masked_cross_entropy(logits, y_ign, ones, CeMean::All).item<double>(), ce_kept.item<double>() / 4, 1e-5);
  // ℓ for labeled targets = ½ CE over labeled pixels + ½ Dice.
  EXPECT_NEAR(seg_loss(logits, y_ign).item<double>(),
              0.5 * ce_kept.item<double>() + 0.5 * masked_dice(logits, y_ign, ones).item<double>(), 1e-5);
}

TEST(ImagePerturbation, StudentIsTaughtByTheOtherModelAcrossModels) {
  EXPECT_EQ(teacher_of(0, 2, Pairing::Cross), 1);
  EXPECT_EQ(teacher_of(1, 2, Pairing::Cross), 0);
  EXPECT_EQ(teacher_of(1, 2, Pairing::Self), 1);
  EXPECT_EQ(teacher_of(0, 1, Pairing::Self), 0);
  // Model A's pseudo-labels say class 1 everywhere, B's class 2. Student A predicts B's
  // labels and student B predicts A's: both cross terms are ~0, both self terms large.
  auto ya = torch::full({2, 8, 8}, 1, torch::kLong), yb = torch::full({2, 8, 8}, 2, torch::kLong);
  std::vector<PseudoLabels> pl{confident(ya), confident(yb)};
  std::vector<std::vector<StrongView>> views{{{logits_of(yb), {}}}, {{logits_of(ya), {}}}};
  for (auto& l : image_perturbation_losses(views, pl, Pairing::Cross)) EXPECT_LT(l.item<double>(), 1e-3);
  for (auto& l : image_perturbation_losses(views, pl, Pairing::Self)) EXPECT_GT(l.item<double>(), 1.0);
  std::vector<std::vector<torch::Tensor>> heads{{logits_of(yb)}, {logits_of(ya)}};
  for (auto& l : feature_perturbation_losses(heads, pl, Pairing::Cross)) EXPECT_LT(l.item<double>(), 1e-3);
  for (auto& l : feature_perturbation_losses(heads, pl, Pairing::Self)) EXPECT_GT(l.item<double>(), 1.0);
}

TEST(ImagePerturbation, OnlyPixelsAboveTheThresholdTeach) {
  // Teacher: confident (p ≈ 1) on the top half, unsure (p ≈ 0.4) on the bottom half.
  auto y = torch::randint(0, 4, {2, 8, 8}, torch::kLong);
  auto t_logits = logits_of(y);
  t_logits.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(4, 8)},
                      logits_of(y, 4, 0.7).index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(4, 8)}));
  // The student agrees on the confident half and predicts another class on the unsure half.
  auto student_y = y.clone();
  student_y.index_put_({torch::indexing::Slice(), torch::indexing::Slice(4, 8)},
                       (y.index({torch::indexing::Slice(), torch::indexing::Slice(4, 8)}) + 1) % 4);
  std::vector<StrongView> view{{logits_of(student_y), {}}};
  EXPECT_LT(image_perturbation_loss(view, make_pseudo_labels(t_logits, 0.95)).item<double>(), 1e-3);
  EXPECT_GT(image_perturbation_loss(view, make_pseudo_labels(t_logits, 0.0)).item<double>(), 0.5);
}

TEST(ImagePerturbation, PseudoLabelsAreMixedWithTheStrongViewsCutMixBoxes) {
  const int64_t b = 3, h = 8, w = 8;
  auto y = torch::arange(b).view({b, 1, 1}).expand({b, h, w}).contiguous() % 4;  // item i is class i
  auto mix = left_half_from_next(b, h, w);
  auto mixed = cutmix(y, mix);
  EXPECT_EQ(mixed.index({0, 0, 0}).item<int64_t>(), 1);  // left half from item 1
  EXPECT_EQ(mixed.index({0, 0, w - 1}).item<int64_t>(), 0);
  // A student that predicts the mixed labels is right only if the term mixes them too.
  std::vector<StrongView> views{{logits_of(mixed), mix}};
  EXPECT_LT(image_perturbation_loss(views, confident(y)).item<double>(), 1e-3);
  std::vector<StrongView> unmixed{{logits_of(mixed), {}}};
  EXPECT_GT(image_perturbation_loss(unmixed, confident(y)).item<double>(), 0.5);
  // Two views are averaged.
  std::vector<StrongView> two{{logits_of(mixed), mix}, {logits_of(mixed), {}}};
  EXPECT_NEAR(image_perturbation_loss(two, confident(y)).item<double>(),
              0.5 * image_perturbation_loss(unmixed, confident(y)).item<double>(), 1e-5);
}

TEST(FeaturePerturbation, HeadsAreWeightedEightFourTwoOneOverDownsampledPseudoLabels) {
  torch::manual_seed(3);
  auto y = torch::randint(0, 4, {2, 16, 16}, torch::kLong);
  auto teacher = confident(y);
  std::vector<torch::Tensor> heads;
  for (int64_t s : {16, 8, 4, 2}) heads.push_back(torch::randn({2, 4, s, s}));
  const double w[] = {8.0 / 15, 4.0 / 15, 2.0 / 15, 1.0 / 15};
  double expected = 0;
  for (size_t k = 0; k < heads.size(); ++k) {
    const int64_t s = heads[k].size(2);
    expected += w[k] * seg_loss(heads[k], resize_nearest(teacher.label, s, s), resize_nearest(teacher.mask, s, s))
                           .item<double>();
  }
  EXPECT_NEAR(feature_perturbation_loss(heads, teacher).item<double>(), expected, 1e-5);
  // With the main head alone, the term is that head's ℓ.
  EXPECT_NEAR(feature_perturbation_loss({heads[0]}, teacher).item<double>(),
              seg_loss(heads[0], teacher.label, teacher.mask).item<double>(), 1e-6);
}

TEST(Rampup, SigmoidShape) {
  EXPECT_NEAR(rampup_weight(0, 100, 0.2, 1.0), std::exp(-5.0), 1e-12);
  EXPECT_NEAR(rampup_weight(10, 100, 0.2, 2.0), 2.0 * std::exp(-5.0 * 0.25), 1e-12);
  EXPECT_EQ(rampup_weight(20, 100, 0.2, 1.0), 1.0);
  EXPECT_EQ(rampup_weight(5, 100, 0.0, 0.5), 0.5);
}
}  // namespace cmems

namespace cmems {
// The comparison one-hot equals torch's one_hot (moved to channels first) without its range
// check, which reads the labels' minimum and maximum back to the host.
TEST(Losses, OneHotByComparisonEqualsTorchOneHot) {
  torch::manual_seed(3);
  auto t = torch::randint(0, 4, {2, 5, 7}, torch::kLong);
  auto ref = torch::nn::functional::one_hot(t, 4).permute({0, 3, 1, 2}).to(torch::kFloat);
  auto got = one_hot_nchw(t, 4, torch::kFloat);
  EXPECT_EQ(got.sizes(), ref.sizes());
  EXPECT_TRUE(torch::equal(got, ref));
}
}  // namespace cmems

namespace cmems {
// The batched forms equal the per-model terms they replace (values and gradients, up to float
// summation order): supervised multi-head with ignored pixels, pseudo-label heads with masks,
// and the image term over two students with two CutMix views each.
TEST(BatchedLosses, EqualThePerModelTermsAndTheirGradients) {
  torch::manual_seed(11);
  const int64_t b = 3, c = 4;
  auto make_heads = [&] {
    std::vector<torch::Tensor> h;
    for (int64_t s : {16, 8, 4, 2}) h.push_back(torch::randn({b, c, s, s}).requires_grad_(true));
    return h;
  };
  std::vector<std::vector<torch::Tensor>> heads{make_heads(), make_heads()};
  std::vector<torch::Tensor> y;
  for (int i = 0; i < 2; ++i) {
    auto t = torch::randint(0, c, {b, 16, 16}, torch::kLong);
    t.index_put_({0, torch::indexing::Slice(0, 5)}, kIgnore);  // ignored pixels (synthesis outside the paste)
    y.push_back(t);
  }
  std::vector<torch::Tensor> inputs;
  for (auto& hs : heads)
    for (auto& h : hs) inputs.push_back(h);
  auto grads = [&](const torch::Tensor& loss) {  // d loss / d every head (zero where unused)
    auto g = torch::autograd::grad({loss}, inputs, {}, /*retain_graph=*/true, /*create_graph=*/false, /*allow_unused=*/true);
    for (size_t i = 0; i < g.size(); ++i)
      if (!g[i].defined()) g[i] = torch::zeros_like(inputs[i]);
    return g;
  };
  auto expect_close = [](const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b, const char* what) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-5, 1e-7)) << what << " " << i;
  };
  // supervised (labeled targets)
  auto per_model = multi_head_loss(heads[0], y[0]) + multi_head_loss(heads[1], y[1]);
  auto batched = multi_head_losses(heads, y).sum();
  EXPECT_NEAR(per_model.item<double>(), batched.item<double>(), 1e-5);
  expect_close(grads(per_model), grads(batched), "supervised");
  // feature perturbation (pseudo-labels with masks, each student taught by the other)
  std::vector<PseudoLabels> pl;
  for (int i = 0; i < 2; ++i) pl.push_back(make_pseudo_labels(torch::randn({b, c, 16, 16}) * 3, 0.6));
  auto fp_ref = feature_perturbation_loss(heads[0], pl[1]) + feature_perturbation_loss(heads[1], pl[0]);
  auto fp = feature_perturbation_losses(heads, pl, Pairing::Cross);
  EXPECT_NEAR(fp_ref.item<double>(), (fp[0] + fp[1]).item<double>(), 1e-5);
  expect_close(grads(fp_ref), grads(fp[0] + fp[1]), "feature perturbation");
  // image perturbation: two students, two views each, with CutMix boxes
  std::vector<std::vector<StrongView>> views(2);
  for (size_t m = 0; m < 2; ++m)
    for (int k = 0; k < 2; ++k) {
      CutMixBoxes mix{torch::rand({b, 16, 16}) < 0.3, torch::randperm(b, torch::kLong)};
      views[m].push_back({heads[m][0] * (1.0 + 0.1 * k), mix});
    }
  auto ip_ref = image_perturbation_loss(views[0], pl[1]) + image_perturbation_loss(views[1], pl[0]);
  auto ip = image_perturbation_losses(views, pl, Pairing::Cross);
  EXPECT_NEAR(ip_ref.item<double>(), (ip[0] + ip[1]).item<double>(), 1e-5);
  expect_close(grads(ip_ref), grads(ip[0] + ip[1]), "image perturbation");
  // one group is the single loss
  EXPECT_NEAR(grouped_seg_losses(heads[0][0], y[0], {}, 1).item<double>(), seg_loss(heads[0][0], y[0]).item<double>(), 1e-6);
}
}  // namespace cmems
