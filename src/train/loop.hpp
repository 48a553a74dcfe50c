// The generic training loop: iterations, poly LR schedule, SGD, logging (metrics.jsonl and
// a live progress line), checkpoint cadence, resume, stop requests and non-finite-loss
// detection. It knows nothing of pseudo-labels: methods do the step. Stage: train.
#pragma once
#include <atomic>
#include <functional>
#include <string>

#include "core/config.hpp"
#include "data/slices.hpp"
#include "model/unet.hpp"
#include "train/checkpoint.hpp"

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
  ValidationFn validate;                       // called every c.val_every iterations, if set
};

struct TrainResult {
  int64_t iterations_done = 0;
  bool interrupted = false;
  double seconds = 0;
  double last_loss = 0;
};

/// Trains per `c` on `data`; writes metrics.jsonl, checkpoint.safetensors and
/// weights.safetensors into the run folder. Throws Error on a non-finite loss (the last
/// good checkpoint is kept).
TrainResult train(const Config& c, const TrainingData& data, const RunInfo& info, const TrainOptions& o);

/// Poly schedule: lr·(1 − it/total)^power [ref: SSL4MIS].
double poly_lr(const Config& c, int64_t iteration);
}  // namespace cmems
