// One configurable semi-supervised method covering every row of METHOD.md's table:
// supervised, supervised-synth, fixmatch, unimatch, cps, cmems-ip, cmems-fp, cmems, full.
//
//   L = L_sup + λ_ip(t)·L_ip + λ_fp(t)·L_fp                                   [METHOD.md]
//   L_sup = Σ_m ℓ(f_m(x_L), y_L)                                              [paper]
//   L_ip  = mean over students s, views v of ℓ(f_s(strong_v(x_w)), ŷ_t, m_t),
//           t = the other model (cross) or s itself (self)                    [paper; UniMatch]
//   L_fp  = mean over students s of Σ_k w_k ℓ(f_s^{fp,k}(x_w), ŷ_t↓k, m_t↓k)  [paper; UniMatch]
// with ℓ = ½CE + ½Dice (losses/), pseudo-labels from the weak view (no gradient) and the
// sigmoid ramp-up. Stage: methods.
#include <cmath>

#include "augment/augment.hpp"
#include "core/check.hpp"
#include "losses/losses.hpp"
#include "methods/method.hpp"
#include "synth/synth.hpp"

namespace cmems {
namespace {

// Multi-resolution head weights: main, 1/2, 1/4, 1/8, normalised to sum 1 [ours].
const std::vector<double> kHeadWeights = {1.0, 0.5, 0.25, 0.125};

class SslMethod final : public Method {
 public:
  SslMethod(const Config& c, const TrainingData& d, Rng& rng)
      : c_(c), d_(d), rng_(rng), dev_(d.unlabeled.device()), nets_(make_models(c, d.num_classes, dev_)) {
    fp_.kind = c.fp_kind == "noise"  ? FeaturePerturbation::Kind::Noise
               : c.fp_kind == "both" ? FeaturePerturbation::Kind::Both
                                     : FeaturePerturbation::Kind::Dropout;
    fp_.dropout = c.fp_dropout;
    fp_.noise = c.fp_noise;
    if (c.fp_levels == "deepest") fp_.levels = {false, false, false, false, true};
  }

  std::vector<UNet>& models() override { return nets_; }

  StepStats step(const StepContext& ctx) override {
    StepStats stats;
    const int64_t n = int64_t(nets_.size());
    // --- labeled batch and L_sup ---
    auto [x_l, y_l] = labeled_batch();
    torch::Tensor loss_sup = torch::zeros({}, x_l.options());
    for (int64_t m = 0; m < n; ++m) loss_sup = loss_sup + seg_loss(nets_[m]->forward(x_l), y_l[m]);
    torch::Tensor total = loss_sup;
    stats.emplace_back("loss_sup", loss_sup.detach());

    const bool ip = c_.ip != "none", fp = c_.fp != "none";
    if (ip || fp) {
      auto idx = rng_.integers({c_.unlabeled_batch}, d_.unlabeled.size(0), dev_);
      auto x_w = apply_geometric_image(d_.unlabeled.index_select(0, idx), sample_weak(c_, idx.size(0), rng_, dev_));
      // Weak-view predictions: with gradient where a loss uses them (fp, CPS), else without.
      std::vector<torch::Tensor> clean(n);
      std::vector<std::vector<torch::Tensor>> fp_out(n);
      std::vector<PseudoLabels> pl(n);
      for (int64_t m = 0; m < n; ++m) {
        if (fp) {
          auto o = forward_with_feature_perturbation(nets_[m], x_w, fp_, c_.fp_heads == "all", rng_);
          clean[m] = o.clean, fp_out[m] = std::move(o.perturbed);
        } else if (c_.ip_student == "weak") {
          clean[m] = nets_[m]->forward(x_w);
        } else {
          torch::NoGradGuard g;
          clean[m] = nets_[m]->forward(x_w);
        }
        pl[m] = make_pseudo_labels(clean[m], c_.threshold);
        stats.emplace_back(std::string("coverage_") + char('a' + m), pl[m].mask.mean());
      }
      if (ip) {
        torch::Tensor l = torch::zeros({}, x_w.options());
        int64_t terms = 0;
        for (int64_t s = 0; s < n; ++s) {
          const PseudoLabels& t = pl[c_.ip == "cross" ? (s + 1) % n : s];
          for (int64_t v = 0; v < (c_.ip_student == "weak" ? 1 : c_.ip_views); ++v, ++terms) {
            if (c_.ip_student == "weak") {
              l = l + seg_loss(clean[s], t.label, t.mask);
            } else {
              auto sp = sample_strong(c_, x_w.size(0), x_w.size(-1), rng_, dev_);
              l = l + seg_loss(nets_[s]->forward(apply_strong(x_w, sp)), apply_cutmix(t.label, sp),
                               apply_cutmix(t.mask, sp));
            }
          }
        }
        auto loss_ip = l / double(terms);
        double w = rampup_weight(ctx.iteration, ctx.total, c_.rampup, c_.lambda_ip);
        total = total + w * loss_ip;
        stats.emplace_back("loss_ip", loss_ip.detach());
        stats.emplace_back("weight_ip", torch::tensor(w));
      }
      if (fp) {
        torch::Tensor l = torch::zeros({}, x_w.options());
        for (int64_t s = 0; s < n; ++s) {
          const PseudoLabels& t = pl[c_.fp == "cross" ? (s + 1) % n : s];
          double wsum = 0;
          for (size_t k = 0; k < fp_out[s].size(); ++k) wsum += kHeadWeights[k];
          for (size_t k = 0; k < fp_out[s].size(); ++k) {
            auto& out = fp_out[s][k];
            auto h = out.size(2), w = out.size(3);
            l = l + kHeadWeights[k] / wsum *
                        seg_loss(out, resize_nearest(t.label, h, w), resize_nearest(t.mask, h, w));
          }
        }
        auto loss_fp = l / double(n);
        double w = rampup_weight(ctx.iteration, ctx.total, c_.rampup, c_.lambda_fp);
        total = total + w * loss_fp;
        stats.emplace_back("loss_fp", loss_fp.detach());
        stats.emplace_back("weight_fp", torch::tensor(w));
      }
    }
    total.backward();
    stats.insert(stats.begin(), {"loss", total.detach()});
    return stats;
  }

