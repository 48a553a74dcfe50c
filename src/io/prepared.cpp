#include "io/prepared.hpp"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/check.hpp"
#include "core/fs.hpp"

namespace cmems {
using nlohmann::json;

namespace {
std::string compress(const void* p, size_t n, int level) {
  std::string out(ZSTD_compressBound(n), '\0');
  size_t k = ZSTD_compress(out.data(), out.size(), p, n, level);
  CMEMS_CHECK(!ZSTD_isError(k), "zstd: ", ZSTD_getErrorName(k));
  out.resize(k);
  return out;
}

std::string decompress(const std::string& blob, const json& ref, size_t expected, const std::string& origin) {
  const auto off = ref.at(0).get<uint64_t>(), len = ref.at(1).get<uint64_t>();
  CMEMS_CHECK(off <= blob.size() && len <= blob.size() - off, origin, ": index points outside the data file");
  std::string out(expected, '\0');
  size_t k = ZSTD_decompress(out.data(), out.size(), blob.data() + off, len);
  CMEMS_CHECK(!ZSTD_isError(k) && k == expected, origin, ": corrupt zstd frame");
  return out;
}

struct Quantised {
  float lo = 0, hi = 0;
  std::vector<uint16_t> q;
};

Quantised quantise(const std::vector<float>& x, PrepareStats& st) {
  Quantised r;
  auto [mn, mx] = std::minmax_element(x.begin(), x.end());
  r.lo = *mn, r.hi = *mx;
  const double range = double(r.hi) - double(r.lo), scale = range > 0 ? 65535.0 / range : 0.0;
  r.q.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    r.q[i] = uint16_t(std::lround((double(x[i]) - r.lo) * scale));
    double back = r.lo + (range > 0 ? r.q[i] * (range / 65535.0) : 0.0);
    double err = std::abs(float(back) - x[i]);
    st.max_abs_error = std::max(st.max_abs_error, err);
    if (range > 0) st.max_relative_error = std::max(st.max_relative_error, err / range);
  }
  return r;
}

std::vector<float> dequantise(const std::string& raw, float lo, float hi) {
  std::vector<float> x(raw.size() / 2);
  const double step = (double(hi) - double(lo)) / 65535.0;
  const auto* q = reinterpret_cast<const uint16_t*>(raw.data());
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(lo + q[i] * step);
  return x;
}

json frame(std::string& blob, const std::string& bytes) {
  json ref = {blob.size(), bytes.size()};
  blob += bytes;
  return ref;
}

// ---------------------------------------------------------------------------------------
class PreparedReader final : public DatasetReader {
 public:
  explicit PreparedReader(fs::path root) : root_(std::move(root)) {
    fs::path p = root_ / "prepared.json";
    try {
      j_ = json::parse(read_file(p));
      CMEMS_CHECK(j_.at("format") == "cmems-prepared-1", p.string(), ": unknown prepared format");
      classes_ = j_.at("classes").get<std::vector<std::string>>();
      for (auto& s : j_.at("train")) {
        ids_.push_back(s.at("id").get<std::string>());
        CMEMS_CHECK(s.at("h").get<int64_t>() > 0 && s.at("w").get<int64_t>() > 0 &&
                        s.at("h").get<int64_t>() * s.at("w").get<int64_t>() < (int64_t(1) << 28),
                    p.string(), ": bad slice size for ", ids_.back());
      }
    } catch (const json::exception& e) {
      CMEMS_FAIL(p.string(), ": malformed prepared index (", e.what(), ")");
    }
    CMEMS_CHECK(!ids_.empty(), p.string(), ": no training slices");
  }
  std::string kind() const override { return "prepared"; }
  std::string normalisation() const override { return j_.value("normalisation", "as_stored"); }
  std::vector<std::string> class_names() const override { return classes_; }
  std::vector<std::string> training_slice_ids() const override { return ids_; }

