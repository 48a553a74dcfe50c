// Synthetic cardiac-MRI-like short-axis volumes (cmems phantom), in the nnU-Net v2 raw
// layout. Each case: 8-14 slices from base to apex; a bright LV blood pool inside a darker
// myocardial ring, a bright RV crescent beside it, both shrinking toward the apex (RV
// vanishes first); body outline, textured tissue and bright distractors (vessels) outside
// the heart; random position, rotation, scale, contrast (gamma), Rician noise, a smooth
// multiplicative bias field, partial-volume blur, and anisotropic spacing in the header.
// Deterministic for a seed: case i depends only on (seed, i). Stage: phantom (torch-free).
#pragma once
#include <cstdint>
#include <string>

#include "io/volume.hpp"

namespace cmems {

struct PhantomOptions {
  int64_t cases = 16;       // training cases (imagesTr/labelsTr)
  int64_t test_cases = 6;   // test cases (imagesTs/labelsTs)
  uint64_t seed = 0;
};

struct PhantomCase {
  ImageVolume image;  // raw MRI-like intensities (arbitrary units, ~0..1000)
  LabelVolume label;  // 0 background, 1 RV, 2 Myo, 3 LV
};

/// The case with index `index` for `seed`.
PhantomCase make_phantom_case(uint64_t seed, int64_t index);

/// Writes dataset.json, imagesTr/, labelsTr/, imagesTs/, labelsTs/ under `out`.
/// Case names: phantom_NNN (training NNN < cases, test from 500 on).
void write_phantom_dataset(const std::string& out, const PhantomOptions& opts);
}  // namespace cmems
