// Weak and strong perturbations as batched tensor operations on the training device.
// Random parameters are sampled (sample_*) separately from their application (apply_*),
// so that one draw can be applied to an image and its label, and tested.
//   weak:   random 90° turn and flip, rotation in ±weak.rotation, random scale-crop
//           [ref: SSL4MIS RandomGenerator, UniMatch resize-crop];
//   strong: brightness/contrast/gamma jitter, Gaussian blur, Gaussian noise, and CutMix with
//           another image of the batch (the pseudo-labels are mixed with the same box)
//           [ref: UniMatch]. Pixel alignment with the weak view is preserved.
// Stage: augment.
#pragma once
#include <torch/torch.h>

#include "augment/options.hpp"
#include "core/rng.hpp"
#include "losses/losses.hpp"

namespace cmems {

/// Per-item affine maps for affine_grid (output -> input, normalised coordinates).
struct GeometricParams {
  torch::Tensor theta;  // [B, 2, 3] float
};

/// Random affine: rotation angle (radians) + optional k·90° turn and x-flip, zoom `scale`
/// (>1 magnifies) and translation (normalised units). All tensors [B].
torch::Tensor affine_theta(const torch::Tensor& angle, const torch::Tensor& flip, const torch::Tensor& scale,
                           const torch::Tensor& tx, const torch::Tensor& ty);

GeometricParams sample_weak(const WeakOptions& c, int64_t batch, Rng& rng, const torch::Device& dev);
/// Images [B, 1, S, S] bilinear; labels [B, S, S] int64 nearest (outside -> 0).
torch::Tensor apply_geometric_image(const torch::Tensor& x, const GeometricParams& p);
torch::Tensor apply_geometric_label(const torch::Tensor& y, const GeometricParams& p);

struct StrongParams {
  torch::Tensor color_on, brightness, contrast, gamma;  // [B]
  torch::Tensor blur_on, sigma;                         // [B]
  double max_sigma = 1.0;                               // bound of sigma (kernel size)
  torch::Tensor noise;                                  // [B, 1, S, S] (already scaled)
  CutMixBoxes mix;                                      // CutMix with another item of the batch
};

/// Parameters of `groups` strong views of a batch of `batch` items, all in one draw (items
/// [g·batch, (g+1)·batch) are view g); each item's CutMix partner is another item of the same
/// batch (an index in [0, batch)).
StrongParams sample_strong(const StrongOptions& c, int64_t batch, int64_t size, Rng& rng, const torch::Device& dev,
                           int64_t groups = 1);
/// The strong views of weak views x_w [B, 1, S, S] (values in ~[0, 1]): [G·B, 1, S, S] for
/// parameters of G views (sample_strong's `groups`), made as one batch.
torch::Tensor apply_strong(const torch::Tensor& x_w, const StrongParams& p);

/// Per-item Gaussian blur of [B, C, H, W] with sigma [B], every channel of an item with its
/// sigma (separable, zero padding).
torch::Tensor gaussian_blur(const torch::Tensor& x, const torch::Tensor& sigma, double max_sigma);
}  // namespace cmems
