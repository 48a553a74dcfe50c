// The training iteration as a fixed program (perf.cuda_graph) [issue 34 item 4]: each
// iteration's batches are copied into buffers that stay put, the learning rate and the loss
// weights into device scalars filled in place, and the step (forwards, losses, backward,
// SGD) reads only those. On CUDA the step is captured once as a CUDA graph, after a few
// eager warm-up iterations on a side stream, and replayed: one launch for the ~3,000 ops of
// an iteration. Everywhere else (the CPU, a build without CUDA) the same buffers and scalars
// run eagerly, which is what the tests compare with the plain loop: what a capture records
// is that computation. Stage: train.
#pragma once
#include <torch/torch.h>

#include <memory>

#include "methods/method.hpp"
#include "train/sgd.hpp"

namespace cmems {

class StaticStep {
 public:
  /// `warmup`: eager iterations before the capture (CUDA: cuDNN autotuning, the allocator's
  /// first blocks and the momentum buffers happen outside the graph).
  StaticStep(Method& method, Sgd& opt, const torch::Device& dev, int64_t warmup = 3);
  ~StaticStep();
  StaticStep(const StaticStep&) = delete;
  StaticStep& operator=(const StaticStep&) = delete;

  /// One iteration at learning rate `lr`: the next batch in, the step, the SGD update. The
  /// statistics are device tensors that the next run() overwrites (read them before).
  StepStats run(const StepContext& ctx, double lr);
  /// Whether the step runs as a replayed CUDA graph now.
  bool captured() const;

 private:
  StepStats eager(const StepContext& ctx);
  Method& method_;
  Sgd& opt_;
  torch::Device dev_;
  int64_t warmup_, done_ = 0;
  Batch batch_;                   // the step's inputs, at fixed addresses
  torch::Tensor lr_, weights_;    // device scalars: [] and [Method::kLossWeights]
  StepStats stats_;               // a captured step's outputs
  struct Graph;                   // CUDA only
  std::unique_ptr<Graph> graph_;
};

/// Whether this build can capture CUDA graphs (LibTorch with CUDA).
bool cuda_graphs_built();
}  // namespace cmems
