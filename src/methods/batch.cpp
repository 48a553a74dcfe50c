#include "methods/batch.hpp"

#include <ATen/record_function.h>
#include <c10/core/Event.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include <functional>
#include <optional>

#include "model/device.hpp"
#include "synth/synth.hpp"

namespace cmems {
namespace {
// The batches' generator: apart from the run's (model dropout and feature noise), seeded
// from the same seed.
uint64_t batch_seed(int64_t seed) { return static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ULL + 0x5EEDULL; }

}  // namespace

void for_each_tensor(Batch& b, const std::function<void(torch::Tensor&)>& f) {
  for (auto* t : {&b.labeled.x, &b.labeled.y, &b.labeled.outside, &b.labeled.background, &b.weak}) f(*t);
  for (auto& views : b.strong)
    for (auto& v : views)
      for (auto* t : {&v.x, &v.mix.box, &v.mix.partner}) f(*t);
}

BatchMaker::BatchMaker(const MethodOptions& o, const TrainingData& d)
    : o_(o), d_(d), dev_(d.unlabeled.device()), rng_(batch_seed(o.seed), dev_) {}

LabeledBatch BatchMaker::labeled() {
  const int64_t b = o_.batch.labeled;
  const bool synth = o_.data.labeled == LabeledSource::Synth;
  const double p_ex = synth ? o_.synthesis.exemplar_prob : 1.0;
  LabeledBatch out;
  if (p_ex > 0) {  // weak views of labeled slices (the exemplar, or any for `full`)
    auto idx = rng_.integers({b}, d_.labeled_images.size(0), dev_);
    auto g = sample_weak(o_.weak, b, rng_, dev_);
    out.x = apply_geometric_image(d_.labeled_images.index_select(0, idx), g);
    out.y = apply_geometric_label(d_.labeled_labels.index_select(0, idx), g);
  }
  if (p_ex < 1) {  // synthetic samples, and per item which of the two it gets
    auto p = sample_synth(o_.synthesis, b, d_.unlabeled.size(-1), d_.unlabeled.size(0), rng_, dev_, d_.num_exemplars,
                          d_.num_classes);
    auto sb = synthesize(o_.synthesis, d_.exemplar_images(), d_.exemplar_labels(), d_.unlabeled, d_.num_classes, p);
    auto syn = torch::ones({b}, torch::TensorOptions().dtype(torch::kBool).device(dev_));
    if (out.x.defined()) {
      syn = rng_.uniform({b}, 0, 1, dev_) >= p_ex;
      out.x = torch::where(syn.view({b, 1, 1, 1}), sb.image, out.x);
      out.y = torch::where(syn.view({b, 1, 1}), sb.label, out.y);
    } else {
      out.x = sb.image, out.y = sb.label;
    }
    out.outside = syn.view({b, 1, 1}).logical_and(sb.inside.logical_not());
    out.background = p.background;
  }
  out.x = in_format(out.x, o_.perf.channels_last);
  return out;
}

Batch BatchMaker::make() {
  RECORD_USER_SCOPE("cmems::batch");  // stage marks: `cmems bench` counts operators per stage
  torch::NoGradGuard no_grad;
  Batch b;
  b.labeled = labeled();
  const bool ip = o_.ip.mode != Consistency::None, fp = o_.fp.mode != Consistency::None;
  if (!ip && !fp) return b;
  auto idx = rng_.integers({o_.batch.unlabeled}, d_.unlabeled.size(0), dev_);
  b.weak = in_format(apply_geometric_image(d_.unlabeled.index_select(0, idx), sample_weak(o_.weak, idx.size(0), rng_, dev_)),
                     o_.perf.channels_last);
  if (!ip || o_.ip.student == IpStudent::Weak) return b;  // CPS's students predict the weak view
  // Every student's views in one draw and one batch of operations: view k of student s is
  // group s·views + k.
  const int64_t u = b.weak.size(0), nv = o_.ip.views;
  auto sp = sample_strong(o_.strong, u, b.weak.size(-1), rng_, dev_, o_.models * nv);
  auto xs = apply_strong(b.weak, sp);
  b.strong.resize(size_t(o_.models));
  for (int64_t s = 0; s < o_.models; ++s)
    for (int64_t v = 0; v < nv; ++v) {
      const int64_t at = (s * nv + v) * u;
      CutMixBoxes mix{sp.mix.box.narrow(0, at, u), sp.mix.partner.narrow(0, at, u)};
      b.strong[size_t(s)].push_back({in_format(xs.narrow(0, at, u), o_.perf.channels_last), mix});
    }
  return b;
}

// A batch made on the producer's thread, and on CUDA the event its stream recorded after it.
struct BatchSource::Made {
  Batch batch;
  std::optional<c10::Event> ready;
};

BatchSource::BatchSource(const MethodOptions& o, const TrainingData& d, bool ahead) : maker_(o, d), ahead_(ahead) {}

BatchSource::~BatchSource() { discard(); }

void BatchSource::discard() {
  if (pending_.valid()) {
    try {
      pending_.get();
    } catch (...) {  // a batch no one will use: its error does not matter
    }
  }
}

BatchSource::Made BatchSource::make() {
  Made m;
  const torch::Device dev = maker_.rng().device();
  if (!dev.is_cuda()) {
    m.batch = maker_.make();
    return m;
  }
  // On CUDA, the producer's kernels go to a stream of its own; the step waits for its event.
  c10::impl::VirtualGuardImpl impl(dev.type());
  c10::StreamGuard on_side(impl.getStreamFromGlobalPool(dev));
  m.batch = maker_.make();
  m.ready.emplace(dev.type());
  m.ready->record(impl.getStream(dev));
  return m;
}

Batch BatchSource::next() {
  std::shared_ptr<Made> m;
  if (pending_.valid()) {
    m = pending_.get();
  } else {
    m = std::make_shared<Made>(make());
  }
  if (m->ready) {  // the caller's stream waits for the producer's work, and keeps its memory alive
    const torch::Device dev = maker_.rng().device();
    c10::impl::VirtualGuardImpl impl(dev.type());
    const c10::Stream cur = impl.getStream(dev);
    m->ready->block(cur);
    for_each_tensor(m->batch, [&](torch::Tensor& t) {
      if (t.defined()) t.record_stream(cur);
    });
  }
  if (ahead_) {
    pending_state_ = maker_.rng().state();
    pending_ = std::async(std::launch::async, [this] { return std::make_shared<Made>(make()); });
  }
  return std::move(m->batch);
}

torch::Tensor BatchSource::state() { return pending_.valid() ? pending_state_ : maker_.rng().state(); }

void BatchSource::set_state(const torch::Tensor& s) {
  discard();
  maker_.rng().set_state(s);
}

torch::Tensor labeled_targets(const LabeledBatch& b, SynthOutside outside, const torch::Tensor& teacher_label,
                              const torch::Tensor& teacher_mask) {
  if (!b.outside.defined() || outside == SynthOutside::Ignore) return b.y;
  if (outside == SynthOutside::Background) return b.y.masked_fill(b.outside, 0);
  return torch::where(b.outside.logical_and(teacher_mask > 0.5), teacher_label, b.y);
}
}  // namespace cmems
