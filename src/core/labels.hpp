// The label value that marks a pixel as unlabeled: it never counts in a loss (losses/),
// synthesis writes it outside the paste mask (synth/), and overlays leave it uncoloured.
// Stage: core.
#pragma once
#include <cstdint>

namespace cmems {
constexpr int64_t kIgnore = 255;
}  // namespace cmems
