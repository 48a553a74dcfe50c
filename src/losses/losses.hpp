// The loss terms of CMEMS (../docs/method.md maps each equation to these functions).
// Shapes: logits [B, C, H, W] float; targets [B, H, W] int64 (value kIgnore = no loss);
// masks [B, H, W] float in {0, 1}. Stage: losses.
#pragma once
#include <torch/torch.h>

namespace cmems {

constexpr int64_t kIgnore = 255;

/// Mask-weighted cross-entropy averaged over ALL pixels: Σ m·CE / (B·H·W).
/// [ref: UniMatch criterion_u: (loss * mask).sum() / mask.numel()]
torch::Tensor masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target,
                                   const torch::Tensor& mask);

/// Soft Dice over masked pixels, averaged over all C classes:
/// 1 − mean_c (2Σ m p_c y_c + ε) / (Σ m p_c² + Σ m y_c² + ε), p = softmax, ε = 1e-5.
/// [ref: SSL4MIS DiceLoss; masking as UniMatch's ACDC DiceLoss with ignore]
torch::Tensor masked_dice(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask);

/// ℓ(pred, y, mask) = ½ CE + ½ Dice (METHOD.md). Pixels whose target is kIgnore are masked.
torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask);
/// ℓ with mask = (target != kIgnore).
torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target);

/// P = softmax(logits) (no gradient); ŷ = argmax P; c = max P; m = c ≥ τ.
struct PseudoLabels {
  torch::Tensor label;  // [B, H, W] int64
  torch::Tensor mask;   // [B, H, W] float
  torch::Tensor prob;   // [B, C, H, W] float (detached)
};
PseudoLabels make_pseudo_labels(const torch::Tensor& logits, double threshold);

/// Nearest resize of [B, H, W] labels or masks to h×w (for the auxiliary heads).
torch::Tensor resize_nearest(const torch::Tensor& t, int64_t h, int64_t w);

/// Sigmoid ramp-up λ(t) = λ_max·exp(−5(1 − t/t_r)²) for t < t_r, λ_max after.
/// [ref: Laine & Aila; SSL4MIS sigmoid_rampup]
double rampup_weight(int64_t iteration, int64_t total, double fraction, double lambda_max);
}  // namespace cmems
