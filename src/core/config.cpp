#include "core/config.hpp"

#include <sstream>

#include "core/check.hpp"

namespace cmems {
using nlohmann::json;

std::string FieldRef::flag() const {
  std::string f = "--" + key;
  for (auto& ch : f)
    if (ch == '_') ch = '-';
  return f;
}

std::vector<FieldRef> fields(Config& c) {
  using T = FieldType;
  const double inf = 1e300;
  auto I = [](const char* k, int64_t& v, const char* h, double lo, double hi) {
    return FieldRef{k, T::Int, &v, h, {}, lo, hi};
  };
  auto R = [](const char* k, double& v, const char* h, double lo, double hi) {
    return FieldRef{k, T::Real, &v, h, {}, lo, hi};
  };
  auto B = [](const char* k, bool& v, const char* h) { return FieldRef{k, T::Bool, &v, h, {}}; };
  auto S = [](const char* k, std::string& v, const char* h, std::vector<std::string> ch) {
    return FieldRef{k, T::Text, &v, h, std::move(ch)};
  };
  std::vector<std::string> methods;
  for (auto& p : method_presets()) methods.push_back(p.name);
  return {
      S("method", c.method, "training method (each a preset of the options below; `cmems list`) [METHOD.md]", methods),
      I("iterations", c.iterations, "training iterations [ref: SSL4MIS ACDC: 30000]", 1, 1e9),
      I("seed", c.seed, "random seed [ours]", 0, 9e18),
      S("device", c.device, "training/inference device [ours]", {"cpu", "cuda"}),
      I("threads", c.threads, "CPU threads, 0 = all cores [ours]", 0, 4096),
      B("perf.channels_last", c.channels_last,
        "channels-last memory format for the networks and their inputs (GPU: ~1.7x faster) [ref: shared/gpu]"),
      S("perf.amp", c.amp, "autocast of the training forward passes: none, or bf16 [ref: torch.autocast]",
        {"none", "bf16"}),
      B("perf.cudnn_benchmark", c.cudnn_benchmark, "cuDNN autotuning (CUDA only) [ref: shared/gpu]"),
      S("exemplar", c.exemplar,
        "exemplar slice ID (ACDC slice name, or CASE:K for NIfTI); empty = default rule [ours]",
        {}),
      I("log_every", c.log_every, "iterations between metrics.jsonl lines [ours]", 1, 1e9),
      I("checkpoint_every", c.checkpoint_every, "iterations between checkpoints [ours]", 1, 1e9),
      I("val_every", c.val_every,
        "iterations between scorings of the validation split during training (val_dice, val_hd95 "
        "in metrics.jsonl; every model and the ensemble), 0 = off [ours]",
        0, 1e9),
      S("val_split", c.val_split, "split scored during training; empty = the dataset's default (ACDC val, NIfTI test) [ours]",
        {}),
      I("data.size", c.size, "training slice size in pixels (square) [ref: SSL4MIS: 256]", 16,
        4096),
      S("data.labeled", c.labeled,
        "labeled batch source: exemplar, exemplar + synthesis, or all labels (upper bound) "
        "[paper]",
        {"exemplar", "synth", "all"}),
      I("model.width", c.model_width, "channels of the first U-Net level [ref: SSL4MIS: 16]", 2,
        256),
      S("model.init", c.model_init,
        "weight initialisation: PyTorch's default for every model (seeds differ), or model A "
        "Kaiming-normal and model B Xavier-normal [ref: SSL4MIS; ours: measured, docs/RESULTS.md]",
        {"torch", "kaiming_xavier"}),
      I("models", c.models, "number of networks (2 = cross-model) [paper]", 1, 2),
      I("batch.labeled", c.labeled_batch, "labeled batch size [METHOD.md: 12]", 1, 4096),
      I("batch.unlabeled", c.unlabeled_batch, "unlabeled batch size [METHOD.md: 12]", 1, 4096),
      R("optim.lr", c.lr, "SGD learning rate [ref: SSL4MIS: 0.01]", 1e-12, 100),
      R("optim.momentum", c.momentum, "SGD momentum [ref: SSL4MIS: 0.9]", 0, 0.999999),
      R("optim.weight_decay", c.weight_decay, "SGD weight decay [ref: SSL4MIS: 1e-4]", 0, 1),
      R("optim.poly_power", c.poly_power, "poly LR decay power [ref: SSL4MIS: 0.9]", 0, 10),
      R("synthesis.exemplar_prob", c.syn_exemplar_prob,
        "probability that a labeled item is the exemplar rather than a synthetic sample "
        "[METHOD.md: 0.25]",
        0, 1),
      S("synthesis.outside", c.syn_outside,
        "label outside the pasted mask [ours, to measure]", {"ignore", "background", "cross_pseudo"}),
      R("synthesis.rotation", c.syn_rotation, "max rotation in degrees [ours]", 0, 180),
      R("synthesis.scale_min", c.syn_scale_min, "min scale [ours]", 0.1, 10),
      R("synthesis.scale_max", c.syn_scale_max, "max scale [ours]", 0.1, 10),
      R("synthesis.translate", c.syn_translate, "max shift, fraction of the size [ours]", 0, 1),
      B("synthesis.flip", c.syn_flip, "random flips and 90-degree turns [ours]"),
      R("synthesis.elastic", c.syn_elastic,
        "elastic displacement in pixels of a 256-pixel slice (scaled with data.size), 0 = off [ours]", 0, 64),
      R("synthesis.dilate", c.syn_dilate,
        "paste-mask dilation radius in pixels of a 256-pixel slice (scaled with data.size) [ours]", 0, 64),
      R("synthesis.feather", c.syn_feather,
        "paste-mask feather sigma in pixels of a 256-pixel slice (scaled with data.size) [ours]", 0, 32),
      R("synthesis.gamma", c.syn_gamma, "max |log gamma| of the exemplar [ours]", 0, 3),
      R("synthesis.contrast", c.syn_contrast, "max relative contrast change [ours]", 0, 1),
      R("synthesis.brightness", c.syn_brightness, "max brightness shift [ours]", 0, 1),
      B("synthesis.match_stats", c.syn_match_stats,
        "match the pasted region's mean/std to the background's [ours]"),
      S("weak.mode", c.weak_mode,
        "weak geometric perturbation: every item gets a 90-degree turn, flip, rotation and "
        "scale-crop (all), or one of turn+flip (p 1/2) / rotation (p 1/4) / nothing, then the "
        "scale-crop (ssl4mis) [ref: SSL4MIS RandomGenerator; ours: measured, docs/RESULTS.md]",
        {"ssl4mis", "all"}),
      R("weak.rotation", c.weak_rotation, "max rotation in degrees [ref: SSL4MIS: 20]", 0, 180),
      R("weak.scale_min", c.weak_scale_min, "min scale-crop factor [ref: UniMatch, ours]", 0.1, 10),
      R("weak.scale_max", c.weak_scale_max, "max scale-crop factor [ref: UniMatch, ours]", 0.1, 10),
      R("strong.color_prob", c.strong_color_prob, "photometric jitter probability [ref: UniMatch: 0.8]", 0, 1),
      R("strong.brightness", c.strong_brightness, "max brightness shift [ref: UniMatch: 0.5, ours]", 0, 1),
      R("strong.contrast", c.strong_contrast, "max relative contrast change [ref: UniMatch: 0.5, ours]", 0, 1),
      R("strong.gamma", c.strong_gamma, "max |log gamma| [ours]", 0, 3),
      R("strong.blur_prob", c.strong_blur_prob, "Gaussian blur probability [ref: UniMatch: 0.5]", 0, 1),
      R("strong.blur_sigma", c.strong_blur_sigma,
        "max blur sigma in pixels of a 256-pixel slice (scaled with data.size) [ref: UniMatch: 2.0, ours]", 0.1, 16),
      R("strong.noise", c.strong_noise, "max Gaussian noise std [ours]", 0, 1),
      R("strong.cutmix_prob", c.cutmix_prob, "CutMix probability [ref: UniMatch: 0.5]", 0, 1),
      R("pseudo.threshold", c.threshold, "pseudo-label confidence threshold [METHOD.md: 0.95]", 0, 1),
      S("pseudo.teacher", c.teacher,
        "pass the pseudo-labels come from: the student's own weak-view pass (with dropout), or a "
        "separate pass without dropout [ours, measured]",
        {"student", "no_dropout"}),
      R("loss.sup_weight", c.sup_weight, "weight of the supervised term [METHOD.md: 1; UniMatch: 0.5]", 0, 100),
      B("loss.deep_supervision", c.deep_supervision,
        "also supervise the auxiliary heads on the labeled batch where L_fp compares them [ours, measured]"),
      S("ip.mode", c.ip, "image-perturbation consistency: none, self, or across models [paper]",
        {"none", "self", "cross"}),
      I("ip.views", c.ip_views, "strong views per student [ref: UniMatch: 2]", 1, 4),
      S("ip.student", c.ip_student, "view the student predicts: strong, or weak (CPS) [ref: CPS]",
        {"strong", "weak"}),
      R("ip.lambda", c.lambda_ip, "max weight of L_ip [METHOD.md: 1]", 0, 100),
      S("fp.mode", c.fp, "feature-perturbation consistency: none, self, or across models [paper]",
        {"none", "self", "cross"}),
      S("fp.levels", c.fp_levels, "perturbed encoder levels: all five, or the deepest [paper]",
        {"all", "deepest"}),
      S("fp.heads", c.fp_heads, "heads compared: main + auxiliary (multi-resolution), or main [paper]",
        {"all", "main"}),
      S("fp.kind", c.fp_kind, "feature perturbation [ref: UniMatch: channel dropout]",
        {"dropout", "noise", "both"}),
      R("fp.dropout", c.fp_dropout, "channel dropout probability [ref: UniMatch: 0.5]", 0, 0.99),
      R("fp.noise", c.fp_noise, "uniform multiplicative noise range [ref: CCT: 0.3]", 0, 1),
      R("fp.lambda", c.lambda_fp, "max weight of L_fp [METHOD.md: 1]", 0, 100),
      R("loss.rampup", c.rampup, "sigmoid ramp-up length, fraction of training [METHOD.md: 0.2]", 0, 1),
      S("infer.models", c.infer_models, "models averaged at inference [METHOD.md: both]",
        {"a", "b", "both"}),
      B("infer.tta", c.infer_tta, "flip test-time augmentation [ours]"),
      B("infer.lcc", c.infer_lcc, "keep each class's largest connected component [ours]"),
      I("infer.batch", c.infer_batch, "slices per inference batch [ours]", 1, 4096),
  };
}

namespace {
json field_value(const FieldRef& f) {
  switch (f.type) {
    case FieldType::Int: return *static_cast<int64_t*>(f.ptr);
    case FieldType::Real: return *static_cast<double*>(f.ptr);
    case FieldType::Bool: return *static_cast<bool*>(f.ptr);
    case FieldType::Text: return *static_cast<std::string*>(f.ptr);
  }
  return nullptr;
}

json::json_pointer pointer_of(const std::string& key) {
  std::string p = "/" + key;
  for (auto& ch : p)
    if (ch == '.') ch = '/';
  return json::json_pointer(p);
}

void set_from_json(const FieldRef& f, const json& v, const std::string& origin) {
  auto bad = [&](const char* want) {
    CMEMS_FAIL(origin, ": option '", f.key, "' must be ", want, ", got ", v.dump());
  };
  switch (f.type) {
    case FieldType::Int:
      if (v.is_number_integer()) *static_cast<int64_t*>(f.ptr) = v.get<int64_t>();
      else if (v.is_number_float() && v.get<double>() == double(int64_t(v.get<double>())))
        *static_cast<int64_t*>(f.ptr) = int64_t(v.get<double>());
      else bad("an integer");
      break;
    case FieldType::Real:
      if (!v.is_number()) bad("a number");
      *static_cast<double*>(f.ptr) = v.get<double>();
      break;
    case FieldType::Bool:
      if (!v.is_boolean()) bad("true or false");
      *static_cast<bool*>(f.ptr) = v.get<bool>();
      break;
    case FieldType::Text:
      if (!v.is_string()) bad("a string");
      *static_cast<std::string*>(f.ptr) = v.get<std::string>();
      break;
  }
}

void flatten(const json& j, const std::string& prefix, std::vector<std::pair<std::string, json>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) flatten(*it, key, out);
    else out.emplace_back(key, *it);
  }
}
}  // namespace

