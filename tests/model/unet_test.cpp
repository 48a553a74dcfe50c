#include <gtest/gtest.h>
#include <torch/torch.h>

#include "methods/method.hpp"
#include "core/rng.hpp"
#include "model/unet.hpp"
#include "model/weights.hpp"
#include "core/check.hpp"

namespace cmems {

TEST(UNet, OutputShapesOfMainAndAuxiliaryHeads) {
  UNetOptions o;
  o.width = 4;
  UNet net(o);
  auto x = torch::randn({2, 1, 32, 48});
  EXPECT_EQ(net->forward(x).sizes(), (std::vector<int64_t>{2, 4, 32, 48}));
  auto f = net->encode(x);
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[4].sizes(), (std::vector<int64_t>{2, 64, 2, 3}));
  auto outs = net->decode(f, true);
  ASSERT_EQ(outs.size(), 4u);
  EXPECT_EQ(outs[1].sizes(), (std::vector<int64_t>{2, 4, 16, 24}));  // 1/2
  EXPECT_EQ(outs[2].sizes(), (std::vector<int64_t>{2, 4, 8, 12}));   // 1/4
  EXPECT_EQ(outs[3].sizes(), (std::vector<int64_t>{2, 4, 4, 6}));    // 1/8
}

TEST(UNet, TwoModelsShareNoParameterStorage) {
  ModelOptions o;
  o.width = 4;
  auto nets = make_models(o, 2, 1337, false, 4, torch::kCPU);
  ASSERT_EQ(nets.size(), 2u);
  auto pa = nets[0]->parameters(), pb = nets[1]->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (auto& a : pa)
    for (auto& b : pb) EXPECT_NE(a.data_ptr(), b.data_ptr());
  EXPECT_FALSE(torch::equal(pa[0], pb[0]));  // different initialisation
}

// Precise BatchNorm: the first BatchNorm's running statistics become the average of its
// input's per-batch mean and (unbiased) variance over the calibration batches.
TEST(UNet, PreciseBatchNormAveragesTheStatisticsOfItsBatches) {
  torch::manual_seed(3);
  UNetOptions o;
  o.width = 4;
  UNet net(o);
  net->train();
  net->forward(torch::randn({2, 1, 32, 32}) * 3 + 1);  // running statistics of other data
  auto x = torch::rand({5, 1, 32, 32});
  recalibrate_batchnorm(net, x, 2, false);  // batches {0, 1} and {2, 3}; a last single image is left out
  EXPECT_TRUE(net->is_training());
  auto mods = net->named_modules();
  auto* conv = mods["enc0.seq.0"]->as<torch::nn::Conv2d>();
  auto* bn = mods["enc0.seq.1"]->as<torch::nn::BatchNorm2d>();
  ASSERT_TRUE(conv && bn);
  torch::NoGradGuard g;
  auto y = conv->forward(x);
  torch::Tensor mean = torch::zeros({4}), var = torch::zeros({4});
  for (int64_t i : {0, 2}) {
    auto b = y.narrow(0, i, 2).transpose(0, 1).reshape({4, -1});  // [channels, values]
    auto m = b.mean(1);
    mean += m / 2;
    var += (b - m.unsqueeze(1)).pow(2).sum(1) / (b.size(1) - 1) / 2;
  }
  EXPECT_TRUE(torch::allclose(bn->running_mean, mean, 1e-4, 1e-6)) << bn->running_mean << mean;
  EXPECT_TRUE(torch::allclose(bn->running_var, var, 1e-4, 1e-6)) << bn->running_var << var;
  EXPECT_EQ(bn->options.momentum(), c10::optional<double>(0.1));  // the training momentum is back
}

