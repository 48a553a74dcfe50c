// `cmems suggest`: which training slice to annotate next. A two-model run's models label every
// unlabeled training slice (the exemplars left out); the slices where they disagree most come
// first, by --rank: pixels (the default: the share of the slice's pixels where the two models'
// labels differ, large disputed regions first) or qc (the per-slice form of qc_score,
// eval/qc.hpp: 1 − inter-model Dice, highest where a structure is tiny or one model alone sees
// it). On the annotation curve (docs/RESULTS.md) pixels beat random picks at 2 and 4 slices and
// qc did not. Prints the top K, and with --out writes suggest.json and a PNG of each (the slice,
// model a's labels, model b's labels).
#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "data/slices.hpp"
#include "eval/qc.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "io/png.hpp"
#include "model/device.hpp"

namespace cmems {
namespace {
struct Scored {
  std::string id;
  double score = 0;
  size_t at = 0;  // index among the slices
};

// Slice, model a's labels and model b's labels side by side.
std::vector<uint8_t> preview(const torch::Tensor& img, const torch::Tensor& la, const torch::Tensor& lb) {
  const int64_t h = img.size(-2), w = img.size(-1);
  auto i = img.to(torch::kCPU).to(torch::kFloat).contiguous().view({h, w});
  std::vector<float> pixels(i.data_ptr<float>(), i.data_ptr<float>() + h * w);
  auto lab = [&](const torch::Tensor& l) {
    auto c = l.to(torch::kCPU).to(torch::kByte).contiguous();
    return std::vector<uint8_t>(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + h * w);
  };
  const std::vector<uint8_t> none(size_t(h * w), 0);
  std::vector<std::vector<uint8_t>> parts{overlay_rgb(pixels, none, w, h), overlay_rgb(pixels, lab(la), w, h),
                                          overlay_rgb(pixels, lab(lb), w, h)};
  std::vector<uint8_t> out(size_t(3 * w * h * 3));
  for (int64_t y = 0; y < h; ++y)
    for (size_t k = 0; k < parts.size(); ++k)
      std::copy_n(parts[k].begin() + y * w * 3, w * 3, out.begin() + (y * 3 * w + int64_t(k) * w) * 3);
  return out;
}
}  // namespace

Runner add_suggest(CLI::App& app) {
  auto* cmd = app.add_subcommand("suggest", "Rank the unlabeled training slices by the two models' disagreement: which slice to annotate next");
  struct A {
    std::string run, data, out, device, rank = "pixels";
    int64_t n = 5, threads = -1;
    bool force = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--run", a->run, "a two-model run folder")->required();
  cmd->add_option("--data", a->data, "the dataset the run was trained on (default: the one its data.json names)");
  cmd->add_option("-n", a->n, "how many slices to suggest")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--rank", a->rank,
                  "pixels: the share of the slice's pixels where the two models' labels differ; qc: 1 - their Dice on the slice (qc_score)")
      ->capture_default_str()
      ->check(CLI::IsMember({"pixels", "qc"}));
  cmd->add_option("--out", a->out, "folder for suggest.json and a PNG of each suggested slice");
  cmd->add_option("--device", a->device, "cpu or cuda (default: the run's device)");
  cmd->add_flag("--force", a->force, "write into a non-empty --out folder");
  add_threads_option(*cmd, a->threads);
  return [a] {
    Config c;
    Predictor pred = load_predictor(a->run, a->device, {}, &c);
    apply_threads(a->threads, c);
    CMEMS_CHECK(pred.num_models() == 2, a->run, ": a one-model run (", c.run.method,
                "); suggest ranks slices by the disagreement of a two-model run's models");
    const std::string data = run_data_path(a->run, a->data);
    if (!a->out.empty()) prepare_output_dir(a->out, a->force);
    auto reader = DatasetReader::open(data, c.data.holdout);
    std::vector<std::string> exemplars;
    if (!c.run.exemplar.empty()) exemplars = exemplar_ids(c.run.exemplar);
    const std::vector<Image2D> slices = unlabeled_images(*reader, exemplars);
    CMEMS_CHECK(!slices.empty(), data, ": no unlabeled training slice to rank");
    const int64_t size = c.data.size, batch = std::max<int64_t>(1, c.infer.batch);
    const int k = int(pred.class_names().size());
    const torch::Device dev = resolve_device(c.run.device);  // load_predictor applied --device
    // each slice as training saw it: with its neighbouring planes (data.context) as channels
    std::vector<std::string> ids;
    std::vector<torch::Tensor> planes;
    for (auto& s : slices) ids.push_back(s.id), planes.push_back(resize_image(s, size, c.data.fit));
    const torch::Tensor inputs = stack_with_context(ids, planes, c.data.plane_context());
    planes.clear();
    const bool pixels = a->rank == "pixels";
    std::vector<Scored> scored;
    for (size_t i0 = 0; i0 < slices.size(); i0 += size_t(batch)) {
      auto x = inputs.narrow(0, int64_t(i0), int64_t(std::min(slices.size() - i0, size_t(batch)))).to(dev);
      auto la = pred.model_probabilities(0, x).argmax(1).to(torch::kByte).to(torch::kCPU).contiguous();
      auto lb = pred.model_probabilities(1, x).argmax(1).to(torch::kByte).to(torch::kCPU).contiguous();
      for (int64_t j = 0; j < x.size(0); ++j) {
        const uint8_t* pa = la[j].data_ptr<uint8_t>();
        const uint8_t* pb = lb[j].data_ptr<uint8_t>();
        std::vector<uint8_t> va(pa, pa + size * size), vb(pb, pb + size * size);
        const size_t at = i0 + size_t(j);
        const CaseQc q = qc_case(slices[at].id, va, vb, k, {1.0, 1.0, 1.0});
        scored.push_back({slices[at].id, pixels ? double(q.disagreement_voxels) / double(size * size) : q.qc_score, at});
      }
    }
    std::stable_sort(scored.begin(), scored.end(), [](const Scored& x, const Scored& y) { return x.score > y.score; });
    scored.resize(std::min(scored.size(), size_t(a->n)));
    nlohmann::json j = {{"definition", pixels ? std::string("score: the share of the slice's pixels where model a's and model b's "
                                                            "labels differ, at the run's training size; the highest first")
                                              : "score: qc_score of the slice (" + std::string(kQcScoreDefinition) +
                                                    "), at the run's training size; the highest first"},
                        {"rank", a->rank},
                        {"run", a->run},
                        {"data", data},
                        {"slices_ranked", slices.size()},
                        {"suggested", nlohmann::json::array()}};
    for (size_t r = 0; r < scored.size(); ++r) {
      std::printf("%zu\t%s\t%.4f\n", r + 1, scored[r].id.c_str(), scored[r].score);
      j["suggested"].push_back({{"rank", r + 1}, {"slice", scored[r].id}, {"score", scored[r].score}});
      if (!a->out.empty()) {
        auto x = inputs[int64_t(scored[r].at)].unsqueeze(0).to(dev);
        auto la = pred.model_probabilities(0, x).argmax(1)[0], lb = pred.model_probabilities(1, x).argmax(1)[0];
        std::string name = scored[r].id;
        std::replace(name.begin(), name.end(), ':', '_');
        write_png_rgb((fs::path(a->out) / (std::to_string(r + 1) + "_" + name + ".png")).string(), 3 * size, size,
                      preview(x[0][c.data.plane_context().centre()], la, lb));
      }
    }
    if (!a->out.empty()) write_file_atomic(fs::path(a->out) / "suggest.json", j.dump(1) + "\n");
    return 0;
  };
}
}  // namespace cmems
