#include "train/static_step.hpp"

#include <ATen/autocast_mode.h>

#include "core/check.hpp"

#if defined(CMEMS_WITH_CUDA)  // set by CMake when LibTorch has CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace cmems {
namespace {
// The first batch makes the buffers (each tensor cloned with its memory format); later ones
// are copied into them. Every shape is fixed for a run (methods/batch.hpp).
void copy_batch(Batch& dst, Batch src, bool first) {
  if (first) {
    dst = std::move(src);
    for_each_tensor(dst, [](torch::Tensor& t) {
      if (t.defined()) t = t.clone(at::MemoryFormat::Preserve);
    });
    return;
  }
  std::vector<torch::Tensor*> to;
  std::vector<torch::Tensor> from;
  for_each_tensor(dst, [&](torch::Tensor& t) { to.push_back(&t); });
  for_each_tensor(src, [&](torch::Tensor& t) { from.push_back(t); });
  const char* changed = "perf.cuda_graph: a batch changed its layout between iterations";
  CMEMS_CHECK(to.size() == from.size(), changed);
  for (size_t i = 0; i < to.size(); ++i) {
    const torch::Tensor& s = from[i];
    CMEMS_CHECK(to[i]->defined() == s.defined() && (!s.defined() || to[i]->sizes() == s.sizes()), changed);
    if (s.defined()) to[i]->copy_(s, /*non_blocking=*/true);
  }
}
}  // namespace

#if defined(CMEMS_WITH_CUDA)
struct StaticStep::Graph {
  at::cuda::CUDAGraph graph;
};
bool cuda_graphs_built() { return true; }
#else
struct StaticStep::Graph {};
bool cuda_graphs_built() { return false; }
#endif

StaticStep::StaticStep(Method& method, Sgd& opt, const torch::Device& dev, int64_t warmup)
    : method_(method), opt_(opt), dev_(dev), warmup_(warmup) {
  CMEMS_CHECK(!dev.is_cuda() || cuda_graphs_built(),
              "perf.cuda_graph: this build of cmems has no CUDA graphs (LibTorch without CUDA)");
  const auto f = torch::TensorOptions().dtype(torch::kFloat).device(dev);
  lr_ = torch::zeros({}, f);
  weights_ = torch::zeros({Method::kLossWeights}, f);
  opt_.set_lr(lr_);
}

StaticStep::~StaticStep() { opt_.set_lr(opt_.lr()); }  // the optimiser reads a host rate again

bool StaticStep::captured() const { return graph_ != nullptr; }

StepStats StaticStep::eager(const StepContext& ctx) {
  opt_.zero_grad();
  StepStats s = method_.step_on(ctx, batch_);
  opt_.step();
  return s;
}

StepStats StaticStep::run(const StepContext& ctx, double lr) {
  copy_batch(batch_, method_.next_batch(), done_ == 0);
  // the scalars filled in place: fill_ takes the value as a kernel argument (no host copy,
  // no wait); what the step reads stays at the same address
  lr_.fill_(lr);
  const std::vector<double> w = method_.loss_weights(ctx);
  for (int64_t k = 0; k < Method::kLossWeights; ++k) weights_.select(0, k).fill_(w[size_t(k)]);
  StepContext c = ctx;
  c.weights = weights_;
  ++done_;
  if (!dev_.is_cuda()) return eager(c);
#if defined(CMEMS_WITH_CUDA)
  if (graph_) {
    graph_->graph.replay();
    return stats_;
  }
  // Warm-up and capture on a side stream (PyTorch's recipe for whole-network capture); the
  // current stream waits for the work before and after.
  auto cur = c10::cuda::getCurrentCUDAStream(dev_.index());
  auto side = c10::cuda::getStreamFromPool(false, dev_.index());
  side.synchronize(), cur.synchronize();
  StepStats s;
  {
    c10::cuda::CUDAStreamGuard on_side(side);
    if (done_ <= warmup_) {
      s = eager(c);
    } else {
      // Autocast's cache of cast weights would be freed inside the capture: off for the run.
      at::autocast::set_autocast_cache_enabled(false);
      opt_.zero_grad();  // backward writes the gradients afresh, into the graph's memory
      graph_ = std::make_unique<Graph>();
      // thread-local capture: the batch producer's thread keeps working on its own stream
      graph_->graph.capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
      stats_ = method_.step_on(c, batch_);
      opt_.step();
      graph_->graph.capture_end();
      graph_->graph.replay();  // a capture records and does not run: this iteration's step
      s = stats_;
    }
  }
  side.synchronize();
  return s;
#else
  return eager(c);
#endif
}
}  // namespace cmems
