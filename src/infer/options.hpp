// Options of inference (infer.*). Stage: infer.
#pragma once
#include "core/options.hpp"

namespace cmems {

/// The models whose softmax is averaged.
enum class InferModels { A, B, Both };
CMEMS_ENUM_NAMES(InferModels, {InferModels::A, "a"}, {InferModels::B, "b"}, {InferModels::Both, "both"})

struct InferOptions {
  InferModels models = InferModels::Both;
  bool tta = false;
  bool lcc = true;
  int64_t batch = 16;

  void describe(OptionList& l) {
    l.add("models", models, "models averaged at inference [spec: both]");
    l.add("tta", tta, "flip test-time augmentation [ours]");
    l.add("lcc", lcc, "keep each class's largest connected component (3D, face-connected) [ours; chosen on ACDC val, docs/RESULTS.md]");
    l.add("batch", batch, "slices per inference batch [ours]", 1, 4096);
  }
};
}  // namespace cmems
