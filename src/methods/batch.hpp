// The inputs of one training iteration, made apart from the step that uses them: the labeled
// batch, the unlabeled batch's weak view and each student's strong views. They come from a
// generator of their own (seeded from the run's seed), so that
//  - they can be made ahead on a second thread (and CUDA stream) while the step runs
//    (perf.producer) with bit-identical results [issue 34 item 3];
//  - every shape is fixed: each labeled item is the exemplar's weak view or a synthetic
//    sample, both are made and one is picked per item on the device, instead of a host draw
//    that changes the sub-batch sizes; nothing in the step reads the host [item 4].
// Stage: methods.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <future>
#include <memory>
#include <vector>

#include "augment/augment.hpp"
#include "core/rng.hpp"
#include "data/slices.hpp"
#include "methods/options.hpp"

namespace cmems {

struct LabeledBatch {
  torch::Tensor x;           // [B, 1, S, S]
  torch::Tensor y;           // [B, S, S] int64; kIgnore outside a synthetic item's paste
  torch::Tensor outside;     // [B, S, S] bool: pixels of synthetic items outside their paste (undefined without synthesis)
  torch::Tensor background;  // [B] int64: the unlabeled slice each synthetic item was pasted on (idem)
};

struct StrongBatch {
  torch::Tensor x;  // [U, 1, S, S] strong view of the weak view
  CutMixBoxes mix;
};

struct Batch {
  LabeledBatch labeled;
  torch::Tensor weak;                            // [U, 1, S, S] (undefined without consistency terms)
  std::vector<std::vector<StrongBatch>> strong;  // [model][view] (empty for CPS and without L_ip)
};

/// Calls f on every tensor of `b` (undefined ones too), in one fixed order.
void for_each_tensor(Batch& b, const std::function<void(torch::Tensor&)>& f);

/// Makes the batches of a run from its own generator: the same sequence whatever thread
/// calls make().
class BatchMaker {
 public:
  BatchMaker(const MethodOptions& o, const TrainingData& d);
  Batch make();
  Rng& rng() { return rng_; }

 private:
  LabeledBatch labeled();
  MethodOptions o_;
  const TrainingData& d_;
  torch::Device dev_;
  Rng rng_;
};

/// The run's batches in order: made when asked, or one made ahead on a second thread (and,
/// on CUDA, a stream of its own) while the caller's step runs. state() is the generator
/// state from which the next batch that next() returns is made (what a checkpoint keeps).
class BatchSource {
 public:
  BatchSource(const MethodOptions& o, const TrainingData& d, bool ahead);
  ~BatchSource();
  BatchSource(const BatchSource&) = delete;
  BatchSource& operator=(const BatchSource&) = delete;
  Batch next();
  torch::Tensor state();
  void set_state(const torch::Tensor& s);

 private:
  struct Made;
  Made make();
  void discard();
  BatchMaker maker_;
  bool ahead_;
  std::future<std::shared_ptr<Made>> pending_;
  torch::Tensor pending_state_;
};

/// The labeled targets of one model: `y` with the pixels outside synthetic items' pastes set
/// per synthesis.outside (ignore: unchanged; background: 0; cross_pseudo: `teacher`'s
/// confident label of the background slice, given as its pseudo-labels [B, S, S] and mask).
torch::Tensor labeled_targets(const LabeledBatch& b, SynthOutside outside, const torch::Tensor& teacher_label = {},
                              const torch::Tensor& teacher_mask = {});
}  // namespace cmems
