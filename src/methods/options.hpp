// Options of the method stage: the labeled/unlabeled batches (batch.*), pseudo-labels
// (pseudo.*), loss weights (loss.*), the image- (ip.*) and feature-perturbation (fp.*)
// consistency terms, and MethodOptions, everything one method reads. Every method is a
// preset of these (methods/presets.hpp). Stage: methods.
#pragma once
#include "augment/options.hpp"
#include "data/options.hpp"
#include "model/options.hpp"
#include "synth/options.hpp"

namespace cmems {

/// A consistency term: off, each model taught by itself, or by the other model.
enum class Consistency { None, Self, Cross };
CMEMS_ENUM_NAMES(Consistency, {Consistency::None, "none"}, {Consistency::Self, "self"}, {Consistency::Cross, "cross"})

/// The view an L_ip student predicts: a strong view, or the weak view itself (CPS).
enum class IpStudent { Strong, Weak };
CMEMS_ENUM_NAMES(IpStudent, {IpStudent::Strong, "strong"}, {IpStudent::Weak, "weak"})

/// The pass pseudo-labels come from: the student's own weak-view pass (with dropout), or a
/// separate pass without dropout.
enum class Teacher { Student, NoDropout };
CMEMS_ENUM_NAMES(Teacher, {Teacher::Student, "student"}, {Teacher::NoDropout, "no_dropout"})

enum class FpLevels { All, Deepest };
CMEMS_ENUM_NAMES(FpLevels, {FpLevels::All, "all"}, {FpLevels::Deepest, "deepest"})

enum class FpHeads { All, Main };
CMEMS_ENUM_NAMES(FpHeads, {FpHeads::All, "all"}, {FpHeads::Main, "main"})

/// How the labeled batch and the unlabeled weak view pass the networks: as two batches
/// (BatchNorm statistics per batch), or as one (shared statistics).
enum class BatchForward { Separate, Joint };
CMEMS_ENUM_NAMES(BatchForward, {BatchForward::Separate, "separate"}, {BatchForward::Joint, "joint"})

struct BatchOptions {
  int64_t labeled = 12, unlabeled = 12;
  BatchForward forward = BatchForward::Separate;

  void describe(OptionList& l) {
    l.add("labeled", labeled, "labeled batch size [spec: 12]", 1, 4096);
    l.add("unlabeled", unlabeled, "unlabeled batch size [spec: 12]", 1, 4096);
    l.add("forward", forward, "labeled batch and unlabeled weak view through the networks as two batches, or as one (shared BatchNorm statistics) [ref: UniMatch, SSL4MIS's CPS: one; ours, measured]");
  }
};

struct PseudoOptions {
  double threshold = 0.9;
  Teacher teacher = Teacher::Student;
  bool agree = false;

  void describe(OptionList& l) {
    l.add("threshold", threshold, "pseudo-label confidence threshold [spec: 0.95; 0.9 chosen on ACDC val, docs/RESULTS.md]", 0, 1);
    l.add("teacher", teacher, "pass the pseudo-labels come from: the student's own weak-view pass (with dropout), or a separate pass without dropout [ours, measured]");
    l.add("agree", agree, "with several models, a pixel keeps its pseudo-label only where every model's weak-view label is the same (each teacher still needs its confidence) [ref: co-training by agreement; ours, measured: docs/RESULTS.md]");
  }
};

struct LossOptions {
  double sup_weight = 1.0;
  bool deep_supervision = true;
  double rampup = 0.2;  // fraction of training

  void describe(OptionList& l) {
    l.add("sup_weight", sup_weight, "weight of the supervised term [spec: 1; UniMatch: 0.5]", 0, 100);
    l.add("deep_supervision", deep_supervision, "also supervise the auxiliary heads on the labeled batch where L_fp compares them [ours, measured]");
    l.add("rampup", rampup, "sigmoid ramp-up length, fraction of training [spec: 0.2]", 0, 1);
  }
};

struct IpOptions {
  Consistency mode = Consistency::Cross;
  int64_t views = 1;
  IpStudent student = IpStudent::Strong;
  double lambda = 1.0;

  void describe(OptionList& l) {
    l.add("mode", mode, "image-perturbation consistency: none, self, or across models [paper]");
    l.add("views", views, "strong views per student [ref: UniMatch: 2]", 1, 4);
    l.add("student", student, "view the student predicts: strong, or weak (CPS) [ref: CPS]");
    l.add("lambda", lambda, "max weight of L_ip [spec: 1]", 0, 100);
  }
};

struct FpOptions {
  Consistency mode = Consistency::Cross;
  FpLevels levels = FpLevels::All;
  FpHeads heads = FpHeads::All;
  FpKind kind = FpKind::Dropout;
  double dropout = 0.5, noise = 0.3;
  double lambda = 1.0;

  void describe(OptionList& l) {
    l.add("mode", mode, "feature-perturbation consistency: none, self, or across models [paper]");
    l.add("levels", levels, "perturbed encoder levels: all five, or the deepest [paper]");
    l.add("heads", heads, "heads compared: main + auxiliary (multi-resolution), or main [paper]");
    l.add("kind", kind, "feature perturbation [ref: UniMatch: channel dropout]");
    l.add("dropout", dropout, "channel dropout probability [ref: UniMatch: 0.5]", 0, 0.99);
    l.add("noise", noise, "uniform multiplicative noise range [ref: CCT: 0.3]", 0, 1);
    l.add("lambda", lambda, "max weight of L_fp [spec: 1]", 0, 100);
  }
};

/// Everything one method reads: its structure (models, labeled source, consistency terms),
/// its seed, and the options of the stages it runs, each under its config.json section.
struct MethodOptions {
  int64_t models = 2;  // 1 or 2 networks
  int64_t seed = 1337;
  DataOptions data;
  BatchOptions batch;
  ModelOptions model;
  PerfOptions perf;
  SynthOptions synthesis;
  WeakOptions weak;
  StrongOptions strong;
  PseudoOptions pseudo;
  LossOptions loss;
  IpOptions ip;
  FpOptions fp;

  void describe(OptionList& l) {
    l.add("models", models, "number of networks (2 = cross-model) [paper]", 1, 2);
    l.add("seed", seed, "random seed [ours]", 0, 9e18);
    auto add = [&l](const char* section, auto& o) { o.describe(l.section(section)); };
    add("data", data), add("model", model), add("batch", batch), add("perf", perf), add("synthesis", synthesis);
    add("weak", weak), add("strong", strong), add("pseudo", pseudo), add("loss", loss), add("ip", ip), add("fp", fp);
    l.section("");
  }
  /// Range checks of every part, and that cross-model terms have two models.
  void check() const {
    check_ranges(*this, "");
    CMEMS_CHECK(models == 2 || (ip.mode != Consistency::Cross && fp.mode != Consistency::Cross),
                "option --models 1 cannot be combined with cross-model terms (--ip.mode/--fp.mode cross)");
    synthesis.check(), weak.check();
  }
};
}  // namespace cmems
