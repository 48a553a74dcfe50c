// The CLI's subcommands: the only composition root. Each registers its flags on a CLI11
// subcommand and returns a function that runs it. Library errors (cmems::Error) propagate
// to main(), which prints one line and exits 1. Stage: cli.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <set>
#include <string>

#include "cli/config.hpp"
#include "eval/qc.hpp"
#include "eval/report.hpp"

namespace cmems {

class Predictor;

using Runner = std::function<int()>;
Runner add_demo(CLI::App& app);
Runner add_phantom(CLI::App& app);
Runner add_train(CLI::App& app);
Runner add_evaluate(CLI::App& app);
Runner add_predict(CLI::App& app);
Runner add_qc_merge(CLI::App& app);
Runner add_suggest(CLI::App& app);
Runner add_list(CLI::App& app);
Runner add_synth(CLI::App& app);
Runner add_bench(CLI::App& app);
Runner add_prepare(CLI::App& app);
Runner add_report(CLI::App& app);

/// Applies a CPU thread count (0 = all cores) to LibTorch.
void apply_threads(int64_t threads);
/// The --threads flag of a command that loads a run (-1 when not given: `flag` then defers
/// to the run's setting), and applying it.
void add_threads_option(CLI::App& cmd, int64_t& flag);
inline void apply_threads(int64_t flag, const Config& run) { apply_threads(flag >= 0 ? flag : run.run.threads); }

/// The configuration a run folder saved (RUN/config.json).
Config read_run_config(const std::string& run_dir);

/// infer.* options given at prediction time (key -> flag text; "" = the run's setting): what
/// `--infer.tta`, `--infer.lcc`, `--infer.batch` and `--models` set on evaluate, predict.
using InferOverrides = std::map<std::string, std::string>;
/// The infer.* flags and --models on `cmd` (evaluate, predict), into `values`.
void add_infer_flags(CLI::App& cmd, InferOverrides& values);

/// A trained run's predictor: RUN/weights.safetensors (validated against the configured
/// models) on `device` ("" = the run's), its infer.* options replaced by `infer` (only
/// infer.* keys: everything else is fixed by training). Returns the configuration used in
/// `*config` when given.
/// The dataset folder of a run: `data` when given, else the one train recorded in
/// RUN/data.json (one line naming that file when it is missing).
std::string run_data_path(const std::string& run_dir, const std::string& data);

Predictor load_predictor(const std::string& run_dir, const std::string& device, const InferOverrides& infer = {},
                         Config* config = nullptr);

struct TrainedRun {
  Config config;  // as saved in RUN/config.json (the exemplar resolved)
  double seconds = 0;
};
/// The options a resumed run may change: its length, device and thread count.
inline const std::set<std::string> kResumableKeys{"iterations", "device", "threads"};
/// Trains per `c` on the dataset at `data` into `run` (creating/validating it). With `resume`, the
/// run's saved configuration is kept, except the keys of `resume_keys` (a subset of
/// kResumableKeys), which take `c`'s values.
TrainedRun run_training(Config c, const std::string& data, const std::string& run, bool force, bool resume,
                        bool live_progress, const std::set<std::string>& resume_keys = kResumableKeys);

struct Evaluation {
  std::string run, data, split;  // what was scored (with --run); written into the report
  nlohmann::json infer;          // with --run: the infer.* options it was scored with (models among them)
  std::vector<CaseScore> cases;
  std::vector<std::string> class_names;
  std::vector<CaseQc> qc;  // two-model runs: one per case (eval/qc.hpp); empty otherwise
};
/// Predicts and scores the `split` volumes of `data` with the model of `run`
/// (threads: CPU threads, 0 = all cores, -1 = the run's setting).
Evaluation evaluate_run(const std::string& run, const std::string& data, std::string split,
                        const std::string& device, const InferOverrides& infer = {}, int64_t threads = -1);
/// Writes FILE.json and FILE.csv (same stem) atomically; with QC, each case's QC and the
/// Spearman correlation of qc_score with the case's mean Dice go into the JSON.
void write_reports(const std::string& json_path, const Evaluation& e);
/// The terminal table, with the QC correlation line where there is QC.
std::string evaluation_table(const Evaluation& e);
}  // namespace cmems
