// Options of inference (infer.*). Stage: infer.
#pragma once
#include "core/options.hpp"
#include "model/options.hpp"

namespace cmems {

/// The models whose softmax is averaged.
enum class InferModels { A, B, Both };
CMEMS_ENUM_NAMES(InferModels, {InferModels::A, "a"}, {InferModels::B, "b"}, {InferModels::Both, "both"})

struct InferOptions {
  InferModels models = InferModels::Both;
  bool tta = false;
  bool lcc = true;
  double keep_fraction = 0.3;
  bool assembly = true;
  double opening = 0.5;
  int64_t batch = 16;
  Amp amp = Amp::None;

  void describe(OptionList& l) {
    l.add("models", models, "models averaged at inference [spec: both]");
    l.add("tta", tta, "flip test-time augmentation [ours]");
    l.add("lcc", lcc, "keep each class's largest connected component (3D, face-connected), and those of at least infer.keep_fraction of it [ours; chosen on ACDC val, docs/RESULTS.md]");
    l.add("keep_fraction", keep_fraction, "with infer.lcc, each class also keeps its other connected components of at least this fraction of its largest one's voxels: a speck goes, a second large region stays; 1 = the largest alone [ours; chosen on ACDC val, docs/RESULTS.md]", 0.01, 1.0);
    l.add("assembly", assembly, "with infer.lcc, first the foreground of all classes together: only its connected component whose smallest class is largest stays (a stray region labelled as one class goes, however large); set at training from the exemplar: false where its structures do not form one connected whole (separate organs) or it has one class [ours; chosen on ACDC val, docs/RESULTS.md]");
    l.add("opening", opening, "before infer.lcc, each class opened relative to its own size (3D, in mm): its core deeper than this fraction of its thickest point's depth, the largest part of that core, and the class's voxels within that depth of it; what joins the structure through a thinner neck, or lies beside it, goes; 0 = off; off too where the volume's spacing is unknown (HDF5 data) or the radius spans under two voxels [ours; chosen on LA val, docs/RESULTS.md]", 0.0, 0.95);
    l.add("batch", batch, "slices per inference batch [ours]", 1, 4096);
    l.add("amp", amp, "autocast of the inference passes: none, or bf16 (GPU) [ref: torch.autocast]");
  }
};
}  // namespace cmems
