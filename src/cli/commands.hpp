// The CLI's subcommands: the only composition root. Each registers its flags on a CLI11
// subcommand and returns a function that runs it. Library errors (cmems::Error) propagate
// to main(), which prints one line and exits 1. Stage: cli.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>

#include "core/config.hpp"
#include "eval/report.hpp"

namespace cmems {

using Runner = std::function<int()>;

Runner add_demo(CLI::App& app);
Runner add_phantom(CLI::App& app);
Runner add_train(CLI::App& app);
Runner add_evaluate(CLI::App& app);
Runner add_predict(CLI::App& app);
Runner add_list(CLI::App& app);
Runner add_synth(CLI::App& app);
Runner add_bench(CLI::App& app);
Runner add_prepare(CLI::App& app);

/// Every Config field as a flag on `cmd`; values land in `values` (key -> text).
void add_config_flags(CLI::App& cmd, std::map<std::string, std::string>& values);

/// defaults < method preset < config file < flags; validated.
Config resolve_config(const std::map<std::string, std::string>& flags, const std::string& config_file,
                      const Config* base = nullptr);

/// Applies the configured thread count (0 = all cores) to LibTorch.
void apply_threads(const Config& c);

/// Trains per `c` on the dataset at `data` into `run` (creating/validating it).
/// Returns the number of seconds spent training.
double run_training(Config c, const std::string& data, const std::string& run, bool force, bool resume,
                    bool live_progress);

/// Predicts and scores the `split` volumes of `data` with the model of `run`.
std::vector<CaseScore> evaluate_run(const std::string& run, const std::string& data, std::string split,
                                    const std::string& device, const std::string& models,
                                    std::vector<std::string>& class_names);

/// Writes FILE.json and FILE.csv (same stem) atomically.
void write_reports(const std::string& json_path, const std::vector<CaseScore>& cases,
                   const std::vector<std::string>& class_names);
}  // namespace cmems
