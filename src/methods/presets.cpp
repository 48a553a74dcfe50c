#include "methods/presets.hpp"

#include "core/check.hpp"

namespace cmems {

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
       // L_ip is the mean over the strong views, so lambda 1/4 gives each view UniMatch's 1/8
       {{"models", 1}, {"data", {{"labeled", "synth"}}},
        {"ip", {{"mode", "self"}, {"views", 2}, {"student", "strong"}, {"lambda", 0.25}}},
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

std::vector<std::string> method_names() {
  std::vector<std::string> out;
  for (auto& p : method_presets()) out.push_back(p.name);
  return out;
}
}  // namespace cmems
