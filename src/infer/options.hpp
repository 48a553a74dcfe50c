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
  int64_t batch = 16;
  Amp amp = Amp::None;

  void describe(OptionList& l) {
    l.add("models", models, "models averaged at inference [spec: both]");
    l.add("tta", tta, "flip test-time augmentation [ours]");
    l.add("lcc", lcc, "keep each class's largest connected component (3D, face-connected) [ours; chosen on ACDC val, docs/RESULTS.md]");
    l.add("batch", batch, "slices per inference batch [ours]", 1, 4096);
    l.add("amp", amp, "autocast of the inference passes: none, or bf16 (GPU) [ref: torch.autocast]");
  }
};
}  // namespace cmems
