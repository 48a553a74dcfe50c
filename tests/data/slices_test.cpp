#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/slices.hpp"
#include "data/propagate.hpp"
#include "core/labels.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "io/nifti.hpp"
#include "phantom/phantom.hpp"
#include "test_util.hpp"

namespace cmems {

TEST(Slices, ResizeKeepsLabelValuesAndImageRange) {
  Image2D img{"x", 3, 5, {0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}};
  auto t = resize_image(img, 16);
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{1, 16, 16}));
  EXPECT_GE(t.min().item<float>(), 0.f);
  EXPECT_LE(t.max().item<float>(), 1.f);
  std::vector<uint8_t> lab{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2};
  auto l = resize_label(lab, 3, 5, 16);
  EXPECT_EQ(l.sizes(), (std::vector<int64_t>{16, 16}));
  EXPECT_EQ(std::get<0>(at::_unique(l)).numel(), 4);
}

namespace {
// Centroid (row, column) of label value v in an h×w map, in units of the map's own pixels,
// pixel centres at i + 0.5.
std::pair<double, double> centroid(const torch::Tensor& lab, int64_t v) {
  auto idx = (lab == v).nonzero().to(torch::kDouble);
  return {idx.select(1, 0).mean().item<double>() + 0.5, idx.select(1, 1).mean().item<double>() + 0.5};
}
}  // namespace

// data.fit pad: one scale for both axes, the slice centred in a zero square; the label is
// background around it, and structures keep their shape (centroids scale by one factor).
TEST(Slices, PadFitKeepsTheAspectRatioAndPadsWithBackground) {
  const int64_t h = 60, w = 36, s = 32;
  const FitBox b = fit_box(h, w, s, SliceFit::Pad);
  EXPECT_EQ(b.h, 32);
  EXPECT_EQ(b.w, 19);  // 36 * 32 / 60 = 19.2
  EXPECT_EQ(b.left, 6);
  EXPECT_EQ(b.top, 0);
  auto lab = test::asymmetric_label(h, w);
  Image2D img{"x", h, w, {}};
  for (auto v : lab) img.pixels.push_back(0.25f + float(v) / 4.0f);  // never 0 inside
  auto ri = resize_image(img, s, SliceFit::Pad)[0];
  auto rl = resize_label(lab, h, w, s, SliceFit::Pad);
  ASSERT_EQ(ri.sizes(), (std::vector<int64_t>{s, s}));
  ASSERT_EQ(rl.sizes(), (std::vector<int64_t>{s, s}));
  auto outside = torch::ones({s, s}, torch::kBool);
  outside.narrow(0, b.top, b.h).narrow(1, b.left, b.w).fill_(false);
  EXPECT_EQ(ri.masked_select(outside).abs().max().item<float>(), 0.f);
  EXPECT_EQ(rl.masked_select(outside).abs().max().item<int64_t>(), 0);
  EXPECT_GT(ri.masked_select(~outside).min().item<float>(), 0.2f);
  auto orig = torch::from_blob(lab.data(), {h, w}, torch::kByte).to(torch::kLong);
  const double scale = double(b.h) / double(h);
  for (int64_t c = 1; c <= 3; ++c) {
    auto [r0, c0] = centroid(orig, c);
    auto [r1, c1] = centroid(rl, c);
    EXPECT_NEAR(r1, b.top + r0 * scale, 0.6) << "class " << c;
    EXPECT_NEAR(c1, b.left + c0 * double(b.w) / double(w), 0.6) << "class " << c;
  }
  // stretch is the identity box; a square slice is the same either way.
  const FitBox st = fit_box(h, w, s, SliceFit::Stretch);
  EXPECT_EQ(st.h, s);
  EXPECT_EQ(st.w, s);
  Image2D sq{"sq", 40, 40, std::vector<float>(1600, 0.5f)};
  EXPECT_TRUE(torch::equal(resize_image(sq, s, SliceFit::Pad), resize_image(sq, s, SliceFit::Stretch)));
}

