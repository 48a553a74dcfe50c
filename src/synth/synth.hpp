// Exemplar-guided synthesis [paper: "synthetic data made from the exemplar"; design from
// the authors' earlier exemplar learning]: one random geometric transform T applied
// jointly to the exemplar image and label (rotation, scale, translation, flips/90° turns,
// optional elastic), an intensity transform (gamma, contrast, brightness, optional match to
// the background's statistics), and a paste onto an unlabeled background through the
// dilated, feathered foreground mask M:  x_syn = M·T(x_e) + (1 − M)·x_bg.
// The label is T(y_e) inside the (hard, dilated) mask; outside it is filled per
// `synthesis.outside` by the caller (ignore = kIgnore, background = 0, cross_pseudo =
// the other model's pseudo-label). Batched on the training device. Stage: synth.
#pragma once
#include <torch/torch.h>

#include "augment/augment.hpp"
#include "synth/options.hpp"

namespace cmems {

struct SynthParams {
  GeometricParams geometry;        // [n, 2, 3]
  torch::Tensor elastic;           // [n, S, S, 2] displacement (normalised) or undefined
  torch::Tensor structure;         // [n, C] log scale of each class about its centre (0: background) or undefined
  torch::Tensor gamma, contrast, brightness;  // [n]
  torch::Tensor background;        // [n] int64 indices into the unlabeled pool
  torch::Tensor source;            // [n] int64: which exemplar each item pastes (undefined: the one)
};

struct SynthBatch {
  torch::Tensor image;   // [n, 1, S, S]
  torch::Tensor label;   // [n, S, S] int64; kIgnore outside the paste mask
  torch::Tensor inside;  // [n, S, S] bool: the hard (dilated) paste mask
};

/// `sources`: how many exemplars there are to paste from; with one, nothing is drawn for it
/// (the draws of a one-exemplar run do not change). `num_classes` (background included) sizes
/// the per-structure factors, drawn where c.structure_scale > 0 and there are at least two
/// foreground classes (num_classes > 2); with one, nothing is drawn, as with 0.
SynthParams sample_synth(const SynthOptions& c, int64_t n, int64_t size, int64_t pool_size, Rng& rng,
                         const torch::Device& dev, int64_t sources, int64_t num_classes);

/// exemplar_image [K, 1, S, S], exemplar_label [K, S, S] int64 (or [S, S] for one), pool
/// [M, 1, S, S]; with K > 1 item i pastes exemplar p.source[i].
SynthBatch synthesize(const SynthOptions& c, const torch::Tensor& exemplar_image, const torch::Tensor& exemplar_label,
                      const torch::Tensor& pool, int64_t num_classes, const SynthParams& p);

/// Fills the pixels outside the paste mask: label where !inside becomes `outside`.
torch::Tensor fill_outside(const SynthBatch& b, const torch::Tensor& outside);

/// `n` samples to look at (`cmems synth`, `cmems report`), on the pool's device: the label
/// outside the paste mask is 0 for `synthesis.outside background`, else kIgnore
/// (cross_pseudo needs models; shown as ignore).
SynthBatch preview_samples(const SynthOptions& c, const torch::Tensor& exemplar_image, const torch::Tensor& exemplar_label,
                           const torch::Tensor& pool, int64_t num_classes, int64_t n, Rng& rng);
}  // namespace cmems
