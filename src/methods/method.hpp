// The Method interface: models, one training step (forward, losses, backward), and the
// registry of named methods. The generic loop (train/) owns iterations, LR schedule,
// logging and checkpoints and knows nothing of pseudo-labels. Stage: methods.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "data/slices.hpp"
#include "model/rng.hpp"
#include "model/unet.hpp"

namespace cmems {

struct StepContext {
  int64_t iteration = 0;  // 0-based index of this step
  int64_t total = 1;      // training length (for ramp-ups)
};

/// Named detached scalars of one step: "loss" (the total), every active "loss_<term>",
/// "coverage_<model>" (fraction of pseudo-labelled pixels above the threshold), weights.
using StepStats = std::vector<std::pair<std::string, torch::Tensor>>;

class Method {
 public:
  virtual ~Method() = default;
  /// The networks (one or two), in checkpoint order ("a", "b").
  virtual std::vector<UNet>& models() = 0;
  /// One step: samples its batches from the training data, computes the losses and calls
  /// backward(). Gradients are zeroed and applied by the caller.
  virtual StepStats step(const StepContext& ctx) = 0;
};

/// Builds networks as a run configures them (model A Kaiming, model B Xavier, seeded).
std::vector<UNet> make_models(const Config& c, int64_t num_classes, const torch::Device& dev);

using MethodFactory = std::function<std::unique_ptr<Method>(const Config&, const TrainingData&, Rng&)>;

/// The explicit registry: every method name of method_presets() maps to a factory.
const std::vector<std::pair<std::string, MethodFactory>>& method_registry();
std::unique_ptr<Method> make_method(const Config& c, const TrainingData& data, Rng& rng);

/// Whether a configuration reads every training label (only the `full` upper bound).
inline bool needs_all_labels(const Config& c) { return c.labeled == "all"; }
}  // namespace cmems
