#include "io/prepared.hpp"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"

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

// Decompresses one frame; its content size must not exceed `max_size`.
std::string decompress(const std::string& blob, const json& ref, size_t max_size, const std::string& origin) {
  const auto off = ref.at(0).get<uint64_t>(), len = ref.at(1).get<uint64_t>();
  CMEMS_CHECK(off <= blob.size() && len <= blob.size() - off, origin, ": index points outside the data file");
  unsigned long long size = ZSTD_getFrameContentSize(blob.data() + off, len);
  CMEMS_CHECK(size != ZSTD_CONTENTSIZE_ERROR && size != ZSTD_CONTENTSIZE_UNKNOWN && size <= max_size, origin,
              ": corrupt zstd frame");
  std::string out(size_t(size), '\0');
  size_t k = ZSTD_decompress(out.data(), out.size(), blob.data() + off, len);
  CMEMS_CHECK(!ZSTD_isError(k) && k == size, origin, ": corrupt zstd frame");
  return out;
}

// Largest frame an n-value image may need (a palette of up to 65,536 floats + indices).
size_t image_frame_bound(size_t n) { return 4 + 4 * 65536 + 2 * n; }

// A slice or volume's intensities, losslessly as a palette of its distinct values plus
// uint8/uint16 indices when it has at most 65,536 of them (ACDC: a few hundred grey levels),
// otherwise quantised to uint16 over [lo, hi].
struct Encoded {
  std::string enc;  // "palette8", "palette16" or "q16"
  float lo = 0, hi = 0;
  std::string bytes;
};

