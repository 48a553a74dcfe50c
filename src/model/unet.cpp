#include "model/unet.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.hpp"
#include "core/rng.hpp"
#include "model/device.hpp"

namespace cmems {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

// ---- U-Net ------------------------------------------------------------------------------
torch::Tensor element_dropout(const torch::Tensor& x, double p) {
  if (p <= 0) return x;
  if (!x.device().is_cpu() || !x.is_non_overlapping_and_dense()) return torch::dropout(x, p, /*train=*/true);
  const int64_t n = x.numel();
  const int64_t k = std::clamp<int64_t>(std::llround((1.0 - p) * 65536.0), 1, 65535);
  // 64 bits a draw, read as four uniform 16-bit integers in [-32768, 32767]: kept where < k − 32768.
  auto bits = torch::empty({(n + 3) / 4}, torch::kLong).random_(std::numeric_limits<int64_t>::min(), c10::optional<int64_t>(), c10::optional<at::Generator>());
  auto u16 = bits.view(torch::kShort).narrow(0, 0, n).as_strided(x.sizes(), x.strides());
  auto mask = u16.lt(k - 32768).to(x.scalar_type()).mul_(65536.0 / double(k));
  return x * mask;
}

ConvBlockImpl::ConvBlockImpl(int64_t in, int64_t out, double dropout) {
  seq_ = register_module(
      "seq", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)), nn::BatchNorm2d(out),
                            nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.01)),
                            nn::Dropout(nn::DropoutOptions(dropout)),
                            nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1)), nn::BatchNorm2d(out),
                            nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.01))));
}
namespace {
// BatchNorm as the module computes it, without the module's count of the batches it has
// normalised (an aten::add_ per call: a kernel launch on a GPU, 124 per cmems iteration).
// That count is read only for a cumulative average (momentum unset: recalibrate_batchnorm),
// and then the module's own forward keeps it.
torch::Tensor batch_norm(nn::BatchNorm2dImpl& bn, const torch::Tensor& x) {
  if (!bn.is_training() || !bn.options.momentum()) return bn.forward(x);
  return torch::batch_norm(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, /*training=*/true,
                           *bn.options.momentum(), bn.options.eps(), at::globalContext().userEnabledCuDNN());
}
}  // namespace

// The Sequential's layers (conv, BN, leaky ReLU, dropout, conv, BN, leaky ReLU) one by one:
// BatchNorm without its batch count (above), no dropout call where its rate is 0; folded, the
// BatchNorms are in the convolutions and there is no dropout.
torch::Tensor ConvBlockImpl::forward(torch::Tensor x) {
  const auto leaky = F::LeakyReLUFuncOptions().negative_slope(0.01);
  auto conv_bn_relu = [&](size_t k, torch::Tensor t) {
    t = seq_[k]->as<nn::Conv2d>()->forward(t);
    return F::leaky_relu(folded_ ? t : batch_norm(*seq_[k + 1]->as<nn::BatchNorm2d>(), t), leaky);
  };
  x = conv_bn_relu(0, x);
  if (auto* drop = seq_[3]->as<nn::Dropout>(); !folded_ && drop->is_training() && drop->options.p() > 0)
    x = element_dropout(x, drop->options.p());
  return conv_bn_relu(4, x);
}

void ConvBlockImpl::fold_batchnorm() {
  CMEMS_CHECK(!folded_ && !is_training(), "fold_batchnorm: for an unfolded block in eval mode");
  torch::NoGradGuard g;
  for (size_t k : {size_t(0), size_t(4)}) {
    auto* conv = seq_[k]->as<nn::Conv2d>();
    auto* bn = seq_[k + 1]->as<nn::BatchNorm2d>();
    auto scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
    conv->weight.mul_(scale.view({-1, 1, 1, 1}).to(conv->weight.dtype()));
    conv->bias.copy_((conv->bias - bn->running_mean) * scale + bn->bias);
  }
  folded_ = true;
}

