// The loss terms of CMEMS (../docs/method.md maps each equation to these functions).
// Shapes: logits [B, C, H, W] float; targets [B, H, W] int64 (value kIgnore = no loss);
// masks [B, H, W] float in {0, 1}. Stage: losses.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "core/labels.hpp"

namespace cmems {

/// How the cross-entropy of ℓ is averaged (docs/method.md, "segmentation loss").
enum class CeMean {
  Labeled,  // over the labeled (non-ignored, unmasked) pixels, as PyTorch's ignore_index [ref: SSL4MIS]
  All,      // mask-weighted, over ALL pixels: Σ m·CE / (B·H·W) [ref: UniMatch criterion_u]
};

/// Mask-weighted cross-entropy; pixels whose target is kIgnore never count.
torch::Tensor masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target,
                                   const torch::Tensor& mask, CeMean mean = CeMean::All);

/// Soft Dice over masked pixels, averaged over all C classes:
/// 1 − mean_c (2Σ m p_c y_c + ε) / (Σ m p_c² + Σ m y_c² + ε), p = softmax, ε = 1e-5.
/// [ref: SSL4MIS DiceLoss; masking as UniMatch's ACDC DiceLoss with ignore]
torch::Tensor masked_dice(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask);

/// ℓ(pred, y, mask) = ½ CE + ½ Dice for pseudo-label targets: CE averaged over all pixels
/// (UniMatch). Pixels whose target is kIgnore are masked.
torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask);
/// ℓ for labeled targets (exemplar, synthesis, `full`): CE averaged over the non-ignored
/// pixels, Dice over them [spec; ref: SSL4MIS, PyTorch ignore_index].
torch::Tensor seg_loss(const torch::Tensor& logits, const torch::Tensor& target);

/// P = softmax(logits) (no gradient); ŷ = argmax P; c = max P; m = c ≥ τ.
struct PseudoLabels {
  torch::Tensor label;  // [B, H, W] int64
  torch::Tensor mask;   // [B, H, W] float
  torch::Tensor prob;   // [B, C, H, W] float (detached)
};
PseudoLabels make_pseudo_labels(const torch::Tensor& logits, double threshold);
/// Every model's pseudo-label mask set to 0 where the models' labels differ (pseudo.agree):
/// what one model alone calls a class is taught to no model. One model: unchanged.
void mask_disagreement(std::vector<PseudoLabels>& pl);

/// One-hot of labels [B, H, W] (values in [0, c)) as [B, c, H, W] of `dtype`, by comparison:
/// unlike torch's one_hot, it reads nothing back from the device (no range check).
torch::Tensor one_hot_nchw(const torch::Tensor& labels, int64_t c, torch::ScalarType dtype);

/// Nearest resize of [B, H, W] labels or masks to h×w (for the auxiliary heads).
torch::Tensor resize_nearest(const torch::Tensor& t, int64_t h, int64_t w);

/// CutMix boxes of one strong view: item i takes the pixels inside box[i] from item
/// partner[i] [ref: UniMatch]. The image and the pseudo-labels are mixed with the same boxes.
struct CutMixBoxes {
  torch::Tensor box;      // [B, H, W] bool (false = keep own)
  torch::Tensor partner;  // [B] int64
};
/// Mixes a per-item tensor ([B, ...] whose last two dims are H, W) with the boxes; returns
/// `t` unchanged when the boxes are undefined (a view without CutMix).
torch::Tensor cutmix(const torch::Tensor& t, const CutMixBoxes& m);

/// Which model's pseudo-labels teach model m: its own (self-training) or the other's
/// (cross-model mutual learning [paper]).
enum class Pairing { Self, Cross };
/// The teacher of student m among n models.
int64_t teacher_of(int64_t m, int64_t n, Pairing p);

/// One strong view of one student: its logits and the CutMix boxes its input was mixed with.
struct StrongView {
  torch::Tensor logits;  // [B, C, H, W]
  CutMixBoxes mix;
};

/// Cross-model image-perturbation mutual learning, the term of one student [paper]:
///   ℓ_ip = mean_v ℓ(f_s(strong_v(x_w)), CutMix_v(ŷ_t), CutMix_v(m_t))
/// with ŷ_t, m_t = the teacher's weak-view pseudo-labels and their τ-mask.
/// A view without CutMix (CPS's weak view) has undefined boxes.
torch::Tensor image_perturbation_loss(const std::vector<StrongView>& views, const PseudoLabels& teacher);

/// Multi-resolution head weights of L_fp and of deep supervision: main, 1/2, 1/4, 1/8
/// (normalised over the heads in use) [ours].
extern const std::vector<double> kHeadWeights;

/// Σ_k w_k ℓ(heads[k], y↓k) over heads of decreasing resolution (main first), with w_k
/// = kHeadWeights normalised over heads.size(). `mask` undefined means a labeled target
/// (CeMean::Labeled); defined means pseudo-labels (CeMean::All).
torch::Tensor multi_head_loss(const std::vector<torch::Tensor>& heads, const torch::Tensor& target,
                              const torch::Tensor& mask = {});

/// Cross-model multi-level feature-perturbation mutual learning, the term of one student
/// [paper]: ℓ_fp = Σ_k w_k ℓ(f_s^{fp,k}(x_w), ŷ_t↓k, m_t↓k), where f_s^{fp,k} are the heads
/// (main, then auxiliary at 1/2, 1/4, 1/8) decoded from the student's perturbed encoder
/// features.
torch::Tensor feature_perturbation_loss(const std::vector<torch::Tensor>& perturbed_heads,
                                        const PseudoLabels& teacher);

/// The terms of every student m = 0..n−1, each taught by teacher_of(m, n, pairing):
/// views[m] / heads[m] are student m's, pseudo[t] the weak-view pseudo-labels of model t.
std::vector<torch::Tensor> image_perturbation_losses(const std::vector<std::vector<StrongView>>& views,
                                                     const std::vector<PseudoLabels>& pseudo, Pairing pairing);
std::vector<torch::Tensor> feature_perturbation_losses(const std::vector<std::vector<torch::Tensor>>& heads,
                                                       const std::vector<PseudoLabels>& pseudo, Pairing pairing);

/// Batched forms (issue 34: fewer operator calls, the same maths up to float summation order):
/// G groups (e.g. the two models) whose terms have the same shapes, concatenated along the
/// batch. grouped_seg_losses: logits [G·B, C, H, W] (group g's items at g·B…), target and mask
/// [G·B, H, W] (mask undefined: labeled target, CeMean::Labeled) → [G], each group's ℓ with its
/// own CE normalisation and its own Dice over its items.
torch::Tensor grouped_seg_losses(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask,
                                 int64_t groups);
/// multi_head_loss of every group at once: heads[g] (the same head shapes in every group),
/// targets[g], masks[g] (empty: labeled targets) → [G].
torch::Tensor multi_head_losses(const std::vector<std::vector<torch::Tensor>>& heads,
                                const std::vector<torch::Tensor>& targets, const std::vector<torch::Tensor>& masks = {});

/// Sigmoid ramp-up λ(t) = λ_max·exp(−5(1 − t/t_r)²) for t < t_r, λ_max after.
/// [ref: Laine & Aila; SSL4MIS sigmoid_rampup]
double rampup_weight(int64_t iteration, int64_t total, double fraction, double lambda_max);
}  // namespace cmems
