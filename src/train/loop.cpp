#include "train/loop.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/progress.hpp"
#include "methods/method.hpp"
#include "train/static_step.hpp"

namespace cmems {
using nlohmann::json;

double poly_lr(const OptimOptions& o, int64_t it, int64_t total) {
  return o.lr * std::pow(1.0 - double(it) / double(total), o.poly_power);
}

namespace {
// Keeps the metrics lines up to `iteration` (a resumed run rewrites what followed its
// checkpoint).
void truncate_metrics(const fs::path& p, int64_t iteration) {
  if (!fs::exists(p)) return;
  std::ifstream in(p);
  std::string keep, line;
  while (std::getline(in, line)) {
    try {
      if (json::parse(line).at("iteration").get<int64_t>() <= iteration) keep += line + "\n";
    } catch (const json::exception&) {
    }
  }
  write_file_atomic(p, keep);
}

bool all_finite(const std::vector<UNet>& models) {
  torch::NoGradGuard g;
  for (auto& m : models)
    for (auto& p : m->parameters())
      if (!torch::isfinite(p).all().item<bool>()) return false;
  return true;
}
}  // namespace

TrainResult train(const RunOptions& c, const OptimOptions& optim, const MethodOptions& mo, const TrainingData& data,
                  const RunInfo& info, const TrainOptions& o) {
  const fs::path run(o.run_dir);
  const std::string ckpt = (run / "checkpoint.safetensors").string();
  Rng rng(static_cast<uint64_t>(mo.seed));
  torch::manual_seed(static_cast<uint64_t>(mo.seed));
  auto method = make_method(mo, data, rng);
  std::vector<torch::Tensor> params;
  for (auto& m : method->models()) {
    m->train();
    for (auto& p : m->parameters()) params.push_back(p);
  }
  Sgd opt(params, optim.lr, optim.momentum, optim.weight_decay);

  int64_t start = 0;
  if (o.resume && fs::exists(ckpt)) {
    torch::Tensor batch_state;
    start = load_checkpoint(ckpt, method->models(), opt, rng, batch_state);
    method->set_batch_state(batch_state);
    CMEMS_CHECK(start <= c.iterations, ckpt, ": checkpoint is at iteration ", start, ", beyond --iterations ",
                c.iterations);
    truncate_metrics(run / "metrics.jsonl", start);
  } else {
    write_file_atomic(run / "metrics.jsonl", "");
  }
  std::ofstream metrics(run / "metrics.jsonl", std::ios::app);
  CMEMS_CHECK(metrics.good(), (run / "metrics.jsonl").string(), ": cannot write");

  auto checkpoint = [&](int64_t it) {
    CMEMS_CHECK(all_finite(method->models()), "training diverged before iteration ", it,
                ": non-finite weights; the last good checkpoint is kept in ", ckpt);
    save_checkpoint(ckpt, method->models(), opt, rng, method->batch_state(), it, info);
  };

  // perf.cuda_graph: the iteration from fixed buffers and device scalars (captured on CUDA)
  std::unique_ptr<StaticStep> fixed;
  if (mo.perf.cuda_graph) fixed = std::make_unique<StaticStep>(*method, opt, data.unlabeled.device());

  TrainResult r;
  Progress progress(start, c.iterations, o.live_progress);
  int64_t it = start, saved_at = start;
  for (; it < c.iterations; ++it) {
    if ((o.stop && o.stop->load()) || it == o.stop_at) {
      r.interrupted = true;
      break;
    }
    const double lr = poly_lr(optim, it, c.iterations);
    StepStats stats;
    if (fixed) {
      stats = fixed->run({it, c.iterations}, lr);
    } else {
      opt.set_lr(lr);
      opt.zero_grad();
      stats = method->step({it, c.iterations});
      opt.step();
    }
    const bool val = o.validate && c.val_every > 0 && ((it + 1) % c.val_every == 0 || it + 1 == c.iterations);
    const bool log = (it + 1) % c.log_every == 0 || it + 1 == c.iterations || val;
    const bool save = (it + 1) % c.checkpoint_every == 0;
    if (log || save) {  // scalars are read from the device only here
      json line = {{"iteration", it + 1}, {"lr", lr}};
      for (auto& [k, v] : stats) line[k] = v.item<double>();
      if (val) {  // eval mode changes no state: a resumed run stays byte-identical
        for (auto& m : method->models()) m->eval();
        line.update(o.validate(method->models()));
        for (auto& m : method->models()) m->train();
      }
      r.last_loss = line["loss"].get<double>();
      CMEMS_CHECK(std::isfinite(r.last_loss), "training stopped at iteration ", it + 1,
                  ": the loss is not finite (", r.last_loss, "); the last good checkpoint is kept in ", ckpt);
      if (log) {
        metrics << line.dump() << "\n" << std::flush;
        char buf[96];
        std::snprintf(buf, sizeof buf, "loss %.4f", r.last_loss);
        progress.update(it + 1, buf);
      }
      if (save) checkpoint(it + 1), saved_at = it + 1;
    }
    if (c.snapshot_every > 0 && (it + 1) % c.snapshot_every == 0) {  // the models as they are now
      char name[32];
      std::snprintf(name, sizeof name, "it%06lld", (long long)(it + 1));
      const fs::path dir = run / "snapshots" / name;
      fs::create_directories(dir);
      save_weights((dir / "weights.safetensors").string(), method->models(), info);
    }
  }
  progress.finish();
  if (saved_at != it || !fs::exists(ckpt)) checkpoint(it);  // the training state, before precise_bn
  if (c.precise_bn && it == c.iterations) {
    const double t0 = progress.seconds();
    for (auto& m : method->models())
      recalibrate_batchnorm(m, data.unlabeled, mo.batch.unlabeled, mo.perf.channels_last);
    std::fprintf(stderr, "cmems: BatchNorm statistics recomputed over %lld unlabeled slices (%.1f s)\n",
                 (long long)data.unlabeled.size(0), progress.seconds() - t0);
  }
  save_weights((run / "weights.safetensors").string(), method->models(), info);
  r.iterations_done = it;
  r.seconds = progress.seconds();
  // Training time, summed over the invocations of a resumed run (kept apart from
  // metrics.jsonl, which a resumed run reproduces byte for byte).
  double before = 0;
  if (o.resume && fs::exists(run / "timing.json")) {
    try {
      before = json::parse(read_file(run / "timing.json")).value("train_seconds", 0.0);
    } catch (const json::exception&) {
    }
  }
  write_file_atomic(run / "timing.json",
                    json{{"train_seconds", before + r.seconds}, {"iterations", it}}.dump() + "\n");
  return r;
}
}  // namespace cmems