UpBlockImpl::UpBlockImpl(int64_t in_deep, int64_t in_skip, int64_t out) {
  reduce_ = register_module("reduce", nn::Conv2d(nn::Conv2dOptions(in_deep, in_skip, 1)));
  conv_ = register_module("conv", ConvBlock(in_skip * 2, out, 0.0));
}
torch::Tensor UpBlockImpl::forward(torch::Tensor deep, torch::Tensor skip) {
  auto x = reduce_->forward(deep);
  x = F::interpolate(x, F::InterpolateFuncOptions()
                            .scale_factor(std::vector<double>{2.0, 2.0})
                            .mode(torch::kBilinear)
                            .align_corners(true));
  return conv_->forward(torch::cat({skip, x}, 1));
}

UNetImpl::UNetImpl(const UNetOptions& o) : opts_(o) {
  CMEMS_CHECK(o.dropout.size() == 5, "UNet: expected 5 dropout rates");
  std::vector<int64_t> ch;
  for (int i = 0; i < 5; ++i) ch.push_back(o.width << i);
  for (int i = 0; i < 5; ++i)
    enc_.push_back(register_module("enc" + std::to_string(i),
                                   ConvBlock(i == 0 ? o.in_channels : ch[i - 1], ch[i], o.dropout[i])));
  for (int i = 0; i < 4; ++i)
    dec_.push_back(register_module("dec" + std::to_string(i), UpBlock(ch[4 - i], ch[3 - i], ch[3 - i])));
  head_ = register_module("head", nn::Conv2d(nn::Conv2dOptions(ch[0], o.num_classes, 3).padding(1)));
  if (o.aux_heads)
    for (int i = 0; i < 3; ++i)  // decoder outputs at 1/8 (ch[3]), 1/4 (ch[2]), 1/2 (ch[1])
      aux_.push_back(register_module("aux" + std::to_string(i),
                                     nn::Conv2d(nn::Conv2dOptions(ch[3 - i], o.num_classes, 3).padding(1))));
}

std::vector<torch::Tensor> UNetImpl::encode(torch::Tensor x) {
  std::vector<torch::Tensor> f;
  for (int i = 0; i < 5; ++i) {
    x = enc_[i]->forward(i == 0 ? x : F::max_pool2d(x, F::MaxPool2dFuncOptions(2)));
    f.push_back(x);
  }
  return f;
}

std::vector<torch::Tensor> UNetImpl::decode(const std::vector<torch::Tensor>& f, bool aux) {
  CMEMS_CHECK(!aux || opts_.aux_heads, "UNet: auxiliary heads are disabled");
  torch::Tensor x = f[4];
  std::vector<torch::Tensor> side;
  for (int i = 0; i < 4; ++i) {
    x = dec_[i]->forward(x, f[3 - i]);
    if (aux && i < 3) side.push_back(aux_[i]->forward(x));
  }
  std::vector<torch::Tensor> out{head_->forward(x)};
  for (int i = 2; i >= 0 && aux; --i) out.push_back(side[i]);  // 1/2, 1/4, 1/8
  return out;
}

torch::Tensor UNetImpl::forward(torch::Tensor x) { return decode(encode(x), false)[0]; }

torch::Tensor perturb_features(const torch::Tensor& f, const FeaturePerturbation& fp, Rng& rng) {
  torch::Tensor out = f;
  using K = FpKind;
  if (fp.kind == K::Dropout || fp.kind == K::Both) {
    auto keep = rng.bernoulli({f.size(0), f.size(1), 1, 1}, 1.0 - fp.dropout, f.device());
    out = out * keep.to(f.dtype()) / (1.0 - fp.dropout);
  }
  if (fp.kind == K::Noise || fp.kind == K::Both)
    out = out * rng.uniform(f.sizes(), 1.0 - fp.noise, 1.0 + fp.noise, f.device()).to(f.dtype());
  return out;
}

std::vector<torch::Tensor> decode_perturbed(UNet& net, const std::vector<torch::Tensor>& feats,
                                            const FeaturePerturbation& fp, bool aux, Rng& rng) {
  std::vector<torch::Tensor> perturbed;
  for (size_t i = 0; i < feats.size(); ++i)
    perturbed.push_back(fp.levels[i] ? perturb_features(feats[i], fp, rng) : feats[i]);
  return net->decode(perturbed, aux);
}

