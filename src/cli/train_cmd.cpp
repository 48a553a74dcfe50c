// `cmems train`: resolves the configuration, loads the training data (the exemplar's label
// only, unless `full`), and runs the generic loop with the method the configuration names;
// SIGINT/SIGTERM stop it at the next iteration with a checkpoint (--resume continues).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "data/slices.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "model/device.hpp"
#include "train/loop.hpp"

namespace cmems {
namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_signal(int sig) {
  g_stop = true;
  std::signal(sig, SIG_DFL);  // a second signal ends the process at once
}

// Scores the live models, as `cmems evaluate` would (the models' softmax averaged), on the
// validation split; the volumes are read once.
ValidationFn validation_fn(const DatasetReader& reader, const Config& c, const RunInfo& info) {
  const std::string split = c.run.val_split.empty() ? reader.default_split() : c.run.val_split;
  auto volumes = std::make_shared<std::vector<CaseVolume>>();
  for (auto& name : reader.cases(split)) {
    volumes->push_back(reader.volume(split, name));
    CMEMS_CHECK(!volumes->back().label.data.empty(), name, ": option --val-every needs labels for the '", split,
                "' split");
  }
  const int num_classes = int(info.class_names.size());
  const PredictorOptions po{c.data.size, c.infer, c.perf.channels_last, c.data.fit, c.data.plane_context()};
  return [po, info, volumes, num_classes](std::vector<UNet>& models) {
    Predictor pred(po, models, info.class_names, info.normalisation);
    std::vector<CaseScore> cases;
    for (auto& v : *volumes)
      cases.push_back(score_case(v.name, pred.predict(v.image).data, v.label.data, num_classes, v.image.dims,
                                 v.image.geometry.spacing));
    Summary s = summarise(cases);
    return nlohmann::json{{"val_dice", s.mean_dice}, {"val_hd95", s.mean_hd95}};
  };
}
}  // namespace

TrainedRun run_training(Config c, const std::string& data, const std::string& run, bool force, bool resume,
                        bool live, const std::set<std::string>& resume_keys) {
  fs::path cfg_path = fs::path(run) / "config.json";
  if (resume) {
    // A resumed run keeps its saved configuration; only the length, device and thread
    // count may change, and only those the caller names.
    Config saved = read_run_config(run);
    if (resume_keys.count("iterations")) saved.run.iterations = c.run.iterations;
    if (resume_keys.count("device")) saved.run.device = c.run.device;
    if (resume_keys.count("threads")) saved.run.threads = c.run.threads;
    c = saved;
  }
  // The holdout file is recorded by its absolute path: evaluate and report find it from anywhere.
  if (!c.data.holdout.empty()) c.data.holdout = fs::absolute(c.data.holdout).lexically_normal().string();
  auto reader = DatasetReader::open(data, c.data.holdout);
  prepare_output_dir(run, force, resume);
  const torch::Device dev = resolve_device(c.run.device);
  apply_threads(c.run.threads);
  set_cudnn_benchmark(c.perf.cudnn_benchmark);
  c.run.exemplar = reader->training_exemplar(c.run.exemplar, c.needs_all_labels());
  if (!c.run.exemplar.empty()) {  // the IDs themselves (not a file that may move): a, b, ...
    std::string ids;
    for (auto& id : exemplar_ids(c.run.exemplar)) ids += (ids.empty() ? "" : ",") + id;
    c.run.exemplar = ids;
  }
  for (const std::string& s : resolve_plane_options(c.data, *reader, c.run.exemplar))  // saved: inference reads it
    std::fprintf(stderr, "cmems: %s\n", s.c_str());
  write_file_atomic(cfg_path, c.to_json().dump(2) + "\n");
  // Where the data was (absolute): `cmems report` finds it without --data.
  write_file_atomic(fs::path(run) / "data.json",
                    nlohmann::json{{"data", fs::absolute(data).lexically_normal().string()}}.dump(2) + "\n");
  TrainingData d = load_training_data(*reader, c.run.exemplar,
                                      c.needs_all_labels() ? LabelAccess::All : LabelAccess::ExemplarOnly,
                                      c.data, dev);
  // infer.assembly only where the exemplar's structures form one connected whole (read from
  // the labels training may read; saved: inference reads it)
  if (c.infer.assembly && !resume &&
      !labels_form_one_assembly(c.needs_all_labels() ? d.labeled_labels : d.exemplar_labels(), d.num_classes)) {
    c.infer.assembly = false;
    std::fprintf(stderr, "cmems: infer.assembly false: the exemplar shows fewer than two structures, or they do not form one connected whole\n");
    write_file_atomic(cfg_path, c.to_json().dump(2) + "\n");
  }
  std::fprintf(stderr, "cmems: method %s, exemplar %s, %lld unlabeled slices, %lld iterations on %s\n",
               c.run.method.c_str(), c.run.exemplar.empty() ? "(all labels)" : c.run.exemplar.c_str(),
               (long long)d.unlabeled.size(0), (long long)c.run.iterations, enum_name(c.run.device).c_str());
  RunInfo info{c.to_json().dump(), reader->class_names(), reader->normalisation()};
  TrainOptions o;
  o.run_dir = run;
  o.resume = resume;
  o.live_progress = live;
  o.stop = &g_stop;
  if (c.run.val_every > 0) o.validate = validation_fn(*reader, c, info);
  g_stop = false;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  TrainResult r = train(c.run, c.optim, c, d, info, o);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (r.interrupted) {
    std::fprintf(stderr, "cmems: stopped at iteration %lld; checkpoint written. Continue with --resume.\n",
                 (long long)r.iterations_done);
    std::exit(130);
  }
  return {c, r.seconds};
}

Runner add_train(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model from one exemplar slice plus unlabeled slices");
  struct A {
    std::string data, out, config;
    bool resume = false, force = false;
    std::map<std::string, std::string> flags;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--data", a->data, "dataset folder (nnU-Net v2 raw NIfTI, or ACDC HDF5)")->required();
  cmd->add_option("--out", a->out, "run folder (config.json, metrics.jsonl, checkpoints, weights)")->required();
  cmd->add_option("--config", a->config, "JSON file of options (flags override it)");
  cmd->add_flag("--resume", a->resume, "continue the run in --out from its checkpoint");
  cmd->add_flag("--force", a->force, "train into a non-empty folder that is not a resumable run");
  add_config_flags(*cmd, a->flags);
  return [a] {
    // `--resume` alone continues the run as it was started (its saved length, not the default's);
    // a length, device or thread count given as a flag or in --config replaces the saved one.
    std::set<std::string> given;
    const nlohmann::json file = a->config.empty() ? nlohmann::json::object() : read_json_file(a->config);
    for (const auto& k : kResumableKeys) {
      auto f = a->flags.find(k);
      if ((f != a->flags.end() && !f->second.empty()) || (file.is_object() && file.contains(k))) given.insert(k);
    }
    run_training(resolve_config(a->flags, a->config), a->data, a->out, a->force, a->resume, isatty(2), given);
    std::printf("run folder: %s\n", a->out.c_str());
    return 0;
  };
}
}  // namespace cmems