TEST(Slices, LoadResizeKeepsNonSquareImageAndLabelAligned) {
  const int64_t h = 60, w = 36, s = 32;  // non-square, down along one axis and up along the other
  auto lab = test::asymmetric_label(h, w);
  Image2D img{"x", h, w, {}};
  for (auto v : lab) img.pixels.push_back(float(v) / 3.0f);  // the image encodes the label
  auto ri = resize_image(img, s)[0];
  auto rl = resize_label(lab, h, w, s);
  auto orig = torch::from_blob(lab.data(), {h, w}, torch::kByte).to(torch::kLong);
  for (int64_t c = 1; c <= 3; ++c) {
    // The resized label keeps each structure where it was (no flip, turn or transposition):
    // centroids agree within the quantisation of the resized grid.
    auto [r0, c0] = centroid(orig, c);
    auto [r1, c1] = centroid(rl, c);
    EXPECT_NEAR(r1, r0 * s / double(h), 0.6) << "class " << c;
    EXPECT_NEAR(c1, c0 * s / double(w), 0.6) << "class " << c;
  }
  // And it samples where the bilinear image resize does (pixel centres): it is the argmax
  // of the bilinearly resized one-hot label. Legacy `nearest` (top-left corners) differs at
  // 45 of these 1024 pixels.
  namespace F = torch::nn::functional;
  auto onehot = F::one_hot(orig, 4).permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat);
  auto implied = F::interpolate(onehot, F::InterpolateFuncOptions()
                                            .size(std::vector<int64_t>{s, s})
                                            .mode(torch::kBilinear)
                                            .align_corners(false))
                     .argmax(1)[0];
  EXPECT_LE((implied != rl).sum().item<int64_t>(), 2);
  // Wherever a pixel's 3×3 neighbourhood has one label, the image carries that label's value.
  auto lf = rl.to(torch::kFloat).unsqueeze(0).unsqueeze(0);
  auto p3 = F::MaxPool2dFuncOptions(3).stride(1).padding(1);
  auto uniform = (F::max_pool2d(lf, p3) == -F::max_pool2d(-lf, p3)).squeeze();
  auto err = ((ri - rl.to(torch::kFloat) / 3).abs() * uniform.to(torch::kFloat)).max().item<float>();
  EXPECT_LT(err, 1e-4);
  EXPECT_GT(uniform.sum().item<int64_t>(), s * s / 2);
}

