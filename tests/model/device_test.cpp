#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/device.hpp"
#include "model/weights.hpp"

namespace cmems {
namespace {
UNet small_net() {
  UNetOptions o;
  o.width = 4;
  torch::manual_seed(5);
  UNet n(o);
  n->eval();  // no dropout, running BatchNorm statistics: a deterministic function
  return n;
}
}  // namespace

TEST(ChannelsLast, GivesTheSameOutputsAndGradientsAsContiguous) {
  UNet a = small_net(), b = small_net();
  to_channels_last(b);
  for (auto& p : b->parameters())
    if (p.dim() == 4) EXPECT_TRUE(p.is_contiguous(torch::MemoryFormat::ChannelsLast));
  auto x = torch::rand({2, 1, 32, 48});
  auto xb = in_format(x, true);
  EXPECT_TRUE(xb.is_contiguous(torch::MemoryFormat::ChannelsLast));
  auto ya = a->forward(x), yb = b->forward(xb);
  EXPECT_TRUE(torch::allclose(ya, yb, 1e-4, 1e-5));
  ya.pow(2).sum().backward();
  yb.pow(2).sum().backward();
  auto pa = a->parameters(), pb = b->parameters();
  int64_t compared = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    ASSERT_EQ(pa[i].grad().defined(), pb[i].grad().defined()) << i;
    if (!pa[i].grad().defined()) continue;  // the auxiliary heads take no part in forward()
    EXPECT_TRUE(torch::allclose(pa[i].grad(), pb[i].grad(), 1e-3, 1e-4)) << i;
    ++compared;
  }
  EXPECT_GT(compared, 40);
}

// A one-channel image is channels-last-contiguous in either stride order; unless restrided,
// the first convolution writes NCHW and the first block runs in the other layout.
TEST(ChannelsLast, AOneChannelInputMakesEveryActivationChannelsLast) {
  UNet b = small_net();
  to_channels_last(b);
  auto x = in_format(torch::rand({2, 1, 32, 48}), true);
  EXPECT_EQ(x.stride(1), 1);
  EXPECT_EQ(x.suggest_memory_format(), torch::MemoryFormat::ChannelsLast);
  for (const auto& f : b->encode(x)) EXPECT_EQ(f.suggest_memory_format(), torch::MemoryFormat::ChannelsLast);
  auto again = in_format(x, true);
  EXPECT_EQ(again.data_ptr(), x.data_ptr());  // already channels-last: no copy
}

TEST(Autocast, Bf16GuardCastsConvolutionsAndRestoresTheState) {
  const torch::Device cpu(torch::kCPU);
  UNet n = small_net();
  auto x = torch::rand({2, 1, 32, 32});
  auto y32 = n->forward(x);
  EXPECT_FALSE(autocast_enabled(cpu));
  torch::Tensor y16;
  {
    AutocastGuard amp(cpu, true);
    EXPECT_TRUE(autocast_enabled(cpu));
    y16 = n->forward(x);
  }
  EXPECT_FALSE(autocast_enabled(cpu));
  EXPECT_EQ(y16.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(n->forward(x).scalar_type(), torch::kFloat);
  // bf16 keeps ~3 significant digits: the logits agree to a few percent of their range.
  auto err = (y16.to(torch::kFloat) - y32).abs().max().item<double>();
  EXPECT_LT(err, 0.05 * y32.abs().max().item<double>() + 0.05);
  {
    AutocastGuard off(cpu, false);  // a disabled guard changes nothing
    EXPECT_FALSE(autocast_enabled(cpu));
  }
}
}  // namespace cmems
