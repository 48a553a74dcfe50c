// Options of a training run: what is trained and for how long (top-level keys), and the
// optimiser (optim.*). Stage: train.
#pragma once
#include <string>

#include "model/options.hpp"

namespace cmems {

/// The top-level keys of config.json that say how a run goes (`models` and `seed` belong
/// to the method: MethodOptions).
struct RunOptions {
  std::string method = "cmems";  // a preset name (methods/presets.hpp)
  int64_t iterations = 30000;
  DeviceKind device = DeviceKind::Cpu;
  int64_t threads = 0;   // CPU threads, 0 = all cores
  std::string exemplar;  // "" = the dataset's documented default rule
  int64_t log_every = 10, checkpoint_every = 1000;
  int64_t val_every = 0;  // 0 = off
  int64_t snapshot_every = 0;  // 0 = off
  std::string val_split;  // "" = the dataset's default
  bool precise_bn = false;

  void describe(OptionList& l, const std::vector<std::string>& methods) {
    l.add("method", method, "training method (each a preset of the options below; `cmems list`) [spec]");
    l.restrict_last(methods);
    l.add("iterations", iterations, "training iterations [ref: SSL4MIS ACDC: 30000]", 1, 1e9);
    l.add("device", device, "training/inference device [ours]");
    l.add("threads", threads, "CPU threads, 0 = all cores [ours]", 0, 4096);
    l.add("exemplar", exemplar, "exemplar slice ID (ACDC slice name, or CASE:K for NIfTI), several separated by commas, or a file of IDs (one a line); empty = default rule [ours]");
    l.add("log_every", log_every, "iterations between metrics.jsonl lines [ours]", 1, 1e9);
    l.add("checkpoint_every", checkpoint_every, "iterations between checkpoints [ours]", 1, 1e9);
    l.add("val_every", val_every, "iterations between scorings of the validation split during training (val_dice, val_hd95 in metrics.jsonl; every model and the ensemble), 0 = off [ours]", 0, 1e9);
    l.add("snapshot_every", snapshot_every, "iterations between snapshots of the models' weights, RUN/snapshots/itN/weights.safetensors (each a folder that evaluate --run and predict --model take, with --data), to look at a run's course afterwards; 0 = off [ours]", 0, 1e9);
    l.add("val_split", val_split, "split scored during training; empty = the dataset's default (ACDC val, NIfTI test) [ours]");
    l.add("precise_bn", precise_bn, "after the last iteration, recompute every BatchNorm's statistics over the unlabeled slices (clean, dropout off) before saving the weights [ref: Wu & Johnson 2021; ours, measured]");
  }
};

struct OptimOptions {
  double lr = 0.01, momentum = 0.9, weight_decay = 1e-4, poly_power = 0.9;

  void describe(OptionList& l) {
    l.add("lr", lr, "SGD learning rate [ref: SSL4MIS: 0.01]", 1e-12, 100);
    l.add("momentum", momentum, "SGD momentum [ref: SSL4MIS: 0.9]", 0, 0.999999);
    l.add("weight_decay", weight_decay, "SGD weight decay [ref: SSL4MIS: 1e-4]", 0, 1);
    l.add("poly_power", poly_power, "poly LR decay power [ref: SSL4MIS: 0.9]", 0, 10);
  }
};
}  // namespace cmems
