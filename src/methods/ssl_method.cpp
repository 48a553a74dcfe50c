// One configurable semi-supervised method covering every method of docs/method.md:
// supervised, supervised-synth, fixmatch, unimatch, cps, cmems-ip, cmems-fp, cmems, full.
//
// One normalisation for every method [spec; docs/method.md "total"]: each model m has its own loss
//   ℓ^m = w_sup·ℓ_sup^m + λ_ip(t)·ℓ_ip^m + λ_fp(t)·ℓ_fp^m,   L = Σ_m ℓ^m,
// ℓ_sup^m = ℓ(f_m(x_L), y_L) (deep-supervised over the heads L_fp compares, when on),
// ℓ_ip^m = image_perturbation_loss, ℓ_fp^m = feature_perturbation_loss (losses/), each
// taught by teacher_of(m): the other model (cross) or m itself (self). Pseudo-labels come
// from the weak view (no gradient), from the student's pass or a pass without dropout
// (`pseudo.teacher`). The labeled batch and the weak view pass each network as two batches,
// or as one that shares BatchNorm statistics (`batch.forward`). Baselines keep their
// published weights through the options their preset sets (UniMatch: w_sup ½, λ_ip ½ over
// two views, λ_fp ¼, no ramp-up). Stage: methods.
#include <ATen/record_function.h>

#include <cmath>

#include "augment/augment.hpp"
#include "methods/batch.hpp"
#include "losses/losses.hpp"
#include "model/device.hpp"
#include "methods/method.hpp"
#include "synth/synth.hpp"

namespace cmems {
namespace {

Pairing pairing(Consistency mode) { return mode == Consistency::Cross ? Pairing::Cross : Pairing::Self; }

class SslMethod final : public Method {
 public:
  SslMethod(const MethodOptions& o, const TrainingData& d, Rng& rng)
      : o_(o), d_(d), rng_(rng), dev_(d.unlabeled.device()),
        nets_(make_models(o.model, o.models, o.seed, o.perf.channels_last, d.num_classes, dev_, d.unlabeled.size(1))),
        batches_(o, d, o.perf.producer) {
    fp_.kind = o.fp.kind;
    fp_.dropout = o.fp.dropout;
    fp_.noise = o.fp.noise;
    if (o.fp.levels == FpLevels::Deepest) fp_.levels = {false, false, false, false, true};
  }

  std::vector<UNet>& models() override { return nets_; }
  torch::Tensor batch_state() override { return batches_.state(); }
  void set_batch_state(const torch::Tensor& s) override { batches_.set_state(s); }

  Batch next_batch() override { return batches_.next(); }  // made outside autocast, as on the producer's thread

  std::vector<double> loss_weights(const StepContext& ctx) const override {
    return {rampup_weight(ctx.iteration, ctx.total, o_.loss.rampup, o_.ip.lambda),
            rampup_weight(ctx.iteration, ctx.total, o_.loss.rampup, o_.fp.lambda)};
  }

  StepStats step_on(const StepContext& ctx, const Batch& batch) override {
    StepStats stats;
    torch::Tensor total;
    {  // forward passes and losses under autocast (perf.amp); backward after it
      AutocastGuard amp(dev_, o_.perf.amp == Amp::BF16);
      total = losses(ctx, batch, stats);
    }
    {
      RECORD_USER_SCOPE("cmems::backward");  // stage marks: `cmems bench` counts operators per stage
      total.backward();
    }
    stats.insert(stats.begin(), {"loss", total.detach()});
    return stats;
  }

