// `cmems report`: one self-contained HTML page about a run, to look at rather than read:
// its configuration and exemplar, exemplar-guided synthetic samples, the training curves,
// and with --eval the per-case scores (with the two-model QC score) and overlays of the
// best, median and worst cases. Images are PNG data URIs and curves inline SVG, so the
// file opens offline.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "data/slices.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "io/png.hpp"
#include "core/labels.hpp"
#include "report/html.hpp"
#include "synth/synth.hpp"

namespace cmems {
namespace {
using json = nlohmann::json;

/// A slice for display: its 1st..99th percentile mapped to [0, 1].
std::vector<float> for_display(const float* p, int64_t n) {
  std::vector<float> v(p, p + n), s = v;
  std::sort(s.begin(), s.end());
  float lo = s[size_t(double(n - 1) * 0.01)], hi = s[size_t(double(n - 1) * 0.99)];
  if (!(hi > lo)) hi = lo + 1;
  for (auto& x : v) x = (x - lo) / (hi - lo);
  return v;
}

std::string overlay_tag(const float* image, const uint8_t* label, int64_t w, int64_t h, const std::string& alt,
                        int css_width) {
  auto g = for_display(image, w * h);
  std::vector<uint8_t> l(label, label + w * h);
  return img_tag(w, h, overlay_rgb(g, l, w, h, uint8_t(kIgnore)), alt, css_width);
}

std::string tensor_overlay_tag(const torch::Tensor& image, const torch::Tensor& label, const std::string& alt,
                               int css_width) {
  auto i = image.to(torch::kCPU).to(torch::kFloat).contiguous();
  auto l = label.to(torch::kCPU).clamp(0, 255).to(torch::kByte).contiguous();
  return overlay_tag(i.data_ptr<float>(), l.data_ptr<uint8_t>(), i.size(-1), i.size(-2), alt, css_width);
}

/// Every numeric field of metrics.jsonl against the iteration.
std::map<std::string, Series> read_curves(const fs::path& metrics) {
  std::map<std::string, Series> out;
  std::ifstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception&) {
      continue;  // a line cut by an interrupted run
    }
    if (!j.contains("iteration")) continue;
    const double it = j["iteration"].get<double>();
    for (auto& [k, v] : j.items())
      if (k != "iteration" && v.is_number()) {
        auto& s = out[k];
        s.name = k;
        s.points.emplace_back(it, v.get<double>());
      }
  }
  return out;
}

std::string chart_of(const std::map<std::string, Series>& curves, const std::string& title, const std::string& y,
                     const std::function<bool(const std::string&)>& pick) {
  std::vector<Series> s;
  for (auto& [k, v] : curves)
    if (pick(k)) s.push_back(v);
  return s.empty() ? "" : svg_line_chart(title, "iteration", y, s);
}

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::string num(double v, int digits = 3) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

