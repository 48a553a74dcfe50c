// `cmems synth`: write exemplar-guided synthesis samples (NIfTI + PNG overlays) to look at.
#include <cstdio>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "data/slices.hpp"
#include "io/dataset.hpp"
#include "io/nifti.hpp"
#include "io/png.hpp"
#include "core/labels.hpp"
#include "synth/synth.hpp"

namespace cmems {
namespace {
void write_sample(const fs::path& dir, const std::string& name, const torch::Tensor& img, const torch::Tensor& lab) {
  auto i = img.to(torch::kCPU).to(torch::kFloat).contiguous();
  auto l = lab.to(torch::kCPU).clamp(0, 255).to(torch::kByte).contiguous();
  const int64_t h = i.size(-2), w = i.size(-1);
  ImageVolume iv;
  iv.dims = {w, h, 1};
  iv.data.assign(i.data_ptr<float>(), i.data_ptr<float>() + w * h);
  LabelVolume lv;
  lv.dims = {w, h, 1};
  lv.data.assign(l.data_ptr<uint8_t>(), l.data_ptr<uint8_t>() + w * h);
  write_nifti((dir / (name + "_0000.nii.gz")).string(), iv);
  write_nifti((dir / (name + ".nii.gz")).string(), lv);
  write_png_rgb((dir / (name + ".png")).string(), w, h, overlay_rgb(iv.data, lv.data, w, h, uint8_t(kIgnore)));
}
}  // namespace

Runner add_synth(CLI::App& app) {
  auto* cmd = app.add_subcommand("synth", "Write exemplar-guided synthetic samples (NIfTI + PNG overlays) to look at");
  struct A {
    std::string data, out, config;
    int64_t n = 8;
    bool force = false;
    std::map<std::string, std::string> flags;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--data", a->data, "dataset folder")->required();
  cmd->add_option("--out", a->out, "output folder")->required();
  cmd->add_option("-n", a->n, "number of samples")->capture_default_str()->check(CLI::Range(1, 10000));
  cmd->add_option("--config", a->config, "JSON file of options");
  cmd->add_flag("--force", a->force, "write into a non-empty folder");
  add_config_flags(*cmd, a->flags);
  return [a] {
    Config c = resolve_config(a->flags, a->config);
    auto reader = DatasetReader::open(a->data, c.data.holdout);
    const std::string exemplar = reader->training_exemplar(c.run.exemplar, false);
    prepare_output_dir(a->out, a->force);
    apply_threads(c.run.threads);
    for (const std::string& s : resolve_plane_options(c.data, *reader, exemplar)) std::fprintf(stderr, "cmems: %s\n", s.c_str());
    TrainingData d = load_training_data(*reader, exemplar, LabelAccess::ExemplarOnly, c.data, torch::kCPU);
    Rng rng(static_cast<uint64_t>(c.seed));
    auto b = preview_samples(c.synthesis, d.exemplar_images(), d.exemplar_labels(), d.unlabeled, d.num_classes, a->n, rng);
    const auto& label = b.label;
    fs::path dir(a->out);
    for (int64_t e = 0; e < d.num_exemplars; ++e)
      write_sample(dir, e == 0 ? std::string("exemplar") : "exemplar_" + std::to_string(e + 1), d.labeled_images[e][d.centre_channel],
                   d.labeled_labels[e]);
    // the planes the exemplars' labels were propagated to (data.propagate_mm), in load order
    for (int64_t i = d.num_exemplars; i < d.labeled_images.size(0); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "propagated_%03lld", static_cast<long long>(i - d.num_exemplars));
      write_sample(dir, name, d.labeled_images[i][d.centre_channel], d.labeled_labels[i]);
    }
    for (int64_t i = 0; i < a->n; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "synth_%03lld", static_cast<long long>(i));
      write_sample(dir, name, b.image[i][d.centre_channel], label[i]);
    }
    std::printf("wrote the exemplar (%s), %lld propagated planes and %lld samples to %s (label 255 = ignored%s)\n",
                exemplar.c_str(), (long long)(d.labeled_images.size(0) - d.num_exemplars), (long long)a->n, a->out.c_str(),
                c.synthesis.outside == SynthOutside::CrossPseudo ? "; cross_pseudo needs models, shown as ignore" : "");
    return 0;
  };
}
}  // namespace cmems