  std::vector<Image2D> unlabeled_slices(const std::string& skip_id) const override {
    const std::string blob = read_file(root_ / "train_images.zst");
    std::vector<Image2D> out;
    for (auto& s : j_["train"]) {
      if (s["id"] == skip_id) continue;
      out.push_back(image_of(s, blob));
    }
    return out;
  }
  LabeledImage2D exemplar(const std::string& id) const override {
    auto it = std::find(ids_.begin(), ids_.end(), id);
    CMEMS_CHECK(it != ids_.end(), "exemplar '", id, "': not a training slice of ", root_.string());
    const json& s = j_["train"][size_t(it - ids_.begin())];
    CMEMS_CHECK(!s["lab"].is_null(), "exemplar '", id, "': no label was prepared for it");
    LabeledImage2D e{image_of(s, read_file(root_ / "train_images.zst")), {}};
    e.label = label_of(s, read_file(root_ / "train_labels.zst"));
    CMEMS_CHECK(std::any_of(e.label.begin(), e.label.end(), [](uint8_t v) { return v > 0; }), "exemplar '", id,
                "': the slice has no foreground label");
    return e;
  }
  std::string default_exemplar() const override { return j_.at("default_exemplar").get<std::string>(); }
  std::vector<LabeledImage2D> all_labeled_slices() const override {
    const std::string ib = read_file(root_ / "train_images.zst"), lb = read_file(root_ / "train_labels.zst");
    std::vector<LabeledImage2D> out;
    for (auto& s : j_["train"]) {
      CMEMS_CHECK(!s["lab"].is_null(), root_.string(), ": slice ", s["id"].get<std::string>(), " has no label");
      out.push_back({image_of(s, ib), label_of(s, lb)});
    }
    return out;
  }
  std::string default_split() const override { return j_.at("default_split").get<std::string>(); }
  std::vector<std::string> cases(const std::string& split) const override {
    CMEMS_CHECK(j_["splits"].contains(split), root_.string(), ": split '", split, "' was not prepared");
    std::vector<std::string> c;
    for (auto& v : j_["splits"][split]) c.push_back(v["name"].get<std::string>());
    return c;
  }
  CaseVolume volume(const std::string& split, const std::string& name) const override {
    CMEMS_CHECK(j_["splits"].contains(split), root_.string(), ": split '", split, "' was not prepared");
    const std::string blob = read_file(root_ / "eval.zst");
    for (auto& v : j_["splits"][split]) {
      if (v["name"] != name) continue;
      CaseVolume c;
      c.name = name;
      c.image.dims = c.label.dims = v["dims"].get<std::array<int64_t, 3>>();
      c.image.geometry.spacing = c.label.geometry.spacing = v["spacing"].get<std::array<double, 3>>();
      const size_t n = size_t(c.image.dims[0] * c.image.dims[1] * c.image.dims[2]);
      c.image.data = dequantise(decompress(blob, v["img"], 2 * n, root_.string()), v["lo"], v["hi"]);
      std::string l = decompress(blob, v["lab"], n, root_.string());
      c.label.data.assign(l.begin(), l.end());
      return c;
    }
    CMEMS_FAIL(root_.string(), ": no volume '", name, "' in split '", split, "'");
  }

 private:
  Image2D image_of(const json& s, const std::string& blob) const {
    Image2D im{s["id"], s["h"], s["w"], {}};
    im.pixels = dequantise(decompress(blob, s["img"], size_t(2 * im.h * im.w), root_.string()), s["lo"], s["hi"]);
    return im;
  }
  std::vector<uint8_t> label_of(const json& s, const std::string& blob) const {
    std::string l = decompress(blob, s["lab"], size_t(s["h"].get<int64_t>() * s["w"].get<int64_t>()), root_.string());
    std::vector<uint8_t> v(l.begin(), l.end());
    for (auto x : v)
      CMEMS_CHECK(x < classes_.size(), root_.string(), ": label value ", int(x), " outside the declared classes");
    return v;
  }
  fs::path root_;
  json j_;
  std::vector<std::string> classes_, ids_;
};
}  // namespace

PrepareStats write_prepared(const DatasetReader& r, const std::string& out, int level) {
  PrepareStats st;
  fs::path root(out);
  fs::create_directories(root);
  std::string img_blob, lab_blob, eval_blob;
  json train = json::array();
  for (auto& s : r.all_labeled_slices()) {
    Quantised q = quantise(s.image.pixels, st);
    train.push_back({{"id", s.image.id}, {"h", s.image.h}, {"w", s.image.w}, {"lo", q.lo}, {"hi", q.hi},
                     {"img", frame(img_blob, compress(q.q.data(), q.q.size() * 2, level))},
                     {"lab", frame(lab_blob, compress(s.label.data(), s.label.size(), level))}});
    ++st.slices;
  }
  const std::string split = r.default_split();
  json vols = json::array();
  for (auto& name : r.cases(split)) {
    CaseVolume v = r.volume(split, name);
    CMEMS_CHECK(!v.label.data.empty(), name, ": evaluation volume without a label");
    Quantised q = quantise(v.image.data, st);
    vols.push_back({{"name", name}, {"dims", v.image.dims}, {"spacing", v.image.geometry.spacing}, {"lo", q.lo},
                    {"hi", q.hi}, {"img", frame(eval_blob, compress(q.q.data(), q.q.size() * 2, level))},
                    {"lab", frame(eval_blob, compress(v.label.data.data(), v.label.data.size(), level))}});
    ++st.volumes;
  }
  json j = {{"format", "cmems-prepared-1"},
            {"source_kind", r.kind()},
            {"normalisation", r.normalisation()},
            {"classes", r.class_names()},
            {"default_exemplar", r.default_exemplar()},
            {"default_split", split},
            {"quantisation", "uint16 over each slice's [lo, hi]"},
            {"train", train},
            {"splits", {{split, vols}}}};
  write_file_atomic(root / "train_images.zst", img_blob);
  write_file_atomic(root / "train_labels.zst", lab_blob);
  write_file_atomic(root / "eval.zst", eval_blob);
  write_file_atomic(root / "prepared.json", j.dump() + "\n");  // last: its presence marks completion
  st.bytes_train_images = int64_t(img_blob.size());
  st.bytes_train_labels = int64_t(lab_blob.size());
  st.bytes_eval = int64_t(eval_blob.size());
  return st;
}

std::unique_ptr<DatasetReader> open_prepared(const std::string& root) { return std::make_unique<PreparedReader>(root); }
}  // namespace cmems
