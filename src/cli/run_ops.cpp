// Shared CLI operations: configuration resolution, training and evaluation of runs, and
// the demo (phantom -> exemplar -> train -> evaluate -> table).
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>
#include <unistd.h>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/progress.hpp"
#include "data/slices.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "methods/method.hpp"
#include "model/device.hpp"
#include "phantom/phantom.hpp"
#include "train/loop.hpp"

namespace cmems {
namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_signal(int sig) {
  g_stop = true;
  std::signal(sig, SIG_DFL);  // a second signal ends the process at once
}
}  // namespace

void add_config_flags(CLI::App& cmd, std::map<std::string, std::string>& values) {
  Config c;
  for (auto& f : fields(c)) {
    std::string help = f.help;
    if (!f.choices.empty()) {
      help += " {";
      for (size_t i = 0; i < f.choices.size(); ++i) help += (i ? "|" : "") + f.choices[i];
      help += "}";
    }
    const char* type = f.type == FieldType::Int ? "INT" : f.type == FieldType::Real ? "FLOAT" : f.type == FieldType::Bool ? "BOOL" : "TEXT";
    cmd.add_option(f.flag(), values[f.key], help)->group("Options (see `cmems list`)")->type_name(type);
  }
}

Config resolve_config(const std::map<std::string, std::string>& flags, const std::string& config_file,
                      const Config* base) {
  Config c = base ? *base : Config{};
  nlohmann::json file = nlohmann::json::object();
  if (!config_file.empty()) {
    try {
      file = nlohmann::json::parse(read_file(config_file));
    } catch (const nlohmann::json::exception& e) {
      CMEMS_FAIL(config_file, ": malformed JSON (", e.what(), ")");
    }
    CMEMS_CHECK(file.is_object(), config_file, ": expected a JSON object of options");
  }
  std::string method = c.method;
  if (file.contains("method") && file["method"].is_string()) method = file["method"].get<std::string>();
  auto it = flags.find("method");
  if (it != flags.end() && !it->second.empty()) method = it->second;
  if (!base || method != c.method) apply_json(c, method_preset(method).patch, "method preset " + method);
  c.method = method;
  if (!config_file.empty()) apply_json(c, file, config_file);
  for (auto& [k, v] : flags)
    if (!v.empty()) set_field(c, k, v);
  validate(c);
  return c;
}

void add_threads_option(CLI::App& cmd, int64_t& flag) {
  cmd.add_option("--threads", flag, "CPU threads, 0 = all cores (default: the run's setting)")
      ->check(CLI::Range(int64_t(0), int64_t(4096)));
}

void apply_threads(int64_t threads) {
  int n = threads > 0 ? int(threads) : int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
}

namespace {
// Scores the live models, as `cmems evaluate` would (the models' softmax averaged), on the
// validation split; the volumes are read once.
ValidationFn validation_fn(const DatasetReader& reader, const Config& c, const RunInfo& info) {
  const std::string split = c.val_split.empty() ? reader.default_split() : c.val_split;
  auto volumes = std::make_shared<std::vector<CaseVolume>>();
  for (auto& name : reader.cases(split)) {
    volumes->push_back(reader.volume(split, name));
    CMEMS_CHECK(!volumes->back().label.data.empty(), name, ": option --val-every needs labels for the '", split,
                "' split");
  }
  const int num_classes = int(info.class_names.size());
  return [c, info, volumes, num_classes](std::vector<UNet>& models) {
    Predictor pred(c, models, info.class_names, info.normalisation);
    std::vector<CaseScore> cases;
    for (auto& v : *volumes)
      cases.push_back(score_case(v.name, pred.predict(v.image).data, v.label.data, num_classes, v.image.dims,
                                 v.image.geometry.spacing));
    Summary s = summarise(cases);
    return nlohmann::json{{"val_dice", s.mean_dice}, {"val_hd95", s.mean_hd95}};
  };
}
}  // namespace

