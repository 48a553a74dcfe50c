#include <gtest/gtest.h>
#include <torch/torch.h>

#include "infer/predictor.hpp"
#include "test_util.hpp"

namespace cmems {

// A stand-in model that reads the label off the image (image = foreground mask of an
// asymmetric shape, threshold ½), so that the prediction equals the reference wherever the
// resize path keeps pixels where they were; a flip or transposition would not.
TEST(PredictSlices, ResizingToTheTrainingSizeAndBackKeepsNonSquareSlicesAligned) {
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
    auto pred = predict_slices(vol, 32, 2, model).to(torch::kLong);
    ASSERT_EQ(pred.sizes(), (std::vector<int64_t>{3, h, w}));
    EXPECT_EQ(calls, 2);  // batches of 2 slices
    auto p = pred == 1, g = y == 1;
    double dice = 2.0 * (p & g).sum().item<double>() / (p.sum().item<double>() + g.sum().item<double>());
    EXPECT_GT(dice, 0.95) << h << "x" << w;
    // Each slice's errors lie on the boundary only: no pixel farther than 1 from it is wrong.
    namespace F = torch::nn::functional;
    auto gf = g.to(torch::kFloat).unsqueeze(1);
    auto p3 = F::MaxPool2dFuncOptions(3).stride(1).padding(1);
    auto uniform = (F::max_pool2d(gf, p3) == -F::max_pool2d(-gf, p3)).squeeze(1);
    EXPECT_EQ((uniform & (p != g)).sum().item<int64_t>(), 0) << h << "x" << w;
  }
}
}  // namespace cmems