 private:
  torch::Tensor losses(const StepContext& ctx, const Batch& batch, StepStats& stats) {
    const int64_t n = int64_t(nets_.size());
    const bool ip = o_.ip.mode != Consistency::None, fp = o_.fp.mode != Consistency::None;
    const torch::Tensor& x_l = batch.labeled.x;
    const torch::Tensor& x_w = batch.weak;  // the unlabeled batch's weak view
    const std::vector<torch::Tensor> y_l = labeled_targets(batch.labeled);
    // --- the labeled batch's heads (deep-supervised where L_fp compares auxiliary heads) and
    // the weak view's pass: as two batches, or as one (batch.forward) ---
    std::vector<std::vector<torch::Tensor>> heads(n);
    WeakPass w;
    {
      RECORD_USER_SCOPE("cmems::forward");
      if (x_w.defined() && o_.batch.forward == BatchForward::Joint) {
        w = joint_pass(x_l, x_w, heads);
      } else {
        for (int64_t m = 0; m < n; ++m) heads[m] = nets_[m]->decode(nets_[m]->encode(x_l), sup_aux());
        if (x_w.defined()) w = weak_pass(x_w);
      }
      if (o_.pseudo.agree) mask_disagreement(w.pl);
    }
    RECORD_USER_SCOPE("cmems::losses");  // the rest, but for the strong views' making and passes
    // every model's supervised term in one batched loss (losses/: the same maths per model)
    torch::Tensor sup = o_.loss.sup_weight * multi_head_losses(heads, y_l).sum();
    stats.emplace_back("loss_sup", sup.detach());
    torch::Tensor total = sup;
    if (x_w.defined()) {
      for (int64_t m = 0; m < n; ++m) stats.emplace_back(std::string("coverage_") + char('a' + m), w.pl[m].mask.mean());
      // the ramp-up weights: host values, or the device scalars of a captured step (the same
      // float product either way)
      const std::vector<double> host_w = ctx.weights.defined() ? std::vector<double>{} : loss_weights(ctx);
      auto add = [&](const char* name, const std::vector<torch::Tensor>& per_model, int64_t k) {
        auto loss = torch::stack(per_model).sum();
        stats.emplace_back(std::string("loss_") + name, loss.detach());
        if (ctx.weights.defined()) {
          auto weight = ctx.weights.select(0, k);
          total = total + weight * loss;
          stats.emplace_back(std::string("weight_") + name, weight);
        } else {
          total = total + host_w[size_t(k)] * loss;
          stats.emplace_back(std::string("weight_") + name, torch::tensor(host_w[size_t(k)]));
        }
      };
      if (ip) add("ip", image_perturbation_losses(strong_views(batch, w), w.pl, pairing(o_.ip.mode)), 0);
      if (fp) add("fp", feature_perturbation_losses(w.fp_heads, w.pl, pairing(o_.fp.mode)), 1);
    }
    return total;
  }

  bool aux_heads() const { return o_.fp.mode != Consistency::None && o_.fp.heads == FpHeads::All; }
  bool sup_aux() const { return aux_heads() && o_.loss.deep_supervision; }  // the labeled batch's heads
  bool cps() const { return o_.ip.mode != Consistency::None && o_.ip.student == IpStudent::Weak; }  // the student predicts the weak view

  // Every model's pass over the weak view: the perturbed-feature heads (L_fp), the clean
  // logits where a loss or the pseudo-labels need them, and the pseudo-labels.
  struct WeakPass {
    std::vector<torch::Tensor> clean;
    std::vector<std::vector<torch::Tensor>> fp_heads;
    std::vector<PseudoLabels> pl;
  };
  WeakPass weak_pass(const torch::Tensor& x_w) {
    const int64_t n = int64_t(nets_.size());
    const bool own_pl = o_.pseudo.teacher == Teacher::Student;  // pseudo-labels from the student's own pass
    WeakPass w{std::vector<torch::Tensor>(n), std::vector<std::vector<torch::Tensor>>(n), {}};
    for (int64_t m = 0; m < n; ++m) {
      if (o_.fp.mode != Consistency::None) {
        auto mode = cps() ? CleanDecode::WithGrad : own_pl ? CleanDecode::NoGrad : CleanDecode::Skip;
        auto o = forward_with_feature_perturbation(nets_[m], x_w, fp_, aux_heads(), rng_, mode);
        w.clean[m] = o.clean, w.fp_heads[m] = std::move(o.perturbed);
      } else if (cps()) {
        w.clean[m] = nets_[m]->forward(x_w);
      } else if (own_pl) {
        torch::NoGradGuard g;
        w.clean[m] = nets_[m]->forward(x_w);
      }
      RECORD_USER_SCOPE("cmems::losses");  // pseudo-labels
      w.pl.push_back(make_pseudo_labels(own_pl ? w.clean[m] : forward_without_dropout(nets_[m], x_w), o_.pseudo.threshold));
    }
    return w;
  }