// The inference copy folds BatchNorm into the convolutions: its output equals the eval-mode
// output of the model it copies (running statistics far from 0/1, affine not trivial) up to
// rounding, it leaves that model untouched, and its blocks run no BatchNorm.
TEST(UNet, InferenceCopyWithFoldedBatchNormPredictsTheSame) {
  UNetOptions o;
  o.width = 4;
  torch::manual_seed(11);
  UNet net(o);
  {
    torch::NoGradGuard g;
    for (auto& m : net->modules(false))
      if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
        bn->running_mean.uniform_(-0.5, 0.5);
        bn->running_var.uniform_(0.3, 3.0);
        bn->weight.uniform_(0.5, 1.5);
        bn->bias.uniform_(-0.3, 0.3);
      }
  }
  net->train();
  const auto before = net->parameters().front().clone();
  UNet folded = inference_copy(net);
  EXPECT_TRUE(net->is_training());  // the original keeps its mode and weights
  EXPECT_TRUE(torch::equal(net->parameters().front(), before));
  net->eval();
  torch::NoGradGuard g;
  auto x = torch::rand({3, 1, 32, 32});
  auto want = torch::softmax(net->forward(x), 1), got = torch::softmax(folded->forward(x), 1);
  EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-5)) << (got - want).abs().max().item<double>();
  EXPECT_TRUE(torch::equal(got.argmax(1), want.argmax(1)));
  // No BatchNorm runs in the copy: changing its (now unused) statistics changes nothing.
  for (auto& m : folded->modules(false))
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) bn->running_var.fill_(100.0);
  EXPECT_TRUE(torch::equal(torch::softmax(folded->forward(x), 1), got));
}

TEST(FeaturePerturbation, ChangesEveryLevelOnlyInThePerturbedBranch) {
  UNetOptions o;
  o.width = 4;
  UNet net(o);
  net->eval();  // no dropout: the clean branch is reproducible
  Rng rng(1);
  auto x = torch::randn({2, 1, 32, 32});
  auto feats = net->encode(x);
  FeaturePerturbation fp;
  for (auto kind : {FpKind::Dropout, FpKind::Noise}) {
    fp.kind = kind;
    for (size_t i = 0; i < feats.size(); ++i) {
      auto p = perturb_features(feats[i], fp, rng);
      EXPECT_FALSE(torch::allclose(p, feats[i])) << "level " << i;
      EXPECT_EQ(p.sizes(), feats[i].sizes());
    }
  }
  auto out = forward_with_feature_perturbation(net, x, fp, true, rng);
  EXPECT_TRUE(torch::allclose(out.clean, net->forward(x), 1e-5, 1e-5));  // clean branch untouched
  EXPECT_FALSE(torch::allclose(out.perturbed[0], out.clean));
  EXPECT_EQ(out.perturbed.size(), 4u);
}

