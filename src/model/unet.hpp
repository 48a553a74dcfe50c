// The SSL4MIS 2D U-Net: 5 encoder levels (width·{1,2,4,8,16} channels), each
// conv3×3-BN-LeakyReLU-Dropout-conv3×3-BN-LeakyReLU (dropout 0.05, 0.1, 0.2, 0.3, 0.5),
// max-pool down; decoder 1×1 conv + bilinear ×2 up + concatenation skip + conv block;
// conv3×3 output head; auxiliary conv3×3 heads on the decoder stages at 1/8, 1/4, 1/2
// resolution (for the multi-resolution feature-perturbation loss).
// [ref: SSL4MIS networks/unet.py, UNet_DS]. Stage: model.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "model/options.hpp"

namespace cmems {

class Rng;

struct UNetOptions {
  int64_t in_channels = 1;
  int64_t num_classes = 4;
  int64_t width = 16;                                        // [ref: SSL4MIS]
  std::vector<double> dropout{0.05, 0.1, 0.2, 0.3, 0.5};     // [ref: SSL4MIS]
  bool aux_heads = true;
  /// Torch: PyTorch's default (Kaiming-uniform, a = √5, as constructed) [ref: SSL4MIS UNet];
  /// Kaiming / Xavier normal [ref: SSL4MIS two-model methods].
  enum class Init { Torch, Kaiming, Xavier } init = Init::Torch;
};

/// Element-wise dropout in training (each element kept with probability q ≈ 1 − p and scaled
/// by 1/q, else 0; gradient grad·mask/q), as torch::dropout computes it. On a GPU it is
/// torch::dropout. On the CPU, where torch::dropout draws one Bernoulli number at a time
/// (7% of an iteration's time, measured: docs/BENCHMARKS.md), the mask comes from 16 random
/// bits per element drawn 64 at a time from torch's default CPU generator: q = k/65536 with
/// k = round((1 − p)·65536), within 8e-6 of 1 − p, and the scale is 1/q exactly. The mask
/// follows x's memory layout (channels-last stays channels-last).
torch::Tensor element_dropout(const torch::Tensor& x, double p);

class ConvBlockImpl : public torch::nn::Module {
 public:
  ConvBlockImpl(int64_t in, int64_t out, double dropout);
  torch::Tensor forward(torch::Tensor x);
  /// Folds each BatchNorm's running statistics and affine into the convolution before it;
  /// forward then skips the BatchNorms (and dropout): for inference only (inference_copy).
  void fold_batchnorm();

 private:
  torch::nn::Sequential seq_{nullptr};
  bool folded_ = false;
};
TORCH_MODULE(ConvBlock);

class UpBlockImpl : public torch::nn::Module {
 public:
  UpBlockImpl(int64_t in_deep, int64_t in_skip, int64_t out);
  torch::Tensor forward(torch::Tensor deep, torch::Tensor skip);

 private:
  torch::nn::Conv2d reduce_{nullptr};
  ConvBlock conv_{nullptr};
};
TORCH_MODULE(UpBlock);

class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(const UNetOptions& o);
  /// x: [B, in, H, W] float, H and W multiples of 16. Returns logits [B, C, H, W].
  torch::Tensor forward(torch::Tensor x);
  /// The five encoder features: full, 1/2, 1/4, 1/8, 1/16 resolution.
  std::vector<torch::Tensor> encode(torch::Tensor x);
  /// Decodes features; returns {main [B,C,H,W]} or, with `aux`, {main, 1/2, 1/4, 1/8}.
  std::vector<torch::Tensor> decode(const std::vector<torch::Tensor>& f, bool aux);
  const UNetOptions& options() const { return opts_; }

 private:
  UNetOptions opts_;
  std::vector<ConvBlock> enc_;
  std::vector<UpBlock> dec_;
  torch::nn::Conv2d head_{nullptr};
  std::vector<torch::nn::Conv2d> aux_;  // on decoder stages 1/8, 1/4, 1/2
};
TORCH_MODULE(UNet);

/// Feature perturbation [ref: UniMatch (channel dropout), CCT (uniform noise)].
struct FeaturePerturbation {
  FpKind kind = FpKind::Dropout;
  double dropout = 0.5;  // channel dropout probability
  double noise = 0.3;    // multiplicative noise uniform in [1-noise, 1+noise]
  std::vector<bool> levels{true, true, true, true, true};  // which encoder levels
};

/// Perturbs one feature map [B, C, H, W]: channel dropout (mask [B, C, 1, 1], rescaled by
/// 1/(1-p)) and/or multiplicative uniform noise, with random numbers from `rng`.
torch::Tensor perturb_features(const torch::Tensor& f, const FeaturePerturbation& fp, Rng& rng);

/// Decodes encoder features `feats` (encode's five levels) with the selected levels
/// perturbed: {main} or {main, 1/2, 1/4, 1/8} logits of the perturbed features.
std::vector<torch::Tensor> decode_perturbed(UNet& net, const std::vector<torch::Tensor>& feats,
                                            const FeaturePerturbation& fp, bool aux, Rng& rng);

struct FpOutput {
  torch::Tensor clean;                   // main logits of the clean features [B, C, H, W] (if asked)
  std::vector<torch::Tensor> perturbed;  // {main} or {main, 1/2, 1/4, 1/8} of the perturbed
};

/// Whether forward_with_feature_perturbation decodes the clean features too, and with
/// gradient (CPS's student) or without (pseudo-labels only).
enum class CleanDecode { Skip, NoGrad, WithGrad };

/// One encoder pass; the perturbed features and the clean ones are decoded as two batches,
/// so that the clean prediction does not depend on the perturbed half through BatchNorm
/// statistics. Levels not selected pass through unperturbed.
/// [ref: UniMatch, which decodes both as one batch of 2B]
FpOutput forward_with_feature_perturbation(UNet& net, const torch::Tensor& x, const FeaturePerturbation& fp,
                                           bool aux, Rng& rng, CleanDecode clean = CleanDecode::WithGrad);

/// Main logits of x without dropout and without gradient; BatchNorm normalises with the
/// batch's statistics (as in training) but its running statistics are left untouched.
/// The pseudo-label pass of `pseudo.teacher no_dropout` [ours, measured].
torch::Tensor forward_without_dropout(UNet& net, const torch::Tensor& x);

/// Precise BatchNorm [ref: Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm"]: replaces
/// every BatchNorm's running statistics by their average over `images` in batches of
/// `batch` (the training batch size), with dropout off and no gradient. Training moves
/// them by a moving average over every pass it makes (labeled, weak, strong and
/// feature-perturbed batches); inference normalises clean images with them. Fewer than two
/// images: nothing changes.
void recalibrate_batchnorm(UNet& net, const torch::Tensor& images, int64_t batch, bool channels_last);

/// A copy of `net` for inference: the same weights and running statistics on the same
/// device and memory format, in eval mode, every BatchNorm folded into the convolution
/// before it: w' = w·γ/√(σ² + ε), b' = (b − μ)·γ/√(σ² + ε) + β, two ops fewer per
/// convolution. Its output equals `net`'s eval output up to rounding (test). Not trainable.
UNet inference_copy(const UNet& net);

/// Initialises conv weights (Kaiming or Xavier normal, bias 0) and BN (1, 0); Torch keeps
/// the weights as constructed.
void initialise(UNet& net, UNetOptions::Init init);
}  // namespace cmems