double run_training(Config c, const std::string& data, const std::string& run, bool force, bool resume,
                    bool live) {
  auto reader = DatasetReader::open(data);
  fs::path cfg_path = fs::path(run) / "config.json";
  if (resume) {
    require_exists(cfg_path, "run configuration (nothing to resume)");
    // A resumed run keeps its saved configuration; only the length, device and thread
    // count may change.
    Config saved;
    try {
      apply_json(saved, nlohmann::json::parse(read_file(cfg_path)), cfg_path.string());
    } catch (const nlohmann::json::exception& e) {
      CMEMS_FAIL(cfg_path.string(), ": malformed JSON (", e.what(), ")");
    }
    saved.iterations = c.iterations;
    saved.device = c.device;
    saved.threads = c.threads;
    c = saved;
  }
  prepare_output_dir(run, force, resume);
  CMEMS_CHECK(c.device != "cuda" || torch::cuda::is_available(), "option --device cuda: no CUDA device available");
  apply_threads(c);
  set_cudnn_benchmark(c.cudnn_benchmark);
  if (c.exemplar.empty() && !needs_all_labels(c)) c.exemplar = reader->default_exemplar();
  if (needs_all_labels(c)) c.exemplar = "";
  write_file_atomic(cfg_path, to_json(c).dump(2) + "\n");
  const torch::Device dev = c.device == "cuda" ? torch::kCUDA : torch::kCPU;
  TrainingData d = load_training_data(*reader, c.exemplar, needs_all_labels(c) ? LabelAccess::All : LabelAccess::ExemplarOnly,
                                      c.size, dev);
  std::fprintf(stderr, "cmems: method %s, exemplar %s, %lld unlabeled slices, %lld iterations on %s\n", c.method.c_str(),
               c.exemplar.empty() ? "(all labels)" : c.exemplar.c_str(), (long long)d.unlabeled.size(0),
               (long long)c.iterations, c.device.c_str());
  RunInfo info{to_json(c).dump(), reader->class_names(), reader->normalisation()};
  TrainOptions o;
  o.run_dir = run;
  o.resume = resume;
  o.live_progress = live;
  o.stop = &g_stop;
  if (c.val_every > 0) o.validate = validation_fn(*reader, c, info);
  g_stop = false;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  TrainResult r = train(c, d, info, o);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (r.interrupted) {
    std::fprintf(stderr, "cmems: stopped at iteration %lld; checkpoint written. Continue with --resume.\n",
                 (long long)r.iterations_done);
    std::exit(130);
  }
  return r.seconds;
}

Evaluation evaluate_run(const std::string& run, const std::string& data, std::string split,
                        const std::string& device, const std::string& models, int64_t threads) {
  Predictor pred = Predictor::load(run, device, models);
  apply_threads(threads, pred.config());
  auto reader = DatasetReader::open(data);
  CMEMS_CHECK(reader->class_names().size() == pred.class_names().size(), data, ": the dataset has ",
              reader->class_names().size(), " classes, the model ", pred.class_names().size());
  if (split.empty()) split = reader->default_split();
  Evaluation e{run, data, split, pred.config().infer_models, {}, reader->class_names(), {}};
  auto& out = e.cases;
  const auto names = reader->cases(split);
  std::optional<Progress> progress;  // on a terminal only: logs stay one line per result
  if (isatty(2)) progress.emplace(0, int64_t(names.size()), true, "case");
  for (auto& name : names) {
    if (progress) progress->update(int64_t(out.size()), name);
    CaseVolume v = reader->volume(split, name);
    CMEMS_CHECK(!v.label.data.empty(), name, ": no reference label to evaluate against");
    QcMaps qc;
    LabelVolume p = pred.predict(v.image, &qc);
    out.push_back(score_case(name, p.data, v.label.data, reader->num_classes(), v.image.dims, v.image.geometry.spacing));
    if (pred.num_models() == 2)
      e.qc.push_back(qc_case(name, qc.model_a.data, qc.model_b.data, reader->num_classes(), spacing_mm(v.image.geometry)));
  }
  if (progress) progress->update(int64_t(out.size()), ""), progress->finish();
  return e;
}

namespace {
double case_mean_dice(const CaseScore& c) {
  double s = 0;
  for (auto& [k, v] : c.classes) s += v.dice;
  return c.classes.empty() ? 0.0 : s / double(c.classes.size());
}

double qc_rho(const Evaluation& e) {
  std::vector<double> q, d;
  for (size_t i = 0; i < e.qc.size(); ++i) q.push_back(e.qc[i].qc_score), d.push_back(case_mean_dice(e.cases[i]));
  return spearman(q, d);
}
}  // namespace