TEST(Slices, ExemplarOnlyAccessLoadsOneLabel) {
  test::TempDir d;
  write_phantom_dataset(d.str(), PhantomOptions{2, 1, 9});
  auto r = DatasetReader::open(d.str());
  auto data = load_training_data(*r, r->default_exemplar(), LabelAccess::ExemplarOnly, 32, torch::kCPU);
  EXPECT_EQ(data.labeled_images.size(0), 1);
  EXPECT_EQ(data.labeled_labels.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_EQ(data.unlabeled.size(0) + 1, int64_t(r->training_slice_ids().size()));
  auto all = load_training_data(*r, "", LabelAccess::All, 32, torch::kCPU);
  EXPECT_EQ(all.labeled_images.size(0), int64_t(r->training_slice_ids().size()));
}
// Label propagation (data/propagate.hpp): a bright disc that moves and grows from plane to
// plane; its label on the middle plane, carried outwards by registration, finds it on the
// other planes.
TEST(Propagate, CarriesTheLabelAlongAMovingGrowingDisc) {
  const int64_t k = 9, s = 64, at = 4;
  auto yy = torch::arange(s).view({s, 1}).to(torch::kFloat), xx = torch::arange(s).view({1, s}).to(torch::kFloat);
  std::vector<torch::Tensor> planes, truth;
  for (int64_t j = 0; j < k; ++j) {
    const double cx = 24 + 1.5 * double(j), cy = 30 + 0.5 * double(j), r = 8 + 0.6 * double(j);
    auto disc = ((xx - cx).square() + (yy - cy).square()) <= r * r;
    truth.push_back(disc.to(torch::kLong));
    planes.push_back((0.2 + 0.6 * disc.to(torch::kFloat)).unsqueeze(0));
  }
  auto images = torch::stack(planes);
  auto labels = propagate_label(images, at, truth[at], 2);
  ASSERT_EQ(labels.sizes(), (std::vector<int64_t>{k, s, s}));
  EXPECT_TRUE(torch::equal(labels[at], truth[at]));
  for (int64_t j = 0; j < k; ++j) {
    auto p = labels[j] == 1, t = truth[j] == 1;
    const double dice = 2.0 * (p & t).sum().item<double>() / (p.sum() + t.sum()).item<double>();
    EXPECT_GT(dice, 0.9) << "plane " << j;
    // without registration (the middle plane's label copied) the far planes score lower
    if (std::abs(j - at) == 4) {
      auto c = truth[at] == 1;
      EXPECT_LT(2.0 * (c & t).sum().item<double>() / (c.sum() + t.sum()).item<double>(), dice) << "plane " << j;
    }
  }
}

// The exemplar's neighbours are the planes of its volume within the distance, images only,
// and propagation makes them extra labeled slices after the exemplar's own.
TEST(Propagate, TrainingDataGetsTheExemplarsNeighboursWithinTheDistance) {
  test::TempDir d;
  write_phantom_dataset(d.str(), PhantomOptions{2, 1, 9});
  auto r = DatasetReader::open(d.str());
  const std::string ex = r->default_exemplar();
  auto none = r->exemplar_neighbours(ex, 1.0);  // closer than the next plane (6-10 mm apart)
  ASSERT_EQ(none.planes.size(), 1u);
  EXPECT_EQ(none.planes[0].id, ex);
  auto n = r->exemplar_neighbours(ex, 10.5);
  ASSERT_GE(n.spacing_mm, 6.0);
  ASSERT_EQ(n.planes.size(), 3u);  // the exemplar's plane and one on each side
  EXPECT_EQ(n.at, 1);
  EXPECT_EQ(n.planes[1].id, ex);
  const auto colon = ex.rfind(':');
  const int64_t k = std::stoll(ex.substr(colon + 1));
  EXPECT_EQ(n.planes[0].id, ex.substr(0, colon + 1) + std::to_string(k - 1));
  EXPECT_EQ(n.planes[2].id, ex.substr(0, colon + 1) + std::to_string(k + 1));
  auto one = load_training_data(*r, ex, LabelAccess::ExemplarOnly, 32, torch::kCPU);
  auto three = load_training_data(*r, ex, LabelAccess::ExemplarOnly, 32, torch::kCPU, SliceFit::Stretch, 10.5);
  ASSERT_EQ(three.labeled_images.size(0), 3);
  EXPECT_TRUE(torch::equal(three.labeled_images[0], one.labeled_images[0]));
  EXPECT_TRUE(torch::equal(three.labeled_labels[0], one.labeled_labels[0]));
  EXPECT_TRUE(torch::equal(three.unlabeled, one.unlabeled));
  for (int64_t i = 1; i < 3; ++i) {
    auto l = three.labeled_labels[i];
    EXPECT_TRUE(((l >= 0) & (l < 4) | (l == kIgnore)).all().item<bool>());
    EXPECT_GT((l > 0).logical_and(l != kIgnore).sum().item<int64_t>(), 0) << "a neighbour with no structure";
  }
  // `full` reads every label: nothing is propagated
  auto all = load_training_data(*r, "", LabelAccess::All, 32, torch::kCPU, SliceFit::Stretch, 10.5);
  EXPECT_EQ(all.labeled_images.size(0), int64_t(r->training_slice_ids().size()));
}

TEST(Slices, ExemplarIdsFromAListOrAFile) {
  EXPECT_EQ(exemplar_ids("a:3"), (std::vector<std::string>{"a:3"}));
  EXPECT_EQ(exemplar_ids("a:3,b:4"), (std::vector<std::string>{"a:3", "b:4"}));
  test::TempDir d;
  const std::string f = d.str("ids.txt");
  write_file_atomic(f, "# two exemplars\na:3\n  b:4  # the second\n\n");
  EXPECT_EQ(exemplar_ids(f), (std::vector<std::string>{"a:3", "b:4"}));
  EXPECT_THROW(exemplar_ids("a:3,a:3"), Error);
  EXPECT_THROW(exemplar_ids(","), Error);
}

TEST(Slices, SeveralExemplarsAreTheFirstLabeledSlices) {
  test::TempDir d;
  write_phantom_dataset(d.str(), PhantomOptions{2, 1, 9});
  auto r = DatasetReader::open(d.str());
  const std::string a = r->default_exemplar(), b = "phantom_001:2";
  auto one = load_training_data(*r, a, LabelAccess::ExemplarOnly, 32, torch::kCPU);
  auto two = load_training_data(*r, a + "," + b, LabelAccess::ExemplarOnly, 32, torch::kCPU);
  EXPECT_EQ(two.num_exemplars, 2);
  ASSERT_EQ(two.labeled_images.size(0), 2);
  EXPECT_TRUE(torch::equal(two.labeled_images[0], one.labeled_images[0]));
  EXPECT_EQ(two.unlabeled.size(0) + 2, int64_t(r->training_slice_ids().size()));  // neither is unlabeled
}

// Of several exemplars, some may show no structure (labeled negatives): they follow the
// exemplars that synthesis pastes; a single exemplar, or all of them together, must show it.
TEST(Slices, AFurtherExemplarWithoutStructureIsALabeledNegative) {
  test::TempDir d;
  write_phantom_dataset(d.str(), PhantomOptions{2, 1, 9});
  const std::string lf = (fs::path(d.str()) / "labelsTr" / "phantom_001.nii.gz").string();
  LabelVolume l = read_nifti_labels(lf);
  std::fill(l.data.begin(), l.data.begin() + 2 * l.dims[0] * l.dims[1], uint8_t(0));  // planes 0, 1: no structure
  write_nifti(lf, l);
  auto r = DatasetReader::open(d.str());
  const std::string a = r->default_exemplar();
  auto t = load_training_data(*r, "phantom_001:0," + a, LabelAccess::ExemplarOnly, 32, torch::kCPU);
  EXPECT_EQ(t.num_exemplars, 1);
  ASSERT_EQ(t.labeled_images.size(0), 2);
  EXPECT_GT((t.labeled_labels[0] > 0).sum().item<int64_t>(), 0);   // the source first
  EXPECT_EQ((t.labeled_labels[1] != 0).sum().item<int64_t>(), 0);  // then the negative
  EXPECT_THROW(load_training_data(*r, "phantom_001:0", LabelAccess::ExemplarOnly, 32, torch::kCPU), Error);
  EXPECT_THROW(load_training_data(*r, "phantom_001:0,phantom_001:1", LabelAccess::ExemplarOnly, 32, torch::kCPU), Error);
}

}  // namespace cmems

