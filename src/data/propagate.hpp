// The exemplar's label carried to the neighbouring planes of its volume by registration:
// each plane is registered to the next one towards the exemplar (a smooth displacement field
// on a coarse grid, fitted by Adam to the squared intensity difference, all pairs at once),
// and the exemplar's one-hot label is warped outwards plane by plane. Pixels whose warped
// class probability stays below `confidence` are kIgnore. No label but the exemplar's is
// read: the planes are images. [ref: Lai et al. 2022, barely-supervised segmentation
// (registration-based label propagation from one annotated slice); classic atlas
// propagation; ours: measured, docs/RESULTS.md] Stage: data.
#pragma once
#include <torch/torch.h>

namespace cmems {
struct PropagateOptions {
  int64_t grid = 8;         // displacement control points: one per `grid` pixels
  int64_t iterations = 60;  // Adam steps
  double lr = 0.02;         // Adam step size (normalised coordinates)
  double smooth = 0.1;      // weight of the squared differences of neighbouring control points
  double confidence = 0.5;  // least warped probability of the chosen class; below it: kIgnore
};

/// Labels [K, S, S] int64 of planes [K, 1, S, S] (the exemplar's at `at`, labelled `label`
/// [S, S] int64 with classes 0..num_classes-1); plane `at` keeps `label` unchanged.
torch::Tensor propagate_label(const torch::Tensor& planes, int64_t at, const torch::Tensor& label, int64_t num_classes,
                              const PropagateOptions& o = {});

/// The sampling grids [P, S, S, 2] (grid_sample's, align_corners false) that warp each
/// moving plane [P, 1, S, S] onto its fixed plane.
torch::Tensor register_planes(const torch::Tensor& moving, const torch::Tensor& fixed, const PropagateOptions& o = {});
}  // namespace cmems
