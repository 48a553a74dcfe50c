// Options of exemplar-guided synthesis (synthesis.*). Pixel lengths are given at a
// 256-pixel slice and scale with data.size (pixels_at, augment/options.hpp). Stage: synth.
#pragma once
#include "core/options.hpp"

namespace cmems {

/// The label outside the paste mask: Ignore (no loss), Background (0), or CrossPseudo (the
/// other model's confident pseudo-label of the background).
enum class SynthOutside { Ignore, Background, CrossPseudo };
CMEMS_ENUM_NAMES(SynthOutside,
                 {SynthOutside::Ignore, "ignore"},
                 {SynthOutside::Background, "background"},
                 {SynthOutside::CrossPseudo, "cross_pseudo"})

struct SynthOptions {
  double exemplar_prob = 0.25;
  SynthOutside outside = SynthOutside::Ignore;
  double rotation = 180.0;
  double scale_min = 0.8, scale_max = 1.25;
  double translate = 0.2;
  bool flip = true;
  double elastic = 0.0;
  double structure_scale = 0.4;
  double gamma = 0.3, contrast = 0.2, brightness = 0.1;
  bool match_stats = true;
  double dilate = 3.0;
  double feather = 1.5;

  void describe(OptionList& l) {
    l.add("exemplar_prob", exemplar_prob, "probability that a labeled item is the exemplar rather than a synthetic sample [spec: 0.25]", 0, 1);
    l.add("outside", outside, "label outside the pasted mask [ours, to measure]");
    l.add("rotation", rotation, "max rotation in degrees [ours]", 0, 180);
    l.add("scale_min", scale_min, "min scale [ours]", 0.1, 10);
    l.add("scale_max", scale_max, "max scale [ours]", 0.1, 10);
    l.add("translate", translate, "max shift, fraction of the size [ours]", 0, 1);
    l.add("flip", flip, "random flips and 90-degree turns [ours]");
    l.add("elastic", elastic, "elastic displacement in pixels of a 256-pixel slice (scaled with data.size), 0 = off [ours]", 0, 64);
    l.add("structure_scale", structure_scale, "each foreground structure of the pasted exemplar scaled on its own about its centre, by a factor log-uniform in [exp(-v), exp(v)], blended smoothly between structures: proportions between the structures other than the exemplar's; 0 = off; no effect with one foreground class [ours; chosen on ACDC val, measured on LA, docs/RESULTS.md]", 0, 1);
    l.add("gamma", gamma, "max |log gamma| of the exemplar [ours]", 0, 3);
    l.add("contrast", contrast, "max relative contrast change [ours]", 0, 1);
    l.add("brightness", brightness, "max brightness shift [ours]", 0, 1);
    l.add("match_stats", match_stats, "match the pasted region's mean/std to the background's [ours]");
    l.add("dilate", dilate, "paste-mask dilation radius in pixels of a 256-pixel slice (scaled with data.size) [ours]", 0, 64);
    l.add("feather", feather, "paste-mask feather sigma in pixels of a 256-pixel slice (scaled with data.size) [ours]", 0, 32);
  }
  void check() const {
    check_ranges(*this, "synthesis");
    CMEMS_CHECK(scale_min <= scale_max, "option --synthesis.scale-min: ", scale_min,
                " exceeds --synthesis.scale-max ", scale_max);
  }
};
}  // namespace cmems
