// The composed configuration of a run: every stage's options under its config.json
// section (synthesis.outside is Config::synthesis.outside, flag --synthesis.outside).
// Read from JSON and flags here, at the composition root, and handed to each stage as that
// stage's own options struct. Precedence: defaults < method preset < --config FILE.json <
// flags. Torch-free. Stage: cli.
#pragma once
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "infer/options.hpp"
#include "methods/options.hpp"
#include "train/options.hpp"

namespace CLI {
class App;
}

namespace cmems {

/// A run's configuration: what the method reads (MethodOptions: models, seed, data.*,
/// model.*, batch.*, perf.*, synthesis.*, weak.*, strong.*, pseudo.*, loss.*, ip.*, fp.*),
/// how the run goes (run: the other top-level keys), the optimiser and inference.
struct Config : MethodOptions {
  RunOptions run;
  OptimOptions optim;
  InferOptions infer;

  /// Every option, bound to this object (valid while it lives, unmoved).
  OptionList options();
  nlohmann::json to_json() const;
  /// Applies a (possibly partial) nested JSON; throws naming `origin` and the key.
  void apply_json(const nlohmann::json& j, const std::string& origin);
  /// Sets one option from its flag text.
  void set(const std::string& key, const std::string& text);
  /// Range checks of every option and the cross-stage rules; throws naming the option.
  void validate() const;

  /// Only the `full` upper bound reads every training label.
  bool needs_all_labels() const { return data.labeled == LabeledSource::All; }
};

/// Every option whose key starts with `prefix` ("" = all) as a flag on `cmd`; values land in
/// `values` (key -> text).
void add_config_flags(CLI::App& cmd, std::map<std::string, std::string>& values, const std::string& prefix = "");
/// defaults < method preset < config file < flags; validated. With `base`, its values
/// replace the defaults, and the preset applies only when the method changes.
Config resolve_config(const std::map<std::string, std::string>& flags, const std::string& config_file,
                      const Config* base = nullptr);
/// The configuration a run saved (RUN/config.json, or the JSON text in its weights).
Config parse_config(const std::string& json_text, const std::string& origin);
/// Markdown table of every option and the presets (docs/config.md).
std::string config_markdown();
}  // namespace cmems
