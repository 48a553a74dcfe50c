// `cmems predict`: segments NIfTI images with a trained run; two-model runs also write
// their QC beside each segmentation (CASE_qc.nii.gz, CASE_entropy.nii.gz, qc.json).
#include <cstdio>
#include <optional>
#include <unistd.h>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/progress.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "io/nifti.hpp"

namespace cmems {
namespace {
/// qc.json: the definition, then one line per case.
std::string qc_file_text(const std::string& case_lines) {
  const std::string definition = std::string(kQcScoreDefinition) +
                                 ". CASE_qc.nii.gz: 1 where they differ. CASE_entropy.nii.gz: entropy of their "
                                 "mean softmax / log(classes), in [0, 1].";
  return "{\"definition\": " + nlohmann::json(definition).dump() + ",\n\"cases\": [\n" + case_lines + "\n]}\n";
}

}  // namespace

Runner add_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Segment NIfTI images with a trained run");
  struct A {
    std::string model, in, out, device;
    InferOverrides infer;
    int64_t threads = -1;
    bool force = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--model", a->model, "run folder (weights.safetensors)")->required();
  cmd->add_option("-i,--input", a->in, "a NIfTI image or a folder of them")->required();
  cmd->add_option("-o,--output", a->out, "output folder for CASE.nii.gz label maps")->required();
  cmd->add_option("--device", a->device, "cpu or cuda (default: the run's device)");
  cmd->add_flag("--force", a->force, "write into a non-empty output folder");
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
    Config c;
    Predictor pred = load_predictor(a->model, a->device, a->infer, &c);
    apply_threads(a->threads, c);
    prepare_output_dir(a->out, a->force);
    const bool qc = pred.num_models() == 2;
    if (!qc)
      std::fprintf(stderr, "cmems predict: a one-model run (%s): no two-model QC is written\n",
                   c.run.method.c_str());
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

}  // namespace cmems