namespace cmems {
// data.context: every slice, labeled or not, comes with its neighbouring planes as channels,
// itself in the middle; the exemplar's own plane is a neighbour of the planes beside it,
// though it is no unlabeled slice; labels are those of the slice alone.
TEST(Slices, ContextStacksEachSlicesNeighbouringPlanes) {
  test::TempDir d;
  write_phantom_dataset(d.str(), PhantomOptions{2, 1, 9});
  auto r = DatasetReader::open(d.str());
  const std::string ex = r->default_exemplar();
  auto one = load_training_data(*r, ex, LabelAccess::ExemplarOnly, 32, torch::kCPU, SliceFit::Stretch, 10.5);
  auto ctx = load_training_data(*r, ex, LabelAccess::ExemplarOnly, 32, torch::kCPU, SliceFit::Stretch, 10.5,
                                PlaneContext{1, 1});
  ASSERT_EQ(ctx.labeled_images.sizes(), (std::vector<int64_t>{one.labeled_images.size(0), 3, 32, 32}));
  ASSERT_EQ(ctx.unlabeled.sizes(), (std::vector<int64_t>{one.unlabeled.size(0), 3, 32, 32}));
  EXPECT_EQ(ctx.centre_channel, 1);
  EXPECT_TRUE(torch::equal(ctx.labeled_images.select(1, 1), one.labeled_images.select(1, 0)));
  EXPECT_TRUE(torch::equal(ctx.unlabeled.select(1, 1), one.unlabeled.select(1, 0)));
  EXPECT_TRUE(torch::equal(ctx.labeled_labels, one.labeled_labels));
  // the exemplar with the planes beside it (its propagated planes: labeled 1 and 2 in order
  // of position), and those planes with the exemplar's image beside them
  ASSERT_EQ(ctx.labeled_images.size(0), 3);
  EXPECT_TRUE(torch::equal(ctx.labeled_images[0][0], one.labeled_images[1][0]));
  EXPECT_TRUE(torch::equal(ctx.labeled_images[0][2], one.labeled_images[2][0]));
  EXPECT_TRUE(torch::equal(ctx.labeled_images[1][2], one.labeled_images[0][0]));
  EXPECT_TRUE(torch::equal(ctx.labeled_images[2][0], one.labeled_images[0][0]));
  // an unlabeled slice at a volume's first plane: itself stands in below
  const auto ids = unlabeled_images(*r, {ex});
  size_t first = 0;
  while (ids[first].id != "phantom_001:0") ++first;
  EXPECT_TRUE(torch::equal(ctx.unlabeled[int64_t(first)][0], ctx.unlabeled[int64_t(first)][1]));
  EXPECT_FALSE(torch::equal(ctx.unlabeled[int64_t(first)][2], ctx.unlabeled[int64_t(first)][1]));
}
}  // namespace cmems

