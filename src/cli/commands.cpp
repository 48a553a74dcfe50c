// Subcommands phantom, prepare and list, and what several subcommands share: threads, the
// saved configuration of a run, and loading a run's predictor.
#include "cli/commands.hpp"

#include <cstdio>
#include <thread>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "io/prepared.hpp"
#include "methods/method.hpp"
#include "methods/presets.hpp"
#include "model/device.hpp"
#include "model/weights.hpp"
#include "phantom/phantom.hpp"

namespace cmems {

void add_threads_option(CLI::App& cmd, int64_t& flag) {
  cmd.add_option("--threads", flag, "CPU threads, 0 = all cores (default: the run's setting)")
      ->check(CLI::Range(int64_t(0), int64_t(4096)));
}

void apply_threads(int64_t threads) {
  int n = threads > 0 ? int(threads) : int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
}

Config read_run_config(const std::string& run_dir) {
  const fs::path p = fs::path(run_dir) / "config.json";
  require_exists(p, "run configuration");
  Config c;
  c.apply_json(read_json_file(p), p.string());
  c.validate();
  return c;
}

void add_infer_flags(CLI::App& cmd, InferOverrides& values) {
  cmd.add_option("--models", values["infer.models"], "a, b or both (two-model methods; = --infer.models)");
  add_config_flags(cmd, values, "infer.");
}

std::string run_data_path(const std::string& run_dir, const std::string& data) {
  if (!data.empty()) return data;
  const fs::path dj = fs::path(run_dir) / "data.json";
  CMEMS_CHECK(fs::exists(dj), dj.string(), ": not found (a run trained before cmems recorded its data); pass --data");
  try {
    return read_json_file(dj).at("data").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    CMEMS_FAIL(dj.string(), ": expected {\"data\": PATH} (", e.what(), ")");
  }
}

Predictor load_predictor(const std::string& run_dir, const std::string& device, const InferOverrides& infer,
                         Config* config) {
  const std::string path = (fs::path(run_dir) / "weights.safetensors").string();
  require_exists(run_dir, "run folder");
  CMEMS_CHECK(fs::exists(path), path, ": no trained weights in this run folder (did training finish?)");
  LoadedWeights w = read_weights(path);
  Config c = parse_config(w.info.config_json, path + " (configuration in metadata)");
  if (!device.empty()) c.run.device = parse_enum<DeviceKind>(device, "option --device");
  for (auto& [key, text] : infer) {
    CMEMS_CHECK(key.compare(0, 6, "infer.") == 0, "option ", key, ": only infer.* options can change after training");
    if (!text.empty()) c.set(key, text);
  }
  c.validate();  // --models b of a one-model run fails here
  if (c.models == 1) c.infer.models = InferModels::A;
  const torch::Device dev = resolve_device(c.run.device);
  const auto classes = int64_t(w.info.class_names.size());
  const PlaneContext context = c.data.plane_context();
  std::vector<UNet> models;
  for (int64_t m = 0; m < c.models; ++m) models.emplace_back(unet_options(c.model, classes, m, context.channels()));
  load_models(w.file, models, path);
  for (auto& m : models) {
    m->to(dev);
    if (c.perf.channels_last) to_channels_last(m);
  }
  if (config) *config = c;
  return Predictor({c.data.size, c.infer, c.perf.channels_last, c.data.fit, context}, std::move(models),
                   w.info.class_names, w.info.normalisation);
}

Runner add_phantom(CLI::App& app) {
  auto* cmd = app.add_subcommand("phantom", "Write a synthetic cardiac-MRI-like dataset (nnU-Net v2 raw layout)");
  struct A {
    std::string out;
    PhantomOptions o;
    bool force = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--out", a->out, "output dataset folder")->required();
  cmd->add_option("--cases", a->o.cases, "training cases (imagesTr/labelsTr)")->capture_default_str();
  cmd->add_option("--test-cases", a->o.test_cases, "test cases (imagesTs/labelsTs)")->capture_default_str();
  cmd->add_option("--seed", a->o.seed, "random seed (same seed, same data)")->capture_default_str();
  cmd->add_flag("--force", a->force, "write into a non-empty folder");
  return [a] {
    prepare_output_dir(a->out, a->force);
    write_phantom_dataset(a->out, a->o);
    std::printf("wrote %lld training + %lld test cases to %s\n", (long long)a->o.cases, (long long)a->o.test_cases,
                a->out.c_str());
    return 0;
  };
}

Runner add_prepare(CLI::App& app) {
  auto* cmd = app.add_subcommand("prepare", "Convert ACDC HDF5, nnU-Net NIfTI or Synapse (TransUNet) data to the compact prepared form");
  struct A {
    std::string in, out;
    int level = 19;
    bool force = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--in", a->in, "dataset folder (any supported layout)")->required();
  cmd->add_option("--out", a->out, "prepared dataset folder")->required();
  cmd->add_option("--level", a->level, "zstd compression level")->capture_default_str()->check(CLI::Range(1, 22));
  cmd->add_flag("--force", a->force, "write into a non-empty folder");
  return [a] {
    auto reader = DatasetReader::open(a->in);
    CMEMS_CHECK(!path_is_within(a->out, a->in), a->out, ": refusing to write inside the input dataset ", a->in);
    prepare_output_dir(a->out, a->force);
    PrepareStats st = write_prepared(*reader, a->out, a->level);
    nlohmann::json j = {{"command", "cmems prepare --in " + a->in + " --out " + a->out + " --level " + std::to_string(a->level)},
                        {"source_kind", reader->kind()},
                        {"slices", st.slices},
                        {"volumes", st.volumes},
                        {"bytes_train_images", st.bytes_train_images},
                        {"bytes_train_labels", st.bytes_train_labels},
                        {"bytes_eval", st.bytes_eval},
                        {"max_abs_quantisation_error", st.max_abs_error},
                        {"max_relative_quantisation_error", st.max_relative_error}};
    write_file_atomic(fs::path(a->out) / "prepare_stats.json", j.dump(2) + "\n");
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  };
}

Runner add_list(CLI::App& app) {
  auto* cmd = app.add_subcommand("list", "List the methods and every option with its default");
  auto markdown = std::make_shared<bool>(false);
  cmd->add_flag("--markdown", *markdown, "print docs/config.md");
  return [markdown] {
    if (*markdown) {
      std::printf("# Options\n\nGenerated by `cmems list --markdown`. Precedence: defaults < method preset < "
                  "`--config FILE.json` < flags.\n\n%s",
                  config_markdown().c_str());
      return 0;
    }
    std::printf("methods:\n");
    for (auto& p : method_presets()) std::printf("  %-17s %s\n", p.name.c_str(), p.description.c_str());
    std::printf("\noptions (flag = default; [source]):\n");
    Config c;
    const OptionList options = c.options();  // named: a range-for over a temporary's member dangles
    for (auto& o : options.items())
      std::printf("  %-28s %-10s %s\n", o.flag().c_str(), o.get().dump().c_str(), o.help.c_str());
    return 0;
  };
}
}  // namespace cmems