FpOutput forward_with_feature_perturbation(UNet& net, const torch::Tensor& x, const FeaturePerturbation& fp,
                                           bool aux, Rng& rng, CleanDecode clean) {
  auto feats = net->encode(x);
  FpOutput r;
  r.perturbed = decode_perturbed(net, feats, fp, aux, rng);
  if (clean != CleanDecode::Skip) {
    torch::AutoGradMode grad(clean == CleanDecode::WithGrad && torch::GradMode::is_enabled());
    r.clean = net->decode(feats, false)[0];
  }
  return r;
}

torch::Tensor forward_without_dropout(UNet& net, const torch::Tensor& x) {
  // BatchNorm keeps using batch statistics but must not move its running statistics. They
  // are held still with momentum 0 (running = 1·running + 0·batch: bit-exact), not copied
  // back: a copy_ would bump their autograd version, and the graph of an earlier training
  // forward saves them, so its backward would fail.
  torch::NoGradGuard g;
  std::vector<std::shared_ptr<nn::Module>> dropouts;
  std::vector<std::pair<nn::BatchNorm2dImpl*, c10::optional<double>>> norms;
  std::vector<torch::Tensor> counts;
  for (auto& m : net->modules(false)) {
    if (m->as<nn::Dropout>() && m->is_training()) dropouts.push_back(m), m->train(false);
    if (auto* bn = m->as<nn::BatchNorm2d>()) {
      norms.emplace_back(bn, bn->options.momentum());
      bn->options.momentum(0.0);
      counts.push_back(bn->num_batches_tracked.clone());
    }
  }
  auto out = net->forward(x);
  for (size_t i = 0; i < norms.size(); ++i) {
    norms[i].first->options.momentum(norms[i].second);
    norms[i].first->num_batches_tracked.copy_(counts[i]);  // an integer counter: in no graph
  }
  for (auto& m : dropouts) m->train(true);
  return out;
}

void recalibrate_batchnorm(UNet& net, const torch::Tensor& images, int64_t batch, bool channels_last) {
  const int64_t n = images.size(0);
  if (n < 2) return;  // one image has no batch statistics to average
  batch = std::max<int64_t>(batch, 2);
  torch::NoGradGuard g;
  const bool was_training = net->is_training();
  net->train();
  std::vector<std::pair<nn::BatchNorm2dImpl*, c10::optional<double>>> norms;
  for (auto& m : net->modules(false)) {
    if (m->as<nn::Dropout>()) m->eval();
    if (auto* bn = m->as<nn::BatchNorm2d>()) {
      norms.emplace_back(bn, bn->options.momentum());
      bn->reset_running_stats();
      bn->options.momentum(c10::nullopt);  // running statistics = the average over the batches
    }
  }
  for (int64_t i = 0; i + 1 < n; i += batch)  // a last batch of one image would have no variance
    net->forward(in_format(images.narrow(0, i, std::min(batch, n - i)), channels_last));
  for (auto& [bn, momentum] : norms) bn->options.momentum(momentum);
  net->train(was_training);
}

UNet inference_copy(const UNet& net) {
  UNet m(net->options());
  {
    torch::NoGradGuard g;
    const auto src_p = net->named_parameters(true), src_b = net->named_buffers(true);
    for (auto& p : m->named_parameters(true)) p.value().set_data(src_p[p.key()].detach().clone());
    for (auto& b : m->named_buffers(true)) b.value().set_data(src_b[b.key()].detach().clone());
  }
  m->eval();
  for (auto& mod : m->modules(false))
    if (auto* block = mod->as<ConvBlockImpl>()) block->fold_batchnorm();
  return m;
}

void initialise(UNet& net, UNetOptions::Init init) {
  if (init == UNetOptions::Init::Torch) return;
  torch::NoGradGuard g;
  for (auto& m : net->modules(false)) {
    if (auto* c = m->as<nn::Conv2d>()) {
      if (init == UNetOptions::Init::Kaiming) nn::init::kaiming_normal_(c->weight);
      else nn::init::xavier_normal_(c->weight);
      if (c->bias.defined()) nn::init::zeros_(c->bias);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
}
}  // namespace cmems