namespace cmems {
// data.context_mm: the stride in planes comes from the plane spacing in the exemplar volume's
// header, once, at the run's start; data whose planes lie farther apart than the distance
// asked, or that gives no spacing, trains without context.
TEST(Slices, ContextInMmBecomesWholePlanesOfTheExemplarsVolume) {
  DataOptions lone;
  lone.context = 2, lone.context_mm = 2.5;
  DataOptions la = lone, thick = lone, unknown = lone, planes = lone;
  EXPECT_NE(la.resolve_context(0.625), "");
  EXPECT_EQ(la.context, 2);
  EXPECT_EQ(la.context_stride, 4);  // LA: 0.625 mm planes
  thick.resolve_context(10);        // ACDC volumes: 10 mm apart
  EXPECT_EQ(thick.context, 0);
  unknown.resolve_context(0);  // ACDC's prepared slices say nothing
  EXPECT_EQ(unknown.context, 0);
  planes.context_mm = 0, planes.context_stride = 3;  // no mm: the stride as given
  EXPECT_EQ(planes.resolve_context(0.625), "");
  EXPECT_EQ(planes.context_stride, 3);
  EXPECT_EQ(planes.context, 2);

  test::TempDir d;
  write_phantom_dataset(d.str(), PhantomOptions{2, 1, 9});
  auto r = DatasetReader::open(d.str());
  const std::string ex = r->default_exemplar();
  const double sz = r->plane_spacing_mm(ex);
  const std::string name = ex.substr(0, ex.find(':'));
  EXPECT_DOUBLE_EQ(sz, read_nifti_image(d.str() + "/imagesTr/" + name + "_0000.nii.gz").geometry.spacing[2]);
  ASSERT_GT(sz, 5.9);  // the phantom's planes: 6-10 mm apart
  DataOptions o = lone;
  o.context_mm = 2.2 * sz;
  resolve_plane_options(o, *r, ex);
  EXPECT_EQ(o.context_stride, 2);
  EXPECT_EQ(o.context, 2);
  DataOptions full = lone;  // no exemplar (`full`): the default exemplar's volume
  full.context_mm = 0.9 * sz;
  resolve_plane_options(full, *r, "");
  EXPECT_EQ(full.context, 0);
}

// data.propagate_step_mm: the label is carried by registration only across planes that lie
// close together; on thicker planes, or where the data gives no spacing, the propagation is
// off. The defaults resolve to the slice alone, unpropagated, on the phantom's 6-10 mm planes,
// and load_training_data refuses options that were not resolved for the data.
TEST(Slices, PropagationOnlyWherePlanesLieClose) {
  DataOptions o;
  o.propagate_mm = 15, o.propagate_step_mm = 2.5;
  DataOptions la = o, thick = o, unknown = o, any = o;
  EXPECT_EQ(la.resolve_propagation(0.625), "");
  EXPECT_EQ(la.propagate_mm, 15);
  EXPECT_NE(thick.resolve_propagation(10), "");
  EXPECT_EQ(thick.propagate_mm, 0);
  unknown.resolve_propagation(0);
  EXPECT_EQ(unknown.propagate_mm, 0);
  any.propagate_step_mm = 0;
  any.resolve_propagation(10);
  EXPECT_EQ(any.propagate_mm, 15);

  test::TempDir d;
  write_phantom_dataset(d.str(), PhantomOptions{2, 1, 9});
  auto r = DatasetReader::open(d.str());
  const std::string ex = r->default_exemplar();
  DataOptions defaults;
  defaults.size = 32;
  ASSERT_GT(defaults.propagate_mm, 0);
  ASSERT_GT(defaults.context, 0);
  EXPECT_THROW(load_training_data(*r, ex, LabelAccess::ExemplarOnly, defaults, torch::kCPU), Error);
  EXPECT_EQ(resolve_plane_options(defaults, *r, ex).size(), 2u);  // both turned off, and said so
  EXPECT_EQ(defaults.propagate_mm, 0);
  EXPECT_EQ(defaults.context, 0);
  auto data = load_training_data(*r, ex, LabelAccess::ExemplarOnly, defaults, torch::kCPU);
  EXPECT_EQ(data.labeled_images.size(0), 1);  // the exemplar alone
  EXPECT_EQ(data.labeled_images.size(1), 1);  // one channel
  EXPECT_TRUE(resolve_plane_options(defaults, *r, ex).empty());  // once resolved, nothing to do
}
}  // namespace cmems