TEST(Weights, LoadingValidatesNamesAndShapes) {
  UNetOptions o;
  o.width = 4;
  std::vector<UNet> a{UNet(o)};
  TensorFile f;
  add_module_state(f, "a.", *a[0]);
  std::vector<UNet> b{UNet(o)};
  load_models(f, b, "mem");
  EXPECT_TRUE(torch::equal(a[0]->parameters()[0], b[0]->parameters()[0]));
  UNetOptions wide = o;
  wide.width = 8;
  std::vector<UNet> c{UNet(wide)};
  EXPECT_THROW(load_models(f, c, "mem"), Error);
  f.tensors.erase(f.tensors.begin());
  EXPECT_THROW(load_models(f, b, "mem"), Error);
}
// ConvBlock runs its layers one by one (BatchNorm without the module's batch count, no call
// for a dropout of rate 0, element_dropout for the others): the same outputs, gradients and
// running statistics as the stock Sequential of the same layers and parameters.
TEST(ConvBlock, EqualsTheStockSequentialOfItsLayers) {
  namespace nn = torch::nn;
  for (double p : {0.0, 0.3}) {
    ConvBlock block(2, 4, p);
    auto leaky = nn::LeakyReLUOptions().negative_slope(0.01);
    auto drop = [p](const torch::Tensor& t) { return element_dropout(t, p); };
    nn::Sequential ref(nn::Conv2d(nn::Conv2dOptions(2, 4, 3).padding(1)), nn::BatchNorm2d(4), nn::LeakyReLU(leaky),
                       nn::Functional(drop), nn::Conv2d(nn::Conv2dOptions(4, 4, 3).padding(1)),
                       nn::BatchNorm2d(4), nn::LeakyReLU(leaky));
    {
      torch::NoGradGuard g;
      auto src_p = block->named_parameters(true), src_b = block->named_buffers(true);
      for (auto& q : ref->named_parameters(true)) q.value().copy_(src_p["seq." + q.key()]);
      for (auto& q : ref->named_buffers(true)) q.value().copy_(src_b["seq." + q.key()]);
    }
    auto x = torch::randn({3, 2, 8, 8});
    for (int step = 0; step < 2; ++step) {  // twice: the second pass normalises with moved statistics
      torch::manual_seed(7);
      auto a = block->forward(x);
      torch::manual_seed(7);
      auto b = ref->forward(x);
      ASSERT_TRUE(torch::equal(a, b)) << "p " << p << " step " << step;
      a.square().sum().backward(), b.square().sum().backward();
    }
    auto bp = block->named_parameters(true), bb = block->named_buffers(true);
    for (auto& q : ref->named_parameters(true))
      EXPECT_TRUE(torch::equal(q.value().grad(), bp["seq." + q.key()].grad())) << q.key();
    for (auto& q : ref->named_buffers(true)) {
      if (q.key().find("num_batches") != std::string::npos) continue;  // the count it leaves out
      EXPECT_TRUE(torch::equal(q.value(), bb["seq." + q.key()])) << q.key();
    }
    block->eval(), ref->eval();
    auto stock_eval = ref->forward(x);  // the Functional still drops: compare with dropout off
    if (p == 0) EXPECT_TRUE(torch::equal(block->forward(x), stock_eval)) << "eval";
  }
}

// element_dropout on the CPU: each element kept with probability k/65536 (k = round((1 − p)·65536))
// and scaled by 65536/k, else 0; the same draws for the same seed; the mask follows the input's
// memory layout; the gradient is the mask; torch's own dropout for p = 0 (the input itself).
TEST(ElementDropout, KeepsEachElementWithProbabilityOneMinusPAndScalesByItsInverse) {
  auto x = torch::ones({4, 16, 64, 64});
  for (double p : {0.05, 0.3, 0.5}) {
    torch::manual_seed(3);
    auto y = element_dropout(x, p);
    const double k = std::llround((1 - p) * 65536.0), q = k / 65536.0;
    auto kept = y.ne(0);
    EXPECT_TRUE(torch::allclose(y.masked_select(kept), torch::full({1}, 1.0 / q)));
    const double share = kept.to(torch::kDouble).mean().item<double>(), n = double(x.numel());
    EXPECT_NEAR(share, q, 5 * std::sqrt(q * (1 - q) / n)) << "p " << p;  // 5 standard errors
    torch::manual_seed(3);
    EXPECT_TRUE(torch::equal(element_dropout(x, p), y));
    // Each channel's and each row's share too (no pattern along any axis).
    auto per_channel = kept.to(torch::kDouble).mean({0, 2, 3});
    EXPECT_LT((per_channel - q).abs().max().item<double>(), 6 * std::sqrt(q * (1 - q) / (n / 16)));
  }
  EXPECT_TRUE(element_dropout(x, 0.0).is_same(x));
  // Channels-last in, channels-last out; the mask's draws laid out in memory order.
  auto cl = torch::randn({2, 8, 6, 6}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_();
  torch::manual_seed(5);
  auto y = element_dropout(cl, 0.2);
  EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
  y.sum().backward();
  EXPECT_TRUE(torch::allclose(cl.grad(), y.detach() / cl.detach()));  // grad = mask·scale = y / x
}

}  // namespace cmems
