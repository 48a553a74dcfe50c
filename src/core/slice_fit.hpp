// How a slice of any shape becomes the network's size×size input, and back: `stretch`
// resizes each axis to the size (the aspect ratio changes), `pad` scales both axes by one
// factor, size / max(h, w), and centres the result in a zero square (the aspect ratio is
// kept). Training (data/) and inference (infer/) place slices with the same box. Stage: core.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/options.hpp"

namespace cmems {

enum class SliceFit { Stretch, Pad };
CMEMS_ENUM_NAMES(SliceFit, {SliceFit::Stretch, "stretch"}, {SliceFit::Pad, "pad"})

/// Where an h×w slice lies inside the size×size square: rows [top, top + h), columns
/// [left, left + w) after resizing to h×w.
struct FitBox {
  int64_t h = 0, w = 0, top = 0, left = 0;
};

inline FitBox fit_box(int64_t h, int64_t w, int64_t size, SliceFit fit) {
  if (fit == SliceFit::Stretch) return {size, size, 0, 0};
  const double scale = double(size) / double(std::max(h, w));
  FitBox b;
  b.h = std::clamp<int64_t>(std::llround(double(h) * scale), 1, size);
  b.w = std::clamp<int64_t>(std::llround(double(w) * scale), 1, size);
  b.top = (size - b.h) / 2;
  b.left = (size - b.w) / 2;
  return b;
}
}  // namespace cmems
