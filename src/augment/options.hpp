// Options of the weak (weak.*) and strong (strong.*) perturbations. Stage: augment.
#pragma once
#include "core/options.hpp"

namespace cmems {

/// A length given in pixels of a 256-pixel slice (blur, paste dilation and feather, elastic
/// displacement) in pixels of a `size`-pixel slice, so that presets hold at any size.
inline double pixels_at(double pixels_at_256, int64_t size) { return pixels_at_256 * double(size) / 256.0; }

/// Ssl4mis: one of turn+flip (p 1/2) / rotation (p 1/4) / nothing, then the scale-crop;
/// All: every item gets a turn, flip, rotation and scale-crop.
enum class WeakMode { Ssl4mis, All };
CMEMS_ENUM_NAMES(WeakMode, {WeakMode::Ssl4mis, "ssl4mis"}, {WeakMode::All, "all"})

struct WeakOptions {
  WeakMode mode = WeakMode::Ssl4mis;
  bool dihedral = true;
  double rotation = 20.0, scale_min = 0.8, scale_max = 1.2;

  void describe(OptionList& l) {
    l.add("mode", mode, "weak geometric perturbation: every item gets a 90-degree turn, flip, rotation and scale-crop (all), or one of turn+flip (p 1/2) / rotation (p 1/4) / nothing, then the scale-crop (ssl4mis) [ref: SSL4MIS RandomGenerator; ours: measured, docs/RESULTS.md]");
    l.add("dihedral", dihedral, "90-degree turns and flips; false keeps the slices' orientation (the turn+flip branch of ssl4mis does nothing) [ref: SSL4MIS: true; ours, measured]");
    l.add("rotation", rotation, "max rotation in degrees [ref: SSL4MIS: 20]", 0, 180);
    l.add("scale_min", scale_min, "min scale-crop factor [ref: UniMatch, ours]", 0.1, 10);
    l.add("scale_max", scale_max, "max scale-crop factor [ref: UniMatch, ours]", 0.1, 10);
  }
  void check() const {
    check_ranges(*this, "weak");
    CMEMS_CHECK(scale_min <= scale_max, "option --weak.scale-min: ", scale_min, " exceeds --weak.scale-max ",
                scale_max);
  }
};

struct StrongOptions {
  double color_prob = 0.8, brightness = 0.3, contrast = 0.3, gamma = 0.3;
  double blur_prob = 0.5, blur_sigma = 1.5;  // sigma in pixels of a 256-pixel slice
  double noise = 0.03, cutmix_prob = 1.0;

  void describe(OptionList& l) {
    l.add("color_prob", color_prob, "photometric jitter probability [ref: UniMatch: 0.8]", 0, 1);
    l.add("brightness", brightness, "max brightness shift [ref: UniMatch: 0.5, ours]", 0, 1);
    l.add("contrast", contrast, "max relative contrast change [ref: UniMatch: 0.5, ours]", 0, 1);
    l.add("gamma", gamma, "max |log gamma| [ours]", 0, 3);
    l.add("blur_prob", blur_prob, "Gaussian blur probability [ref: UniMatch: 0.5]", 0, 1);
    l.add("blur_sigma", blur_sigma, "max blur sigma in pixels of a 256-pixel slice (scaled with data.size) [ref: UniMatch: 2.0, ours]", 0.1, 16);
    l.add("noise", noise, "max Gaussian noise std [ours]", 0, 1);
    l.add("cutmix_prob", cutmix_prob, "CutMix probability [ref: UniMatch: 0.5; 1.0 chosen on ACDC val, docs/RESULTS.md]", 0, 1);
  }
  void check() const { check_ranges(*this, "strong"); }
};
}  // namespace cmems
