// Subcommands phantom, train, evaluate, predict, list.
#include "cli/commands.hpp"

#include <cstdio>
#include <iostream>
#include <optional>
#include <unistd.h>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/progress.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "io/nifti.hpp"
#include "io/prepared.hpp"
#include "phantom/phantom.hpp"

namespace cmems {
namespace {
/// qc.json: the definition, then one line per case.
std::string qc_file_text(const std::string& case_lines) {
  const std::string definition = std::string(kQcScoreDefinition) +
                                 ". CASE_qc.nii.gz: 1 where they differ. CASE_entropy.nii.gz: entropy of their "
                                 "mean softmax / log(classes), in [0, 1].";
  return "{\"definition\": " + nlohmann::json(definition).dump() + ",\n\"cases\": [\n" + case_lines + "\n]}\n";
}

/// The qc_score of every scored case from PRED/qc.json (written by `cmems predict` for a
/// two-model run), matched by case name; empty when there is no such file.
std::vector<CaseQc> read_qc_for(const fs::path& qc_file, const std::vector<CaseScore>& cases) {
  if (!fs::exists(qc_file)) return {};
  std::map<std::string, double> score;
  try {
    const auto j = nlohmann::json::parse(read_file(qc_file));  // named: a range-for over a temporary's member dangles
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
}  // namespace

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
    run_training(resolve_config(a->flags, a->config), a->data, a->out, a->force, a->resume, isatty(2));
    std::printf("run folder: %s\n", a->out.c_str());
    return 0;
  };
}

Runner add_evaluate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Score predictions: --run RUN --data DIR (predict the test volumes), or --pred DIR --labels DIR");
  struct A {
    std::string run, data, split, out, pred, labels, device, models;
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
  cmd->add_option("--models", a->models, "a, b or both (two-model methods)");
  cmd->add_flag("--force", a->force, "replace an existing report");
  add_threads_option(*cmd, a->threads);
  return [a] {
    CMEMS_CHECK(a->force || !fs::exists(a->out), a->out, ": report exists (use --force to replace it)");
    Evaluation ev;
    auto& cases = ev.cases;
    if (!a->run.empty()) {
      CMEMS_CHECK(!a->data.empty() && a->pred.empty(), "evaluate: --run needs --data (and no --pred)");
      ev = evaluate_run(a->run, a->data, a->split, a->device, a->models, a->threads);
    } else {
      CMEMS_CHECK(!a->pred.empty() && !a->labels.empty(), "evaluate: give --run and --data, or --pred and --labels");
      require_exists(a->pred, "prediction folder");
      require_exists(a->labels, "label folder");
      std::vector<std::string> files;
      for (auto& e : fs::directory_iterator(a->labels)) {
        auto n = e.path().filename().string();
        if (n.size() > 4 && (n.rfind(".nii.gz") == n.size() - 7 || n.rfind(".nii") == n.size() - 4)) files.push_back(n);
      }
      std::sort(files.begin(), files.end());
      CMEMS_CHECK(!files.empty(), a->labels, ": no NIfTI label maps (*.nii.gz, *.nii)");
      std::vector<std::pair<LabelVolume, LabelVolume>> pairs;
      int max_label = 0;
      for (auto& n : files) {
        auto pp = fs::path(a->pred) / n;
        CMEMS_CHECK(fs::exists(pp), pp.string(), ": prediction missing for reference ", n);
        auto t = read_nifti_labels((fs::path(a->labels) / n).string());
        auto p = read_nifti_labels(pp.string());
        CMEMS_CHECK(p.dims == t.dims, pp.string(), ": shape differs from the reference's");
        for (auto v : t.data) max_label = std::max<int>(max_label, v);
        for (auto v : p.data) max_label = std::max<int>(max_label, v);
        pairs.emplace_back(std::move(p), std::move(t));
      }
      int nc = a->num_classes > 0 ? a->num_classes : max_label + 1;
      for (size_t i = 0; i < files.size(); ++i) {
        auto& [p, t] = pairs[i];
        std::string name = files[i].substr(0, files[i].find(".nii"));
        cases.push_back(score_case(name, p.data, t.data, nc, t.dims, t.geometry.spacing));
      }
      ev.qc = read_qc_for(fs::path(a->pred) / "qc.json", cases);
    }
    write_reports(a->out, ev);
    std::printf("%s", evaluation_table(ev).c_str());
    std::printf("report: %s\n", a->out.c_str());
    return 0;
  };
}

Runner add_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Segment NIfTI images with a trained run");
  struct A {
    std::string model, in, out, device, models;
    int64_t threads = -1;
    bool force = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--model", a->model, "run folder (weights.safetensors)")->required();
  cmd->add_option("-i,--input", a->in, "a NIfTI image or a folder of them")->required();
  cmd->add_option("-o,--output", a->out, "output folder for CASE.nii.gz label maps")->required();
  cmd->add_option("--device", a->device, "cpu or cuda (default: the run's device)");
  cmd->add_option("--models", a->models, "a, b or both (two-model methods)");
  cmd->add_flag("--force", a->force, "write into a non-empty output folder");
  add_threads_option(*cmd, a->threads);
  return [a] {
    require_exists(a->in, "input");
    std::vector<fs::path> inputs;
    fs::path in_dir = fs::is_directory(a->in) ? fs::path(a->in) : fs::path(a->in).parent_path();
    if (in_dir.empty()) in_dir = ".";
    CMEMS_CHECK(!path_is_within(a->out, in_dir), a->out,
                ": refusing to write predictions into the input folder ", in_dir.string());
    if (fs::is_directory(a->in)) {
      for (auto& e : fs::directory_iterator(a->in)) {
        auto n = e.path().filename().string();
        if (n.size() > 7 && n.compare(n.size() - 7, 7, ".nii.gz") == 0) inputs.push_back(e.path());
        else if (n.size() > 4 && n.compare(n.size() - 4, 4, ".nii") == 0) inputs.push_back(e.path());
      }
      std::sort(inputs.begin(), inputs.end());
      CMEMS_CHECK(!inputs.empty(), a->in, ": no NIfTI images (*.nii.gz, *.nii)");
    } else {
      inputs.push_back(a->in);
    }
    Predictor pred = Predictor::load(a->model, a->device, a->models);
    apply_threads(a->threads, pred.config());
    prepare_output_dir(a->out, a->force);
    const bool qc = pred.num_models() == 2;
    if (!qc)
      std::fprintf(stderr, "cmems predict: a one-model run (%s): no two-model QC is written\n",
                   pred.config().method.c_str());
    std::string qc_lines;
    std::optional<Progress> progress;  // on a terminal only
    if (isatty(2) && inputs.size() > 1) progress.emplace(0, int64_t(inputs.size()), true, "case");
    int64_t done = 0;
    for (auto& p : inputs) {
      if (progress) progress->update(done, p.filename().string());
      ImageVolume img = read_nifti_image(p.string());
      if (pred.normalisation() != "as_stored") normalise_volume(img, pred.normalisation());
      QcMaps maps;
      LabelVolume lab = pred.predict(img, qc ? &maps : nullptr);
      std::string name = p.filename().string();
      name = name.substr(0, name.find(".nii"));
      if (name.size() > 5 && name.compare(name.size() - 5, 5, "_0000") == 0) name.resize(name.size() - 5);
      auto out = fs::path(a->out) / (name + ".nii.gz");
      write_nifti(out.string(), lab);
      if (qc) {  // CASE_qc: 1 where the two models' labels differ; CASE_entropy: see QcMaps
        write_nifti((fs::path(a->out) / (name + "_qc.nii.gz")).string(), maps.disagreement());
        write_nifti((fs::path(a->out) / (name + "_entropy.nii.gz")).string(), maps.entropy);
        auto q = qc_case(name, maps.model_a.data, maps.model_b.data, int(pred.class_names().size()),
                         spacing_mm(img.geometry));
        qc_lines += (qc_lines.empty() ? "" : ",\n") + qc_json(q, pred.class_names()).dump();
      }
      if (progress) std::fprintf(stderr, "\r\033[K");  // the result line replaces the progress line
      std::printf("%s -> %s\n", p.string().c_str(), out.string().c_str());
      std::fflush(stdout);
      ++done;
    }
    if (progress) progress->update(done, ""), progress->finish();
    if (qc) write_file_atomic(fs::path(a->out) / "qc.json", qc_file_text(qc_lines));
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
    nlohmann::json j = to_json(c);
    for (auto& f : fields(c)) {
      nlohmann::json v = j[nlohmann::json::json_pointer("/" + [&] {
        std::string k = f.key;
        for (auto& ch : k)
          if (ch == '.') ch = '/';
        return k;
      }())];
      std::printf("  %-28s %-10s %s\n", f.flag().c_str(), v.dump().c_str(), f.help.c_str());
    }
    return 0;
  };
}
}  // namespace cmems
