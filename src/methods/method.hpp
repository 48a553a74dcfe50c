// The Method interface: models, one training step (forward, losses, backward), and the
// factory that builds the one implementation every named method is a preset of. The
// generic loop (train/) owns iterations, LR schedule, logging and checkpoints and knows
// nothing of pseudo-labels. Stage: methods.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "data/slices.hpp"
#include "methods/batch.hpp"
#include "methods/options.hpp"
#include "model/unet.hpp"

namespace cmems {

struct StepContext {
  int64_t iteration = 0;  // 0-based index of this step
  int64_t total = 1;      // training length (for ramp-ups)
  /// Where defined: the loss weights of this step as device scalars ([kLossWeights] float,
  /// Method::loss_weights' order), which the step reads in place of the host values it
  /// computes from iteration and total: a captured step (perf.cuda_graph) replays with the
  /// weights filled in before each replay.
  torch::Tensor weights;
};

/// Named detached scalars of one step: "loss" (the total), every active "loss_<term>",
/// "coverage_<model>" (fraction of pseudo-labelled pixels above the threshold), weights.
using StepStats = std::vector<std::pair<std::string, torch::Tensor>>;

class Method {
 public:
  virtual ~Method() = default;
  /// The networks (one or two), in checkpoint order ("a", "b").
  virtual std::vector<UNet>& models() = 0;
  /// One step: takes its batches (made from their own generator, perhaps ahead on another
  /// thread), computes the losses and calls backward(). Gradients are zeroed and applied
  /// by the caller.
  StepStats step(const StepContext& ctx) { return step_on(ctx, next_batch()); }
  /// The two halves of step(): the next batches in the run's order, and the step on given
  /// batches (a captured step reads them from buffers that stay put).
  virtual Batch next_batch() = 0;
  virtual StepStats step_on(const StepContext& ctx, const Batch& batch) = 0;
  /// The loss weights of step `ctx` as the host computes them (the ramp-ups of L_ip, L_fp).
  static constexpr int64_t kLossWeights = 2;
  virtual std::vector<double> loss_weights(const StepContext& ctx) const = 0;
  /// The random state that makes the next step's batches (methods/batch.hpp), for checkpoints.
  virtual torch::Tensor batch_state() = 0;
  virtual void set_batch_state(const torch::Tensor& s) = 0;
};

/// The options of network `m` (0 = "a") of a run: its width, classes, input channels
/// (data.context) and initialisation (with model.init kaiming_xavier, model A Kaiming, model B Xavier).
UNetOptions unet_options(const ModelOptions& o, int64_t num_classes, int64_t m, int64_t in_channels = 1);

/// Builds `count` networks as a run configures them, each seeded from `seed`, on `dev`.
std::vector<UNet> make_models(const ModelOptions& o, int64_t count, int64_t seed, bool channels_last,
                              int64_t num_classes, const torch::Device& dev, int64_t in_channels = 1);

/// Builds the method: every named method (methods/presets.hpp) is this one implementation
/// under its preset's options; checks the options first.
std::unique_ptr<Method> make_method(const MethodOptions& o, const TrainingData& data, Rng& rng);
}  // namespace cmems
