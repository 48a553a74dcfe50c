// Options of the data stage (data.*): the training slice size and where the labeled batch
// comes from. `labeled all` is the only setting under which training reads more than the
// exemplar's label (the `full` upper bound). Stage: data.
#pragma once
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "core/options.hpp"
#include "core/plane_context.hpp"
#include "core/slice_fit.hpp"

namespace cmems {

/// Exemplar: the exemplar alone; Synth: the exemplar and exemplar-guided synthesis; All:
/// every training label (upper bound, not exemplar-based).
enum class LabeledSource { Exemplar, Synth, All };
CMEMS_ENUM_NAMES(LabeledSource,
                 {LabeledSource::Exemplar, "exemplar"},
                 {LabeledSource::Synth, "synth"},
                 {LabeledSource::All, "all"})

struct DataOptions {
  int64_t size = 256;
  SliceFit fit = SliceFit::Stretch;
  LabeledSource labeled = LabeledSource::Synth;
  std::string holdout;
  double propagate_mm = 15;
  double propagate_step_mm = 2.5;
  int64_t context = 2;
  int64_t context_stride = 1;
  double context_mm = 2.5;

  PlaneContext plane_context() const { return {context, context_stride}; }

  /// With `context_mm` > 0, fixes `context_stride` for data whose planes lie `spacing_mm`
  /// apart: the whole number of planes nearest to `context_mm` (at least one); where the
  /// planes lie farther apart than `context_mm`, or the data does not say (0), the context is
  /// off (`context` 0). A run resolves this once, at its start, from its first exemplar's
  /// volume, and keeps the result in its configuration. Returns what it did, for the log
  /// ("" when there was nothing to resolve).
  std::string resolve_context(double spacing_mm) {
    if (context == 0 || context_mm <= 0) return "";
    if (!(spacing_mm > 0) || spacing_mm > context_mm * (1 + 1e-9)) {
      context = 0;
      return off("data.context", spacing_mm, "data.context_mm", context_mm);
    }
    context_stride = std::max<int64_t>(1, std::llround(context_mm / spacing_mm));
    std::ostringstream o;
    o << "data.context: every " << context_stride << " planes (" << spacing_mm << " mm apart)";
    return o.str();
  }

  /// With `propagate_step_mm` > 0, turns the propagation off (`propagate_mm` 0) for data
  /// whose planes lie farther apart than that, or whose spacing is unknown (0): the label is
  /// carried from plane to plane by registration, which needs neighbouring planes that look
  /// alike. Resolved once, at a run's start, like resolve_context. Returns what it did ("" when
  /// there was nothing to resolve).
  std::string resolve_propagation(double spacing_mm) {
    if (propagate_mm <= 0 || propagate_step_mm <= 0) return "";
    if (spacing_mm > 0 && spacing_mm <= propagate_step_mm * (1 + 1e-9)) return "";
    propagate_mm = 0;
    return off("data.propagate_mm", spacing_mm, "data.propagate_step_mm", propagate_step_mm);
  }

  /// The log line of a plane option turned off by the planes' spacing (0: unknown).
  static std::string off(const char* what, double spacing_mm, const char* limit, double limit_mm) {
    std::ostringstream o;
    o << what << " off: ";
    if (spacing_mm > 0)
      o << "planes " << spacing_mm << " mm apart, more than " << limit << " " << limit_mm << " mm";
    else
      o << "the data does not say how far apart its planes lie";
    return o.str();
  }

  void describe(OptionList& l) {
    l.add("size", size, "training slice size in pixels (square; four 2x poolings) [ref: SSL4MIS: 256]", 16, 4096, 16);
    l.add("fit", fit, "how a slice becomes size x size, for training and inference: each axis resized to the size (stretch), or one scale for both axes and zero padding (pad: the aspect ratio kept) [ref: SSL4MIS: stretch; ours, measured]");
    l.add("labeled", labeled, "labeled batch source: exemplar, exemplar + synthesis, or all labels (upper bound) [paper]");
    l.add("propagate_mm", propagate_mm, "exemplar methods: carry the exemplar's label by registration to the planes of its volume within this distance in mm, as extra labeled slices (NIfTI; 0 = off) [ref: Lai et al. 2022 barely-supervised propagation; ours, measured]", 0.0, 1000.0);
    l.add("propagate_step_mm", propagate_step_mm, "data.propagate_mm only where the exemplar volume's planes lie at most this far apart (mm; off on thicker planes, e.g. cine MRI's 5-10 mm, and where the data gives no spacing); 0 = at any spacing [ours: measured on 0.625 mm planes only]", 0.0, 1000.0);
    l.add("context", context, "neighbouring planes on each side given with a slice as extra input channels (2.5-D; 2 x context + 1 channels; the nearest existing plane at a volume's ends), in training and inference; 0 = the slice alone [ref: 2.5-D segmentation; ours, measured]", 0, 8);
    l.add("context_stride", context_stride, "planes between two input channels of data.context (e.g. 4 on 0.625 mm planes: 2.5 mm apart); set by data.context_mm where that is given [ours]", 1, 64);
    l.add("context_mm", context_mm, "the distance between two input channels of data.context in mm: at a run's start data.context_stride becomes the nearest whole number of planes of the exemplar's volume, and the context is off where its planes lie farther apart than this or the data gives no spacing (ACDC's prepared slices); 0 = data.context_stride as given [ours, measured]", 0.0, 100.0);
    l.add("holdout", holdout, "NIfTI: file naming training cases to hold out of training as split 'val', the one scored during training (one case per line, or nnU-Net's splits_final.json: fold 0's val); empty = none [ref: nnU-Net splits]");
  }
};
}  // namespace cmems