json to_json(const Config& c) {
  Config copy = c;
  json j = json::object();
  for (auto& f : fields(copy)) j[pointer_of(f.key)] = field_value(f);
  return j;
}

void apply_json(Config& c, const json& j, const std::string& origin) {
  CMEMS_CHECK(j.is_object(), origin, ": expected a JSON object of options");
  std::vector<std::pair<std::string, json>> leaves;
  flatten(j, "", leaves);
  auto fs = fields(c);
  for (auto& [key, value] : leaves) {
    const FieldRef* f = nullptr;
    for (auto& g : fs)
      if (g.key == key) f = &g;
    CMEMS_CHECK(f, origin, ": unknown option '", key, "' (see `cmems list`)");
    set_from_json(*f, value, origin);
  }
}

void set_field(Config& c, const std::string& key, const std::string& value) {
  for (auto& f : fields(c)) {
    if (f.key != key) continue;
    const std::string origin = "option " + f.flag();
    try {
      size_t used = 0;
      switch (f.type) {
        case FieldType::Int: {
          int64_t v = std::stoll(value, &used);
          CMEMS_CHECK(used == value.size(), origin, ": not an integer: '", value, "'");
          *static_cast<int64_t*>(f.ptr) = v;
          break;
        }
        case FieldType::Real: {
          double v = std::stod(value, &used);
          CMEMS_CHECK(used == value.size(), origin, ": not a number: '", value, "'");
          *static_cast<double*>(f.ptr) = v;
          break;
        }
        case FieldType::Bool:
          CMEMS_CHECK(value == "true" || value == "false" || value == "1" || value == "0", origin,
                      ": expected true or false, got '", value, "'");
          *static_cast<bool*>(f.ptr) = value == "true" || value == "1";
          break;
        case FieldType::Text: *static_cast<std::string*>(f.ptr) = value; break;
      }
    } catch (const std::invalid_argument&) {
      CMEMS_FAIL(origin, ": cannot parse '", value, "'");
    } catch (const std::out_of_range&) {
      CMEMS_FAIL(origin, ": value out of range: '", value, "'");
    }
    return;
  }
  CMEMS_FAIL("unknown option '", key, "' (see `cmems list`)");
}