 private:
  // Labeled batch: images [B_L, 1, S, S] and one target per model ([B_L, S, S]; with
  // cross_pseudo synthesis each model's outside-mask pixels come from the other model).
  std::pair<torch::Tensor, std::vector<torch::Tensor>> labeled_batch() {
    const int64_t b = c_.labeled_batch, n = int64_t(nets_.size());
    int64_t n_syn = 0;
    if (c_.labeled == "synth")
      for (int64_t i = 0; i < b; ++i) n_syn += rng_.uniform_scalar(0, 1) >= c_.syn_exemplar_prob;
    const int64_t n_plain = b - n_syn;
    std::vector<torch::Tensor> xs;
    std::vector<std::vector<torch::Tensor>> ys(n);
    if (n_plain > 0) {  // weak views of labeled slices (the exemplar, or any for `full`)
      auto idx = rng_.integers({n_plain}, d_.labeled_images.size(0), dev_);
      auto g = sample_weak(c_, n_plain, rng_, dev_);
      xs.push_back(apply_geometric_image(d_.labeled_images.index_select(0, idx), g));
      auto y = apply_geometric_label(d_.labeled_labels.index_select(0, idx), g);
      for (auto& v : ys) v.push_back(y);
    }
    if (n_syn > 0) {
      const int64_t s = d_.unlabeled.size(-1);
      auto p = sample_synth(c_, n_syn, s, d_.unlabeled.size(0), rng_, dev_);
      auto sb = synthesize(c_, d_.labeled_images.narrow(0, 0, 1), d_.labeled_labels[0], d_.unlabeled,
                           d_.num_classes, p);
      xs.push_back(sb.image);
      for (int64_t m = 0; m < n; ++m) {
        torch::Tensor outside;
        if (c_.syn_outside == "ignore") {
          outside = torch::full_like(sb.label, kIgnore);
        } else if (c_.syn_outside == "background") {
          outside = torch::zeros_like(sb.label);
        } else {  // cross_pseudo: the other model's confident pseudo-label of the background
          torch::NoGradGuard g;
          auto bg = d_.unlabeled.index_select(0, p.background);
          auto t = make_pseudo_labels(nets_[(m + 1) % n]->forward(bg), c_.threshold);
          outside = torch::where(t.mask > 0.5, t.label, torch::full_like(t.label, kIgnore));
        }
        ys[m].push_back(fill_outside(sb, outside));
      }
    }
    std::vector<torch::Tensor> y;
    for (auto& v : ys) y.push_back(torch::cat(v, 0));
    return {torch::cat(xs, 0), y};
  }

  Config c_;
  const TrainingData& d_;
  Rng& rng_;
  torch::Device dev_;
  std::vector<UNet> nets_;
  FeaturePerturbation fp_;
};
}  // namespace

std::unique_ptr<Method> make_ssl_method(const Config& c, const TrainingData& d, Rng& rng) {
  CMEMS_CHECK(c.models == 1 || c.models == 2, "option --models: must be 1 or 2");
  return std::make_unique<SslMethod>(c, d, rng);
}
}  // namespace cmems
