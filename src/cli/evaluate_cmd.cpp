// `cmems evaluate`: scores a run on a split of a dataset (predicting it), or a folder of
// predictions against a folder of labels; writes FILE.json + FILE.csv and prints a table.
// For two-model runs the report adds the QC score of every case and its Spearman
// correlation with the case's Dice.
#include <cmath>
#include <cstdio>
#include <optional>
#include <unistd.h>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "core/progress.hpp"
#include "eval/score_folder.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"

namespace cmems {
namespace {
/// The qc_score of every scored case from PRED/qc.json (written by `cmems predict` for a
/// two-model run), matched by case name; empty when there is no such file.
std::vector<CaseQc> read_qc_for(const fs::path& qc_file, const std::vector<CaseScore>& cases) {
  if (!fs::exists(qc_file)) return {};
  std::map<std::string, double> score;
  try {
    const auto j = read_json_file(qc_file);  // named: a range-for over a temporary's member dangles
    for (auto& q : j.at("cases")) score[q.at("case").get<std::string>()] = q.at("qc_score").get<double>();
  } catch (const nlohmann::json::exception& e) {
    CMEMS_FAIL(qc_file.string(), ": not a cmems qc.json (", e.what(), ")");
  }
  std::vector<CaseQc> out;
  for (auto& c : cases) {
    auto it = score.find(c.name);
    CMEMS_CHECK(it != score.end(), qc_file.string(), ": no QC for case ", c.name);
    CaseQc q;
    q.name = c.name;
    q.qc_score = it->second;
    out.push_back(q);
  }
  return out;
}

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

Evaluation evaluate_run(const std::string& run, const std::string& data, std::string split,
                        const std::string& device, const InferOverrides& infer, int64_t threads) {
  Config c;
  Predictor pred = load_predictor(run, device, infer, &c);
  apply_threads(threads, c);
  // The run's held-out cases are split "val" (of the data it trained on); other splits, and
  // other datasets, are read as they are.
  auto reader = DatasetReader::open(data, split == "val" ? c.data.holdout : "");
  CMEMS_CHECK(reader->class_names().size() == pred.class_names().size(), data, ": the dataset has ",
              reader->class_names().size(), " classes, the model ", pred.class_names().size());
  if (split.empty()) split = reader->default_split();
  Evaluation e{run, data, split, c.to_json()["infer"], {}, reader->class_names(), {}};
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

void write_reports(const std::string& json_path, const Evaluation& e) {
  fs::path p(json_path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  auto j = report_json(e.cases, e.class_names);
  if (!e.run.empty())
    j["evaluated"] = {{"run", e.run}, {"data", e.data}, {"split", e.split}, {"models", e.infer.at("models")}, {"infer", e.infer}};
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

Runner add_evaluate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Score predictions: --run RUN --data DIR (predict the test volumes), or --pred DIR --labels DIR");
  struct A {
    std::string run, data, split, out, pred, labels, device;
    InferOverrides infer;
    int num_classes = 0;
    int64_t threads = -1;
    bool force = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--run", a->run, "run folder to evaluate");
  cmd->add_option("--data", a->data, "dataset folder (with --run)");
  cmd->add_option("--split", a->split, "NIfTI: test (default) or train; ACDC: NAME of NAME.list (default val)");
  cmd->add_option("--pred", a->pred, "folder of predicted NIfTI label maps");
  cmd->add_option("--labels", a->labels, "folder of reference NIfTI label maps (matched by file name)");
  cmd->add_option("--num-classes", a->num_classes, "classes including background (default: max label + 1)");
  cmd->add_option("--out", a->out, "report FILE.json (FILE.csv is written beside it)")->required();
  cmd->add_option("--device", a->device, "cpu or cuda (default: the run's device)");
  cmd->add_flag("--force", a->force, "replace an existing report");
  add_infer_flags(*cmd, a->infer);
  add_threads_option(*cmd, a->threads);
  return [a] {
    CMEMS_CHECK(a->force || !fs::exists(a->out), a->out, ": report exists (use --force to replace it)");
    Evaluation ev;
    auto& cases = ev.cases;
    if (!a->run.empty()) {
      CMEMS_CHECK(!a->data.empty() && a->pred.empty(), "evaluate: --run needs --data (and no --pred)");
      ev = evaluate_run(a->run, a->data, a->split, a->device, a->infer, a->threads);
    } else {
      CMEMS_CHECK(!a->pred.empty() && !a->labels.empty(), "evaluate: give --run and --data, or --pred and --labels");
      cases = score_folder(a->pred, a->labels, a->num_classes);
      ev.qc = read_qc_for(fs::path(a->pred) / "qc.json", cases);
    }
    write_reports(a->out, ev);
    std::printf("%s", evaluation_table(ev).c_str());
    std::printf("report: %s\n", a->out.c_str());
    return 0;
  };
}

}  // namespace cmems