void validate(const Config& c) {
  Config copy = c;
  for (auto& f : fields(copy)) {
    if (f.type == FieldType::Text && !f.choices.empty()) {
      auto& v = *static_cast<std::string*>(f.ptr);
      bool ok = false;
      std::string all;
      for (auto& ch : f.choices) {
        ok = ok || ch == v;
        all += (all.empty() ? "" : ", ") + ch;
      }
      CMEMS_CHECK(ok, "option ", f.flag(), ": '", v, "' is not one of: ", all);
    }
    double v = f.type == FieldType::Int    ? double(*static_cast<int64_t*>(f.ptr))
               : f.type == FieldType::Real ? *static_cast<double*>(f.ptr)
                                           : 0.0;
    if (f.type == FieldType::Int || f.type == FieldType::Real)
      CMEMS_CHECK(v >= f.min && v <= f.max && v == v, "option ", f.flag(), ": ", v,
                  " is out of range [", f.min, ", ", f.max, "]");
  }
  CMEMS_CHECK(c.syn_scale_min <= c.syn_scale_max, "option --synthesis.scale-min: ",
              c.syn_scale_min, " exceeds --synthesis.scale-max ", c.syn_scale_max);
  CMEMS_CHECK(c.weak_scale_min <= c.weak_scale_max, "option --weak.scale-min: ", c.weak_scale_min,
              " exceeds --weak.scale-max ", c.weak_scale_max);
  CMEMS_CHECK(c.models == 2 || (c.ip != "cross" && c.fp != "cross"),
              "option --models 1 cannot be combined with cross-model terms (--ip.mode/--fp.mode cross)");
  CMEMS_CHECK(c.models == 2 || c.infer_models != "b", "option --infer.models b needs --models 2");
  CMEMS_CHECK(c.size % 16 == 0, "option --data.size: ", c.size,
              " must be a multiple of 16 (four 2x poolings)");
}

