#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/slices.hpp"
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
}  // namespace cmems