const char* kStyle = R"(
body { font-family: sans-serif; margin: 24px auto; max-width: 1200px; color: #222; line-height: 1.4; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 28px; }
.facts td { padding: 2px 12px 2px 0; } .facts td:first-child { color: #666; }
.grid { display: grid; grid-template-columns: repeat(4, 170px); gap: 6px; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 12px; color: #555; text-align: center; }
table.cases { border-collapse: collapse; font-size: 13px; } table.cases th, table.cases td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; }
table.cases th { background: #f4f4f4; } table.cases td:first-child { text-align: left; }
details pre { background: #f7f7f7; padding: 8px; font-size: 12px; max-height: 400px; overflow: auto; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
#selfcheck { color: #888; font-size: 11px; margin-top: 30px; }
)";

// Written into the page: counts what the browser decoded and drew (for the browser test).
const char* kSelfCheck = R"(<script>
window.addEventListener('load', function () {
  var imgs = document.images, decoded = 0, curves = 0;
  for (var i = 0; i < imgs.length; ++i) if (imgs[i].complete && imgs[i].naturalWidth > 0) ++decoded;
  document.querySelectorAll('polyline.series').forEach(function (p) { if (p.points.numberOfItems > 1) ++curves; });
  var d = document.getElementById('selfcheck');
  d.setAttribute('data-images', imgs.length);
  d.setAttribute('data-decoded', decoded);
  d.setAttribute('data-curves', curves);
  d.textContent = 'Self-check: ' + decoded + ' of ' + imgs.length + ' images decoded, ' + curves + ' curves drawn.';
});
</script>)";
}  // namespace

Runner add_report(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "report", "Write one self-contained HTML page about a run (configuration, exemplar, synthetic samples, "
                "training curves; with --eval per-case scores and overlays)");
  struct A {
    std::string run, data, eval, out;
    int64_t samples = 16, threads = -1;
    bool force = false;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--run", a->run, "run folder")->required();
  cmd->add_option("--data", a->data, "the dataset the run was trained on (default: the one its data.json names)");
  cmd->add_option("--eval", a->eval, "an evaluate report (EVAL.json of `cmems evaluate --run`) to show per case");
  cmd->add_option("--out", a->out, "report FILE.html")->required();
  cmd->add_option("--samples", a->samples, "synthetic samples shown")->capture_default_str()->check(CLI::Range(0, 64));
  add_threads_option(*cmd, a->threads);
  cmd->add_flag("--force", a->force, "replace an existing report");
  return [a] {
    CMEMS_CHECK(a->force || !fs::exists(a->out), a->out, ": report exists (use --force to replace it)");
    require_exists(a->run, "run folder");
    const fs::path run(a->run);
    const Config c = read_run_config(run.string());
    const json cfg = c.to_json();
    a->data = run_data_path(a->run, a->data);  // default: where train recorded it
    apply_threads(a->threads, c);
    json ev;
    if (!a->eval.empty()) {
      require_exists(a->eval, "evaluation report");
      ev = read_json_file(a->eval);
      try {
        (void)ev.at("cases").size();
      } catch (const json::exception& e) {
        CMEMS_FAIL(a->eval, ": not a cmems evaluate report (", e.what(), ")");
      }
    }
    // The run's held-out cases are split "val" (as in evaluate).
    const bool val = ev.contains("evaluated") && ev["evaluated"].value("split", "") == "val";
    auto reader = DatasetReader::open(a->data, val ? c.data.holdout : "");
    const std::vector<std::string> names = reader->class_names();
    std::ostringstream h;
    h << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>cmems report: "
      << html_escape(run.filename().string()) << "</title><style>" << kStyle << "</style></head><body>";
    h << "<h1>cmems report: " << html_escape(fs::absolute(run).lexically_normal().string()) << "</h1>";

    // Facts and configuration.
    double train_s = -1;
    if (fs::exists(run / "timing.json")) {
      try {
        train_s = json::parse(read_file(run / "timing.json")).value("train_seconds", -1.0);
      } catch (const json::exception&) {
      }
    }
    h << "<table class=\"facts\">"
      << "<tr><td>method</td><td>" << html_escape(c.run.method) << " (" << c.models << " model" << (c.models > 1 ? "s" : "")
      << ")</td></tr><tr><td>exemplar</td><td><b>" << html_escape(c.run.exemplar) << "</b></td></tr>"
      << "<tr><td>dataset</td><td>" << html_escape(a->data) << " (" << html_escape(reader->kind()) << ")</td></tr>"
      << "<tr><td>training</td><td>" << c.run.iterations << " iterations at " << c.data.size << "&times;" << c.data.size
      << ", batches " << c.batch.labeled << " + " << c.batch.unlabeled << ", seed " << c.seed
      << (train_s >= 0 ? ", " + num(train_s, 0) + " s" : std::string()) << "</td></tr></table>";
    h << "<details><summary>Configuration (config.json)</summary><pre>" << html_escape(cfg.dump(2))
      << "</pre></details>";

    // Exemplar and synthetic samples (reads the exemplar's label only).
    TrainingData d = load_training_data(*reader, c.run.exemplar, LabelAccess::ExemplarOnly, c.data, torch::kCPU);
    h << "<h2>Exemplar and synthetic samples</h2><p class=\"legend\">The one annotated slice, and samples "
         "synthesised from it onto unlabeled slices as training saw them. Colours:";
    for (size_t k = 1; k < names.size(); ++k) {
      const auto rgb = label_colour(int(k));
      h << "<span style=\"background:rgb(" << int(rgb[0]) << "," << int(rgb[1]) << "," << int(rgb[2]) << ")\"></span>"
        << html_escape(names[k]);
    }
    h << "; darkened = ignored.</p><div class=\"row\"><figure>"
      << tensor_overlay_tag(d.labeled_images[0][d.centre_channel], d.labeled_labels[0], "exemplar " + c.run.exemplar, 300)
      << "<figcaption>exemplar " << html_escape(c.run.exemplar) << "</figcaption></figure>";
    if (a->samples > 0 && d.unlabeled.size(0) > 0) {
      Rng rng(static_cast<uint64_t>(c.seed));
      auto b = preview_samples(c.synthesis, d.exemplar_images(), d.exemplar_labels(), d.unlabeled, d.num_classes, a->samples, rng);
      h << "<div class=\"grid\">";
      for (int64_t i = 0; i < a->samples; ++i)
        h << tensor_overlay_tag(b.image[i][d.centre_channel], b.label[i], "synthetic sample " + std::to_string(i + 1), 170);
      h << "</div>";
    }
    h << "</div>";

    // Training curves.
    auto curves = read_curves(run / "metrics.jsonl");
    h << "<h2>Training</h2><div class=\"row\">"
      << chart_of(curves, "Loss", "loss", [](const std::string& k) { return k == "loss" || starts_with(k, "loss_"); })
      << chart_of(curves, "Pseudo-label coverage", "fraction of pixels", [](const std::string& k) { return starts_with(k, "coverage"); })
      << chart_of(curves, "Learning rate", "lr", [](const std::string& k) { return k == "lr"; })
      << chart_of(curves, "Validation Dice", "mean Dice", [](const std::string& k) { return starts_with(k, "val_dice"); })
      << "</div>";
    if (curves.empty()) h << "<p>No metrics.jsonl lines yet.</p>";

    // Per-case results.
    if (!ev.is_null()) {
      struct Row {
        std::string name;
        double mean = 0;
        json j;
      };
      std::vector<Row> rows;
      for (auto& cs : ev["cases"]) {
        Row r{cs.at("case").get<std::string>(), 0, cs};
        int n = 0;
        for (auto& [k, v] : cs.at("classes").items()) r.mean += v.at("dice").get<double>(), ++n;
        r.mean = n ? r.mean / n : 0;
        rows.push_back(r);
      }
      CMEMS_CHECK(!rows.empty(), a->eval, ": no cases");
      std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.mean > y.mean; });
      std::vector<std::string> keys;
      for (auto& [k, v] : rows[0].j.at("classes").items()) keys.push_back(k);
      auto cname = [&](const std::string& k) {
        int i = std::stoi(k);
        return i < int(names.size()) ? names[i] : k;
      };
      const bool qc = rows[0].j.contains("qc");
      h << "<h2>Cases (" << rows.size() << ", sorted by mean Dice)</h2>";
      if (ev.contains("mean"))
        h << "<p>Mean Dice <b>" << num(ev["mean"]["dice"].get<double>()) << "</b>, mean HD95 "
          << num(ev["mean"]["hd95"].get<double>(), 2) << ".";
      if (ev.contains("qc") && ev["qc"]["spearman_qc_score_vs_case_dice"].is_number())
        h << " Spearman &rho; of the QC score against the case's Dice: <b>"
          << num(ev["qc"]["spearman_qc_score_vs_case_dice"].get<double>()) << "</b> (useful if &le; &minus;0.5).";
      h << "</p><table class=\"cases\"><tr><th>case</th>";
      for (auto& k : keys) h << "<th>Dice " << html_escape(cname(k)) << "</th>";
      for (auto& k : keys) h << "<th>HD95 " << html_escape(cname(k)) << "</th>";
      h << "<th>mean Dice</th>" << (qc ? "<th>QC score</th>" : "") << "</tr>";
      for (auto& r : rows) {
        h << "<tr class=\"case\"><td>" << html_escape(r.name) << "</td>";
        for (auto& k : keys) h << "<td>" << num(r.j["classes"][k]["dice"].get<double>()) << "</td>";
        for (auto& k : keys) {
          auto& v = r.j["classes"][k]["hd95"];
          h << "<td>" << (v.is_number() ? num(v.get<double>(), 2) : "&ndash;") << "</td>";
        }
        h << "<td><b>" << num(r.mean) << "</b></td>";
        if (qc) h << "<td>" << num(r.j["qc"]["qc_score"].get<double>()) << "</td>";
        h << "</tr>";
      }
      h << "</table>";

      // Best, median and worst: the middle slice with truth, prediction and disagreement.
      std::string split = ev.contains("evaluated") ? ev["evaluated"].value("split", "") : "";
      if (split.empty()) split = reader->default_split();
      // The infer.* options the report was scored with (older reports: the models alone).
      InferOverrides infer;
      if (ev.contains("evaluated")) {
        const auto& e = ev["evaluated"];
        if (e.contains("infer") && e["infer"].is_object())
          for (auto& [k, v] : e["infer"].items()) infer["infer." + k] = v.is_string() ? v.get<std::string>() : v.dump();
        else
          infer["infer.models"] = e.value("models", "");
      }
      Predictor pred = load_predictor(a->run, "cpu", infer);
      h << "<h2>Best, median and worst case (middle slice)</h2>";
      const std::pair<const char*, size_t> picks[] = {
          {"best", 0}, {"median", rows.size() / 2}, {"worst", rows.size() - 1}};
      for (auto [what, i] : picks) {
        CaseVolume v = reader->volume(split, rows[i].name);
        CMEMS_CHECK(!v.label.data.empty(), rows[i].name, ": no reference label to show");
        QcMaps maps;
        LabelVolume p = pred.predict(v.image, &maps);
        const int64_t w = v.image.dims[0], hh = v.image.dims[1], z = v.image.dims[2] / 2, off = z * w * hh;
        const float* img = v.image.data.data() + off;
        h << "<h3>" << what << ": " << html_escape(rows[i].name) << " (mean Dice " << num(rows[i].mean) << ")</h3>"
          << "<div class=\"row\"><figure>" << overlay_tag(img, v.label.data.data() + off, w, hh, "reference", 260)
          << "<figcaption>reference</figcaption></figure><figure>"
          << overlay_tag(img, p.data.data() + off, w, hh, "prediction", 260) << "<figcaption>prediction</figcaption></figure>";
        if (!maps.model_a.data.empty()) {
          const LabelVolume dis = maps.disagreement(4);  // drawn in the 4th label colour, yellow
          h << "<figure>" << overlay_tag(img, dis.data.data() + off, w, hh, "disagreement", 260)
            << "<figcaption>where models a and b disagree (yellow)</figcaption></figure>";
        }
        h << "</div>";
      }
    }
    h << "<div id=\"selfcheck\"></div>" << kSelfCheck << "</body></html>\n";
    fs::path out(a->out);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    write_file_atomic(out, h.str());
    std::printf("report: %s\n", a->out.c_str());
    return 0;
  };
}
}  // namespace cmems