const std::vector<MethodPreset>& method_presets() {
  static const std::vector<MethodPreset> presets = {
      {"supervised", "one U-Net on the exemplar under weak augmentation",
       {{"models", 1}, {"data", {{"labeled", "exemplar"}}}, {"ip", {{"mode", "none"}}}, {"fp", {{"mode", "none"}}}}},
      {"supervised-synth", "one U-Net on the exemplar and exemplar-guided synthesis",
       {{"models", 1}, {"data", {{"labeled", "synth"}}}, {"ip", {{"mode", "none"}}}, {"fp", {{"mode", "none"}}}}},
      {"fixmatch", "supervised-synth + self-training: weak-view pseudo-labels teach one strong view (L_x + L_s, no ramp-up)",
       {{"models", 1}, {"data", {{"labeled", "synth"}}}, {"ip", {{"mode", "self"}, {"views", 1}, {"student", "strong"}}},
        {"fp", {{"mode", "none"}}}, {"loss", {{"rampup", 0.0}}}}},
      {"unimatch",
       "fixmatch with two strong views + self feature perturbation (channel dropout on all five levels), "
       "(L_x + L_s1/4 + L_s2/4 + L_fp/2)/2, no ramp-up",
       {{"models", 1}, {"data", {{"labeled", "synth"}}},
        {"ip", {{"mode", "self"}, {"views", 2}, {"student", "strong"}, {"lambda", 0.5}}},
        {"fp", {{"mode", "self"}, {"levels", "all"}, {"heads", "main"}, {"lambda", 0.25}}},
        {"loss", {{"sup_weight", 0.5}, {"rampup", 0.0}}}}},
      {"cps", "two U-Nets, each supervised by the other's weak-view argmax, no threshold",
       {{"models", 2}, {"data", {{"labeled", "synth"}}}, {"ip", {{"mode", "cross"}, {"views", 1}, {"student", "weak"}}},
        {"pseudo", {{"threshold", 0.0}}}, {"fp", {{"mode", "none"}}}}},
      {"cmems-ip", "CMEMS without feature perturbation (cross-model image perturbation only)",
       {{"models", 2}, {"data", {{"labeled", "synth"}}}, {"ip", {{"mode", "cross"}, {"views", 1}, {"student", "strong"}}},
        {"fp", {{"mode", "none"}}}}},
      {"cmems-fp", "CMEMS without image perturbation (cross-model multi-level feature perturbation only)",
       {{"models", 2}, {"data", {{"labeled", "synth"}}}, {"ip", {{"mode", "none"}}},
        {"fp", {{"mode", "cross"}, {"levels", "all"}, {"heads", "all"}}}}},
      {"cmems", "CMEMS: exemplar + synthesis, cross-model image- and multi-level feature-perturbation mutual learning",
       {{"models", 2}, {"data", {{"labeled", "synth"}}}, {"ip", {{"mode", "cross"}, {"views", 1}, {"student", "strong"}}},
        {"fp", {{"mode", "cross"}, {"levels", "all"}, {"heads", "all"}}}}},
      {"full", "upper bound: one U-Net on every training label (not exemplar-based)",
       {{"models", 1}, {"data", {{"labeled", "all"}}}, {"ip", {{"mode", "none"}}}, {"fp", {{"mode", "none"}}}}},
  };
  return presets;
}