  // batch.forward joint: per model, the labeled batch and the weak view through one encoder
  // pass and one clean decoder pass (shared BatchNorm statistics, as UniMatch and SSL4MIS's
  // CPS batch them); `heads` gets the labeled part of every head. The weak part's perturbed
  // features are decoded as a batch of their own, as in weak_pass.
  WeakPass joint_pass(const torch::Tensor& x_l, const torch::Tensor& x_w, std::vector<std::vector<torch::Tensor>>& heads) {
    const int64_t n = int64_t(nets_.size()), b = x_l.size(0), u = x_w.size(0);
    const bool own_pl = o_.pseudo.teacher == Teacher::Student;
    WeakPass w{std::vector<torch::Tensor>(n), std::vector<std::vector<torch::Tensor>>(n), {}};
    const auto x = in_format(torch::cat({x_l, x_w}, 0), o_.perf.channels_last);
    for (int64_t m = 0; m < n; ++m) {
      auto feats = nets_[m]->encode(x);
      if (o_.fp.mode != Consistency::None) {
        std::vector<torch::Tensor> weak_feats;
        for (auto& f : feats) weak_feats.push_back(f.narrow(0, b, u));
        w.fp_heads[m] = decode_perturbed(nets_[m], weak_feats, fp_, aux_heads(), rng_);
      }
      auto all = nets_[m]->decode(feats, sup_aux());
      for (auto& h : all) heads[m].push_back(h.narrow(0, 0, b));
      auto clean = all[0].narrow(0, b, u);
      w.clean[m] = cps() ? clean : clean.detach();
      w.pl.push_back(make_pseudo_labels(own_pl ? clean.detach() : forward_without_dropout(nets_[m], x_w), o_.pseudo.threshold));
    }
    return w;
  }

  // Each student's views for L_ip: its own strong views (each with its CutMix boxes), or,
  // for CPS, its clean weak-view logits.
  std::vector<std::vector<StrongView>> strong_views(const Batch& batch, const WeakPass& w) {
    std::vector<std::vector<StrongView>> views(nets_.size());
    RECORD_USER_SCOPE("cmems::forward");
    for (size_t s = 0; s < nets_.size(); ++s) {
      if (cps()) views[s].push_back({w.clean[s], {}});
      for (size_t v = 0; !cps() && v < batch.strong[s].size(); ++v)
        views[s].push_back({nets_[s]->forward(batch.strong[s][v].x), batch.strong[s][v].mix});
    }
    return views;
  }

  // Each model's labeled targets: with cross_pseudo synthesis, the pixels outside a synthetic
  // item's paste come from the other model's confident pseudo-label of its background slice.
  std::vector<torch::Tensor> labeled_targets(const LabeledBatch& b) {
    const int64_t n = int64_t(nets_.size());
    std::vector<torch::Tensor> ys;
    for (int64_t m = 0; m < n; ++m) {
      if (o_.synthesis.outside != SynthOutside::CrossPseudo || !b.outside.defined()) {
        ys.push_back(cmems::labeled_targets(b, o_.synthesis.outside));
        continue;
      }
      torch::NoGradGuard g;
      auto bg = in_format(d_.unlabeled.index_select(0, b.background), o_.perf.channels_last);
      auto& other = nets_[teacher_of(m, n, Pairing::Cross)];
      auto t = make_pseudo_labels(o_.pseudo.teacher == Teacher::Student ? other->forward(bg) : forward_without_dropout(other, bg),
                                  o_.pseudo.threshold);
      ys.push_back(cmems::labeled_targets(b, o_.synthesis.outside, t.label, t.mask));
    }
    return ys;
  }

  MethodOptions o_;
  const TrainingData& d_;
  Rng& rng_;
  torch::Device dev_;
  std::vector<UNet> nets_;
  FeaturePerturbation fp_;
  BatchSource batches_;
};
}  // namespace

std::unique_ptr<Method> make_ssl_method(const MethodOptions& o, const TrainingData& d, Rng& rng) {
  return std::make_unique<SslMethod>(o, d, rng);
}
}  // namespace cmems
