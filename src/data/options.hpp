// Options of the data stage (data.*): the training slice size and where the labeled batch
// comes from. `labeled all` is the only setting under which training reads more than the
// exemplar's label (the `full` upper bound). Stage: data.
#pragma once
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
  double propagate_mm = 0;
  int64_t context = 0;
  int64_t context_stride = 1;

  PlaneContext plane_context() const { return {context, context_stride}; }

  void describe(OptionList& l) {
    l.add("size", size, "training slice size in pixels (square; four 2x poolings) [ref: SSL4MIS: 256]", 16, 4096, 16);
    l.add("fit", fit, "how a slice becomes size x size, for training and inference: each axis resized to the size (stretch), or one scale for both axes and zero padding (pad: the aspect ratio kept) [ref: SSL4MIS: stretch; ours, measured]");
    l.add("labeled", labeled, "labeled batch source: exemplar, exemplar + synthesis, or all labels (upper bound) [paper]");
    l.add("propagate_mm", propagate_mm, "exemplar methods: carry the exemplar's label by registration to the planes of its volume within this distance in mm, as extra labeled slices (NIfTI; 0 = off) [ref: Lai et al. 2022 barely-supervised propagation; ours, measured]", 0.0, 1000.0);
    l.add("context", context, "neighbouring planes on each side given with a slice as extra input channels (2.5-D; 2 x context + 1 channels; the nearest existing plane at a volume's ends), in training and inference; 0 = the slice alone [ref: 2.5-D segmentation; ours, measured]", 0, 8);
    l.add("context_stride", context_stride, "planes between two input channels of data.context (e.g. 4 on 0.625 mm planes: 2.5 mm apart) [ours]", 1, 64);
    l.add("holdout", holdout, "NIfTI: file naming training cases to hold out of training as split 'val', the one scored during training (one case per line, or nnU-Net's splits_final.json: fold 0's val); empty = none [ref: nnU-Net splits]");
  }
};
}  // namespace cmems