const MethodPreset& method_preset(const std::string& name) {
  std::string all;
  for (auto& p : method_presets()) {
    if (p.name == name) return p;
    all += (all.empty() ? "" : ", ") + p.name;
  }
  CMEMS_FAIL("unknown method '", name, "' (known: ", all, ")");
}

std::string config_markdown() {
  Config c;
  std::ostringstream s;
  s << "| key | flag | default | allowed | meaning [source] |\n|---|---|---|---|---|\n";
  for (auto& f : fields(c)) {
    std::string allowed;
    for (auto& ch : f.choices) allowed += (allowed.empty() ? "" : ", ") + ch;
    if (f.type == FieldType::Int || f.type == FieldType::Real) {
      std::ostringstream r;
      r << "[" << f.min << ", " << f.max << "]";
      allowed = f.max > 1e299 ? "" : r.str();
    }
    if (f.type == FieldType::Bool) allowed = "true, false";
    s << "| `" << f.key << "` | `" << f.flag() << "` | `" << field_value(f).dump() << "` | "
      << allowed << " | " << f.help << " |\n";
  }
  s << "\n### Method presets\n\n| method | sets | description |\n|---|---|---|\n";
  for (auto& p : method_presets()) s << "| `" << p.name << "` | `" << p.patch.dump() << "` | " << p.description << " |\n";
  return s.str();
}
}  // namespace cmems