template <class T>
void append(std::string& out, const std::vector<T>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

Encoded encode(const std::vector<float>& x, PrepareStats& st) {
  Encoded e;
  auto [mn, mx] = std::minmax_element(x.begin(), x.end());
  e.lo = *mn, e.hi = *mx;
  std::vector<float> pal(x);
  std::sort(pal.begin(), pal.end());
  pal.erase(std::unique(pal.begin(), pal.end()), pal.end());
  if (pal.size() <= 65536) {
    const uint32_t n = uint32_t(pal.size());
    e.bytes.append(reinterpret_cast<const char*>(&n), 4);
    append(e.bytes, pal);
    std::vector<uint16_t> idx(x.size());
    for (size_t i = 0; i < x.size(); ++i) idx[i] = uint16_t(std::lower_bound(pal.begin(), pal.end(), x[i]) - pal.begin());
    if (n <= 256) {
      e.enc = "palette8";
      append(e.bytes, std::vector<uint8_t>(idx.begin(), idx.end()));
    } else {
      e.enc = "palette16";
      append(e.bytes, idx);
    }
    return e;  // lossless
  }
  e.enc = "q16";
  const double range = double(e.hi) - double(e.lo), scale = range > 0 ? 65535.0 / range : 0.0;
  std::vector<uint16_t> q(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    q[i] = uint16_t(std::lround((double(x[i]) - e.lo) * scale));
    double err = std::abs(float(e.lo + (range > 0 ? q[i] * (range / 65535.0) : 0.0)) - x[i]);
    st.max_abs_error = std::max(st.max_abs_error, err);
    if (range > 0) st.max_relative_error = std::max(st.max_relative_error, err / range);
  }
  append(e.bytes, q);
  return e;
}

std::vector<float> decode(const std::string& raw, const json& meta, size_t n, const std::string& origin) {
  std::vector<float> x(n);
  const std::string enc = meta.value("enc", "q16");
  if (enc == "q16") {
    CMEMS_CHECK(raw.size() == 2 * n, origin, ": corrupt prepared frame");
    const float lo = meta["lo"], hi = meta["hi"];
    const double step = (double(hi) - double(lo)) / 65535.0;
    const auto* q = reinterpret_cast<const uint16_t*>(raw.data());
    for (size_t i = 0; i < n; ++i) x[i] = float(lo + q[i] * step);
    return x;
  }
  CMEMS_CHECK(enc == "palette8" || enc == "palette16", origin, ": unknown encoding '", enc, "'");
  uint32_t count = 0;
  CMEMS_CHECK(raw.size() >= 4, origin, ": corrupt prepared frame");
  std::memcpy(&count, raw.data(), 4);
  const size_t w = enc == "palette8" ? 1 : 2;
  CMEMS_CHECK(count >= 1 && count <= 65536 && raw.size() == 4 + 4 * size_t(count) + w * n, origin,
              ": corrupt prepared frame");
  std::vector<float> pal(count);
  std::memcpy(pal.data(), raw.data() + 4, 4 * size_t(count));
  const char* idx = raw.data() + 4 + 4 * size_t(count);
  for (size_t i = 0; i < n; ++i) {
    size_t k = w == 1 ? size_t(static_cast<uint8_t>(idx[i])) : size_t(reinterpret_cast<const uint16_t*>(idx)[i]);
    CMEMS_CHECK(k < count, origin, ": corrupt prepared frame (index out of the palette)");
    x[i] = pal[k];
  }
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
      j_ = read_json_file(p);
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
  LabeledImage2D labeled_slice(const std::string& id) const override {
    auto it = std::find(ids_.begin(), ids_.end(), id);
    CMEMS_CHECK(it != ids_.end(), "exemplar '", id, "': not a training slice of ", root_.string());
    const json& s = j_["train"][size_t(it - ids_.begin())];
    CMEMS_CHECK(!s["lab"].is_null(), "exemplar '", id, "': no label was prepared for it");
    LabeledImage2D e{image_of(s, read_file(root_ / "train_images.zst")), {}};
    e.label = label_of(s, read_file(root_ / "train_labels.zst"));
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
      // sets prepared before the key existed: taken as unknown (the opening then stays off)
      c.image.geometry.spacing_known = c.label.geometry.spacing_known = v.value("spacing_known", false);
      const size_t n = size_t(c.image.dims[0] * c.image.dims[1] * c.image.dims[2]);
      c.image.data = decode(decompress(blob, v["img"], image_frame_bound(n), root_.string()), v, n, root_.string());
      std::string l = decompress(blob, v["lab"], n, root_.string());
      CMEMS_CHECK(l.size() == n, root_.string(), ": corrupt label frame of ", name);
      c.label.data.assign(l.begin(), l.end());
      return c;
    }
    CMEMS_FAIL(root_.string(), ": no volume '", name, "' in split '", split, "'");
  }

 private:
  Image2D image_of(const json& s, const std::string& blob) const {
    Image2D im{s["id"], s["h"], s["w"], {}};
    const size_t n = size_t(im.h * im.w);
    im.pixels = decode(decompress(blob, s["img"], image_frame_bound(n), root_.string()), s, n, root_.string());
    return im;
  }
  std::vector<uint8_t> label_of(const json& s, const std::string& blob) const {
    const size_t n = size_t(s["h"].get<int64_t>() * s["w"].get<int64_t>());
    std::string l = decompress(blob, s["lab"], n, root_.string());
    CMEMS_CHECK(l.size() == n, root_.string(), ": corrupt label frame");
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
    Encoded q = encode(s.image.pixels, st);
    train.push_back({{"id", s.image.id}, {"h", s.image.h}, {"w", s.image.w}, {"enc", q.enc}, {"lo", q.lo}, {"hi", q.hi},
                     {"img", frame(img_blob, compress(q.bytes.data(), q.bytes.size(), level))},
                     {"lab", frame(lab_blob, compress(s.label.data(), s.label.size(), level))}});
    ++st.slices;
  }
  const std::string split = r.default_split();
  json vols = json::array();
  for (auto& name : r.cases(split)) {
    CaseVolume v = r.volume(split, name);
    CMEMS_CHECK(!v.label.data.empty(), name, ": evaluation volume without a label");
    Encoded q = encode(v.image.data, st);
    vols.push_back({{"name", name}, {"dims", v.image.dims}, {"spacing", v.image.geometry.spacing},
                    {"spacing_known", v.image.geometry.spacing_known}, {"enc", q.enc},
                    {"lo", q.lo}, {"hi", q.hi}, {"img", frame(eval_blob, compress(q.bytes.data(), q.bytes.size(), level))},
                    {"lab", frame(eval_blob, compress(v.label.data.data(), v.label.data.size(), level))}});
    ++st.volumes;
  }
  json j = {{"format", "cmems-prepared-1"},
            {"source_kind", r.kind()},
            {"normalisation", r.normalisation()},
            {"classes", r.class_names()},
            {"default_exemplar", r.default_exemplar()},
            {"default_split", split},
            {"encoding", "palette8/palette16: lossless palette + indices; q16: uint16 over [lo, hi]"},
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