void write_reports(const std::string& json_path, const Evaluation& e) {
  fs::path p(json_path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  auto j = report_json(e.cases, e.class_names);
  if (!e.run.empty()) j["evaluated"] = {{"run", e.run}, {"data", e.data}, {"split", e.split}, {"models", e.models}};
  if (!e.qc.empty()) {
    for (size_t i = 0; i < e.qc.size(); ++i) j["cases"][i]["qc"] = qc_json(e.qc[i], e.class_names);
    const double rho = qc_rho(e);
    j["qc"] = {{"spearman_qc_score_vs_case_dice", std::isnan(rho) ? nlohmann::json(nullptr) : nlohmann::json(rho)},
               {"cases", e.qc.size()},
               {"definition", std::string(kQcScoreDefinition) + "; case Dice = mean over classes; useful if rho <= -0.5"}};
  }
  write_file_atomic(p, j.dump(2) + "\n");
  fs::path csv = p;
  csv.replace_extension(".csv");
  write_file_atomic(csv, report_csv(e.cases));
}

std::string evaluation_table(const Evaluation& e) {
  std::string t = report_table(e.cases, e.class_names);
  if (!e.qc.empty()) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "QC: Spearman rho of qc_score against the case's Dice = %.3f over %zu cases\n",
                  qc_rho(e), e.qc.size());
    t += buf;
  }
  return t;
}

Runner add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Phantom data -> one exemplar -> train CMEMS -> evaluate -> table");
  struct A {
    std::string out = "cmems_demo";
    std::string method = "cmems";
    int64_t iterations = 1000;
    int64_t seed = 1337;
    std::string exemplar;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--out", a->out, "demo folder (data/, run/, eval.json)")->capture_default_str();
  cmd->add_option("--method", a->method, "method to train")->capture_default_str();
  cmd->add_option("--iterations", a->iterations, "training iterations")->capture_default_str();
  cmd->add_option("--seed", a->seed, "random seed")->capture_default_str();
  cmd->add_option("--exemplar", a->exemplar, "exemplar slice (CASE:K); default: the documented rule");
  return [a] {
    Progress clock(0, 1, false);
    fs::path root(a->out), marker = root / ".cmems-demo";
    CMEMS_CHECK(!fs::exists(root) || fs::is_empty(root) || fs::exists(marker), a->out,
                ": exists and is not a cmems demo folder; choose another --out");
    fs::remove_all(root / "run");
    fs::create_directories(root);
    write_file_atomic(marker, "cmems demo folder: `cmems demo` may replace its content\n");
    if (!fs::exists(root / "data" / "dataset.json")) {
      std::fprintf(stderr, "cmems demo: writing phantom data to %s\n", (root / "data").c_str());
      fs::remove_all(root / "data");
      fs::create_directories(root / "data");
      write_phantom_dataset((root / "data").string(), PhantomOptions{});
    }
    // The demo preset: CMEMS at a CPU-friendly size (see docs/RESULTS.md for its cost).
    std::map<std::string, std::string> flags = {{"method", a->method},
                                                {"iterations", std::to_string(a->iterations)},
                                                {"seed", std::to_string(a->seed)},
                                                {"exemplar", a->exemplar},
                                                {"data.size", "64"},
                                                {"model.width", "8"},
                                                {"batch.labeled", "4"},
                                                {"batch.unlabeled", "4"},
                                                {"log_every", "10"},
                                                {"checkpoint_every", "100"}};
    Config c = resolve_config(flags, "");
    double train_s = run_training(c, (root / "data").string(), (root / "run").string(), false, false, isatty(2));
    auto ev = evaluate_run((root / "run").string(), (root / "data").string(), "", "", "");
    write_reports((root / "eval.json").string(), ev);
    std::printf("\nCMEMS demo: %s trained from ONE annotated slice (%s), %lld iterations, %.0f s training\n",
                c.method.c_str(), nlohmann::json::parse(read_file(root / "run" / "config.json"))["exemplar"]
                                      .get<std::string>().c_str(),
                (long long)c.iterations, train_s);
    std::printf("%s", evaluation_table(ev).c_str());
    std::printf("run folder: %s\nreport: %s\ntotal time: %s\n", (root / "run").c_str(), (root / "eval.json").c_str(),
                format_duration(clock.seconds()).c_str());
    return 0;
  };
}
}  // namespace cmems
