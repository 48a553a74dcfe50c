// The generic training loop: iterations, poly LR schedule, SGD, logging (metrics.jsonl and
// a live progress line), checkpoint cadence, resume, stop requests and non-finite-loss
// detection. It knows nothing of pseudo-labels: methods do the step. Stage: train.
#pragma once
#include <atomic>
#include <functional>
#include <string>

#include "data/slices.hpp"
#include "methods/options.hpp"
#include "model/unet.hpp"
#include "train/checkpoint.hpp"
#include "train/options.hpp"

namespace cmems {

/// Scores the models (in eval mode) on held-out data; returns fields for metrics.jsonl.
using ValidationFn = std::function<nlohmann::json(std::vector<UNet>& models)>;

struct TrainOptions {
  std::string run_dir;
  bool resume = false;
  bool live_progress = true;                   // redraw one line (\r) rather than print lines
  const std::atomic<bool>* stop = nullptr;     // set by SIGINT/SIGTERM handlers
  int64_t stop_at = -1;                        // end this invocation at this iteration, as a
                                               // stop request would (checkpoint, resumable)
  ValidationFn validate;                       // called every run.val_every iterations, if set
};

struct TrainResult {
  int64_t iterations_done = 0;
  bool interrupted = false;
  double seconds = 0;
  double last_loss = 0;
};

/// Trains the method `method` describes on `data` for run.iterations (seeded by
/// method.seed; logging, checkpoints and validation at run's cadences); writes metrics.jsonl,
/// checkpoint.safetensors and weights.safetensors into the run folder. Throws Error on a
/// non-finite loss (the last good checkpoint is kept).
TrainResult train(const RunOptions& run, const OptimOptions& optim, const MethodOptions& method,
                  const TrainingData& data, const RunInfo& info, const TrainOptions& o);

/// Poly schedule: lr·(1 − it/total)^power [ref: SSL4MIS].
double poly_lr(const OptimOptions& o, int64_t iteration, int64_t total);
}  // namespace cmems
