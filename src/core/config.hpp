// Every training/inference option in one plain struct. One field list (fields()) drives
// JSON I/O, CLI flags, `cmems list` and docs/config.md, so names, help and defaults cannot
// drift apart. Precedence: defaults < method preset < --config FILE.json < flags.
// Stage: core (torch-free).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cmems {

struct Config {
  // run
  std::string method = "cmems";       // see method_presets()
  int64_t iterations = 30000;         // [ref: SSL4MIS ACDC protocol]
  int64_t seed = 1337;                // [ref: SSL4MIS]
  std::string device = "cpu";         // cpu | cuda
  int64_t threads = 0;                // CPU threads, 0 = all cores [ours]
  bool channels_last = false;         // channels-last memory format [ref: ../shared/gpu/README.md]
  std::string amp = "none";           // none | bf16 autocast on the training device
  bool cudnn_benchmark = true;        // cuDNN autotuning (CUDA only)
  std::string exemplar;               // "" = the documented default rule
  int64_t log_every = 10;             // [ours]
  int64_t checkpoint_every = 1000;    // [ours]
  int64_t val_every = 0;              // iterations between validation scores, 0 = off [ours]
  std::string val_split;              // split scored during training ("" = the dataset's default) [ours]
  // data and model
  int64_t size = 256;                 // training slice size [ref: SSL4MIS]
  int64_t model_width = 16;           // first-level channels, doubled per level [ref: SSL4MIS]
  std::string model_init = "torch";   // torch | kaiming_xavier [ref: SSL4MIS UNet; ours: measured on ACDC val]
  int64_t labeled_batch = 12;         // [paper protocol as in METHOD.md]
  int64_t unlabeled_batch = 12;       // [paper protocol as in METHOD.md]
  // optimisation [ref: SSL4MIS]
  double lr = 0.01, momentum = 0.9, weight_decay = 1e-4, poly_power = 0.9;
  // method structure (set by the preset; every baseline is a combination of these)
  int64_t models = 2;                 // 1 or 2 networks
  std::string labeled = "synth";      // exemplar | synth | all
  std::string ip = "cross";           // none | self | cross
  int64_t ip_views = 1;               // strong views per student
  std::string ip_student = "strong";  // strong | weak (CPS supervises the weak view)
  std::string fp = "cross";           // none | self | cross
  std::string fp_levels = "all";      // all | deepest
  std::string fp_heads = "all";       // all (main + auxiliary heads) | main
  // synthesis [ref: exemplar learning, ours where marked]
  double syn_exemplar_prob = 0.25;    // [METHOD.md default]
  std::string syn_outside = "ignore"; // ignore | background | cross_pseudo (measure)
  double syn_rotation = 180.0;        // degrees [ours]
  double syn_scale_min = 0.8, syn_scale_max = 1.25;  // [ours]
  double syn_translate = 0.2;         // fraction of the size [ours]
  bool syn_flip = true;               // flips / 90° turns [ours]
  // Pixel lengths below are at a 256-pixel slice and scale with data.size (pixels_at()).
  double syn_elastic = 0.0;           // elastic displacement, 0 = off [ours]
  double syn_dilate = 3;              // mask dilation radius [ours]
  double syn_feather = 1.5;           // mask feather sigma [ours]
  double syn_gamma = 0.3, syn_contrast = 0.2, syn_brightness = 0.1;  // [ours]
  bool syn_match_stats = true;        // match the background's intensity statistics [ours]
  // weak perturbation [ref: SSL4MIS RandomGenerator; scale-crop from UniMatch]
  std::string weak_mode = "ssl4mis";  // ssl4mis | all [ref: SSL4MIS; ours: measured on ACDC val]
  double weak_rotation = 20.0, weak_scale_min = 0.8, weak_scale_max = 1.2;
  // strong perturbation [ref: UniMatch]
  double strong_color_prob = 0.8, strong_brightness = 0.3, strong_contrast = 0.3,
         strong_gamma = 0.3, strong_blur_prob = 0.5, strong_blur_sigma = 1.5,
         strong_noise = 0.03, cutmix_prob = 0.5;
  // pseudo-labels and losses
  double threshold = 0.95;            // [METHOD.md default, ref: UniMatch] (measure)
  std::string teacher = "student";    // student | no_dropout: the pass pseudo-labels come from (measure)
  double sup_weight = 1.0;            // weight of ℓ_sup (UniMatch: ½) [METHOD.md]
  bool deep_supervision = true;       // supervise the heads L_fp compares on the labeled batch (measure)
  double lambda_ip = 1.0, lambda_fp = 1.0;  // [METHOD.md]
  double rampup = 0.2;                // fraction of training (measure)
  std::string fp_kind = "dropout";    // dropout | noise | both [ref: UniMatch]
  double fp_dropout = 0.5, fp_noise = 0.3;
  // inference
  std::string infer_models = "both";  // a | b | both
  bool infer_tta = false;             // flip test-time augmentation
  bool infer_lcc = false;             // per-class largest connected component
  int64_t infer_batch = 16;
};

/// A length given in pixels of a 256-pixel slice (blur, paste dilation and feather, elastic
/// displacement) in pixels of a `size`-pixel slice, so that presets hold at any size.
inline double pixels_at(double pixels_at_256, int64_t size) { return pixels_at_256 * double(size) / 256.0; }

enum class FieldType { Int, Real, Bool, Text };

/// One option: its key (as in config.json), its CLI flag, help and allowed values.
struct FieldRef {
  std::string key;
  FieldType type;
  void* ptr;
  std::string help;
  std::vector<std::string> choices;  // for Text fields; empty = free text
  double min = -1e300, max = 1e300;  // for numbers
  std::string flag() const;          // "--" + key with '_' -> '-'
};

/// The field list of `c` (pointers into `c`).
std::vector<FieldRef> fields(Config& c);

/// Nested JSON ({"synthesis": {"outside": ...}} for key "synthesis.outside").
nlohmann::json to_json(const Config& c);
/// Applies a (possibly partial) nested JSON; throws naming `origin` and the key on an
/// unknown key or a value of the wrong type.
void apply_json(Config& c, const nlohmann::json& j, const std::string& origin);
/// Sets one field from its string form (a CLI flag); throws on bad values.
void set_field(Config& c, const std::string& key, const std::string& value);
/// Range and choice checks, plus cross-field consistency; throws with the key.
void validate(const Config& c);

struct MethodPreset {
  std::string name, description;
  nlohmann::json patch;  // fields it sets
};
const std::vector<MethodPreset>& method_presets();
/// Throws "unknown method 'x' (known: ...)".
const MethodPreset& method_preset(const std::string& name);

/// Markdown table of every option (docs/config.md is generated from this).
std::string config_markdown();
}  // namespace cmems
