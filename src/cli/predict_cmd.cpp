// `cmems predict`: segments NIfTI images with a trained run; two-model runs also write
// their QC beside each segmentation (CASE_qc.nii.gz, CASE_entropy.nii.gz, qc.json).
#include <cstdio>
#include <map>
#include <optional>
#include <unistd.h>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "core/progress.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "io/nifti.hpp"

namespace cmems {
namespace {
/// qc.json: the definition, then one line per case. A part of a sharded predict (--parts)
/// writes qc_part_I_of_N.json, which also says which part it is and each case's place in the
/// whole input list; `cmems qc-merge` joins the parts into the qc.json of one predict.
std::string qc_file_text(const std::string& case_lines, const std::string& part_fields = "") {
  const std::string definition = std::string(kQcScoreDefinition) +
                                 ". CASE_qc.nii.gz: 1 where they differ. CASE_entropy.nii.gz: entropy of their "
                                 "mean softmax / log(classes), in [0, 1].";
  return "{\"definition\": " + nlohmann::json(definition).dump() + ",\n" + part_fields + "\"cases\": [\n" + case_lines +
         "\n]}\n";
}

std::string qc_part_name(int64_t part, int64_t parts) {
  return "qc_part_" + std::to_string(part) + "_of_" + std::to_string(parts) + ".json";
}

}  // namespace

Runner add_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Segment NIfTI images with a trained run");
  struct A {
    std::string model, in, out, device;
    InferOverrides infer;
    int64_t threads = -1, parts = 1, part_id = 0;
    bool force = false, probabilities = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--model", a->model, "run folder (weights.safetensors)")->required();
  cmd->add_option("-i,--input", a->in, "a NIfTI image or a folder of them")->required();
  cmd->add_option("-o,--output", a->out, "output folder for CASE.nii.gz label maps")->required();
  cmd->add_option("--device", a->device, "cpu or cuda (default: the run's device)");
  cmd->add_flag("--force", a->force, "write into a non-empty output folder (with --parts: overwrite this part's files)");
  cmd->add_option("--parts", a->parts, "split the sorted inputs into this many parts (nnU-Net's -num_parts): one predict per part, on as many machines, into one output folder; then `cmems qc-merge`")
      ->capture_default_str()->check(CLI::Range(int64_t(1), int64_t(100000)));
  cmd->add_option("--part-id", a->part_id, "which part this predict does, 0..parts-1: inputs part-id, part-id + parts, ... (nnU-Net's -part_id)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_flag("--save-probabilities", a->probabilities, "also write CASE_probabilities.nii.gz: the class probabilities (4-D float, x y z class; the input's geometry; before the connected-component step), from a second pass");
  add_infer_flags(*cmd, a->infer);
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
    CMEMS_CHECK(a->part_id < a->parts, "--part-id ", a->part_id, ": must be below --parts ", a->parts);
    std::vector<int64_t> index;  // this part's inputs, by their place in the whole list
    for (int64_t i = a->part_id; i < int64_t(inputs.size()); i += a->parts) index.push_back(i);
    auto case_name = [](const fs::path& p) {
      std::string name = p.filename().string();
      name = name.substr(0, name.find(".nii"));
      if (name.size() > 5 && name.compare(name.size() - 5, 5, "_0000") == 0) name.resize(name.size() - 5);
      return name;
    };
    Config c;
    Predictor pred = load_predictor(a->model, a->device, a->infer, &c);
    apply_threads(a->threads, c);
    const bool qc = pred.num_models() == 2;
    if (a->parts == 1) {
      prepare_output_dir(a->out, a->force);
    } else {  // the other parts write into the same folder: only this part's files must be new
      prepare_output_dir(a->out, /*force=*/true);
      std::vector<std::string> mine;
      for (auto i : index) {
        const std::string n = case_name(inputs[size_t(i)]);
        for (const char* suffix : {".nii.gz", "_qc.nii.gz", "_entropy.nii.gz", "_probabilities.nii.gz"}) mine.push_back(n + suffix);
      }
      if (qc) mine.push_back(qc_part_name(a->part_id, a->parts));
      for (auto& f : mine)
        CMEMS_CHECK(a->force || !fs::exists(fs::path(a->out) / f), (fs::path(a->out) / f).string(),
                    ": already written (another predict of this part?); use --force to overwrite");
    }
    if (!qc)
      std::fprintf(stderr, "cmems predict: a one-model run (%s): no two-model QC is written\n",
                   c.run.method.c_str());
    std::string qc_lines;
    std::optional<Progress> progress;  // on a terminal only
    if (isatty(2) && index.size() > 1) progress.emplace(0, int64_t(index.size()), true, "case");
    int64_t done = 0;
    std::vector<int64_t> qc_index;
    for (auto i : index) {
      const fs::path& p = inputs[size_t(i)];
      if (progress) progress->update(done, p.filename().string());
      ImageVolume img = read_nifti_image(p.string());
      if (pred.normalisation() != "as_stored") normalise_volume(img, pred.normalisation());
      QcMaps maps;
      LabelVolume lab = pred.predict(img, qc ? &maps : nullptr);
      const std::string name = case_name(p);
      auto out = fs::path(a->out) / (name + ".nii.gz");
      write_nifti(out.string(), lab);
      if (qc) {  // CASE_qc: 1 where the two models' labels differ; CASE_entropy: see QcMaps
        write_nifti((fs::path(a->out) / (name + "_qc.nii.gz")).string(), maps.disagreement());
        write_nifti((fs::path(a->out) / (name + "_entropy.nii.gz")).string(), maps.entropy);
        auto q = qc_case(name, maps.model_a.data, maps.model_b.data, int(pred.class_names().size()),
                         spacing_mm(img.geometry));
        qc_lines += (qc_lines.empty() ? "" : ",\n") + qc_json(q, pred.class_names()).dump();
        qc_index.push_back(i);
      }
      if (a->probabilities)
        write_nifti_channels((fs::path(a->out) / (name + "_probabilities.nii.gz")).string(), pred.probability_volume(img),
                             int64_t(pred.class_names().size()));
      if (progress) std::fprintf(stderr, "\r\033[K");  // the result line replaces the progress line
      std::printf("%s -> %s\n", p.string().c_str(), out.string().c_str());
      std::fflush(stdout);
      ++done;
    }
    if (progress) progress->update(done, ""), progress->finish();
    if (qc && a->parts == 1) write_file_atomic(fs::path(a->out) / "qc.json", qc_file_text(qc_lines));
    if (qc && a->parts > 1) {
      const std::string fields = "\"part\": " + std::to_string(a->part_id) + ", \"parts\": " + std::to_string(a->parts) +
                                 ", \"inputs\": " + std::to_string(inputs.size()) + ", \"index\": " + nlohmann::json(qc_index).dump() + ",\n";
      write_file_atomic(fs::path(a->out) / qc_part_name(a->part_id, a->parts), qc_file_text(qc_lines, fields));
    }
    return 0;
  };
}

Runner add_qc_merge(CLI::App& app) {
  auto* cmd = app.add_subcommand("qc-merge", "Join the QC parts of a sharded predict (--parts) into one qc.json");
  auto dir = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("folder", *dir, "the output folder every part wrote into")->required();
  cmd->add_flag("--force", *force, "replace an existing qc.json");
  return [dir, force] {
    require_exists(*dir, "predict output folder");
    const fs::path out = fs::path(*dir) / "qc.json";
    CMEMS_CHECK(*force || !fs::exists(out), out.string(), ": exists; use --force to replace it");
    std::map<int64_t, nlohmann::json> parts;  // part id -> its file
    int64_t n = 0, inputs = 0;
    for (auto& e : fs::directory_iterator(*dir)) {
      const std::string f = e.path().filename().string();
      if (f.rfind("qc_part_", 0) != 0 || f.size() < 5 || f.compare(f.size() - 5, 5, ".json") != 0) continue;
      nlohmann::json j = read_json_file(e.path());
      try {
        const int64_t id = j.at("part").get<int64_t>(), k = j.at("parts").get<int64_t>(), m = j.at("inputs").get<int64_t>();
        CMEMS_CHECK(j.at("index").size() == j.at("cases").size(), e.path().string(), ": as many indices as cases expected");
        CMEMS_CHECK(n == 0 || (k == n && m == inputs), e.path().string(), ": a part of a predict into ", k,
                    " parts of ", m, " inputs, where the others are of ", n, " parts of ", inputs);
        n = k, inputs = m;
        parts[id] = std::move(j);
      } catch (const nlohmann::json::exception& ex) {
        CMEMS_FAIL(e.path().string(), ": not a QC part of cmems predict (", ex.what(), ")");
      }
    }
    CMEMS_CHECK(n > 0, *dir, ": no qc_part_*_of_*.json (write them with predict --parts N --part-id I)");
    for (int64_t i = 0; i < n; ++i)
      CMEMS_CHECK(parts.count(i), (fs::path(*dir) / qc_part_name(i, n)).string(), ": missing (part ", i, " of ", n,
                  " has not been predicted)");
    std::map<int64_t, std::string> cases;  // place in the whole input list -> the case's line
    for (auto& [id, j] : parts)
      for (size_t k = 0; k < j["cases"].size(); ++k) cases[j["index"][k].get<int64_t>()] = j["cases"][k].dump();
    std::string lines;
    for (auto& [i, line] : cases) lines += (lines.empty() ? "" : ",\n") + line;
    write_file_atomic(out, qc_file_text(lines));
    std::printf("%s: %zu cases from %lld parts\n", out.string().c_str(), cases.size(), (long long)n);
    return 0;
  };
}

}  // namespace cmems
