#include "io/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "io/hdf5.hpp"
#include "io/nifti.hpp"
#include "io/npz.hpp"
#include "io/prepared.hpp"

namespace cmems {
using nlohmann::json;

void normalise_volume(ImageVolume& v, const std::string& channel) {
  if (v.data.empty()) return;
  std::string c = channel;
  std::transform(c.begin(), c.end(), c.begin(), ::toupper);
  float lo, hi;
  if (c == "CT") {
    lo = -125.f, hi = 275.f;
  } else {
    std::vector<float> s = v.data;
    auto q = [&](double f) {
      size_t k = std::min(s.size() - 1, size_t(f * double(s.size() - 1)));
      std::nth_element(s.begin(), s.begin() + k, s.end());
      return s[k];
    };
    lo = q(0.005), hi = q(0.995);
  }
  float scale = hi > lo ? 1.f / (hi - lo) : 0.f;
  for (auto& x : v.data) x = std::clamp((x - lo) * scale, 0.f, 1.f);
}

namespace {

void check_labels(const std::vector<uint8_t>& l, int num_classes, const std::string& file) {
  for (auto x : l)
    CMEMS_CHECK(x < num_classes, file, ": label value ", int(x), " is outside the declared classes 0..",
                num_classes - 1);
}

}  // namespace

bool has_foreground(const std::vector<uint8_t>& l) {
  return std::any_of(l.begin(), l.end(), [](uint8_t x) { return x > 0; });
}

void DatasetReader::hold_out(const std::vector<std::string>&, const std::string& source) {
  CMEMS_FAIL(source, ": holding out training cases works on NIfTI datasets only (this one is ", kind(), ")");
}

DatasetReader::Neighbours DatasetReader::exemplar_neighbours(const std::string&, double) const { return {}; }
double DatasetReader::plane_spacing_mm(const std::string&) const { return 0; }

LabeledImage2D DatasetReader::exemplar(const std::string& id, bool need_foreground) const {
  LabeledImage2D e = labeled_slice(id);
  CMEMS_CHECK(int64_t(e.label.size()) == e.image.h * e.image.w, "exemplar '", id,
              "': label shape does not match the image");
  check_labels(e.label, num_classes(), "exemplar '" + id + "'");
  CMEMS_CHECK(!need_foreground || has_foreground(e.label), "exemplar '", id, "': the slice has no foreground label");
  return e;
}

namespace {
Image2D slice_of(const ImageVolume& v, int64_t k, const std::string& id) {
  Image2D s{id, v.dims[1], v.dims[0], {}};
  auto begin = v.data.begin() + k * v.dims[0] * v.dims[1];
  s.pixels.assign(begin, begin + v.dims[0] * v.dims[1]);
  return s;
}

std::vector<std::string> read_list(const fs::path& p) {
  require_exists(p, "case list");
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  CMEMS_CHECK(!out.empty(), p.string(), ": the list is empty");
  return out;
}

// ---------------------------------------------------------------------------------------
class NnunetReader final : public DatasetReader {
 public:
  explicit NnunetReader(fs::path root) : root_(std::move(root)) {
    fs::path dj = root_ / "dataset.json";
    const json j = read_json_file(dj);
    try {
      CMEMS_CHECK(j.is_object(), dj.string(), ": expected a JSON object");
      auto& ch = j.at("channel_names");
      CMEMS_CHECK(ch.is_object() && ch.size() == 1, dj.string(),
                  ": channel_names must have exactly one channel (cmems segments single-channel images)");
      channel_ = ch.begin()->get<std::string>();
      std::map<int, std::string> by_value;
      for (auto it = j.at("labels").begin(); it != j.at("labels").end(); ++it) {
        CMEMS_CHECK(it->is_number_integer(), dj.string(), ": label '", it.key(),
                    "' must map to an integer (region-based labels are not supported)");
        int v = it->get<int>();
        CMEMS_CHECK(v >= 0 && v < 255 && !by_value.count(v), dj.string(), ": label '", it.key(),
                    "' has a bad or duplicate value ", v);
        by_value[v] = it.key();
      }
      CMEMS_CHECK(by_value.size() >= 2 && by_value.begin()->first == 0 &&
                      by_value.rbegin()->first == int(by_value.size()) - 1,
                  dj.string(), ": labels must be 0..C-1 with background 0 and at least one class");
      for (auto& [v, n] : by_value) classes_.push_back(n);
      ending_ = j.at("file_ending").get<std::string>();
      CMEMS_CHECK(ending_ == ".nii.gz" || ending_ == ".nii", dj.string(), ": file_ending '", ending_,
                  "' is not supported (use .nii.gz or .nii)");
      num_training_ = j.at("numTraining").get<int64_t>();
    } catch (const json::exception& e) {
      CMEMS_FAIL(dj.string(), ": missing or malformed field (", e.what(), ")");
    }
    train_ = list_cases("imagesTr");
    CMEMS_CHECK(!train_.empty(), (root_ / "imagesTr").string(), ": no training images (*_0000",
                ending_, ")");
    CMEMS_CHECK(int64_t(train_.size()) == num_training_, (root_ / "dataset.json").string(),
                ": numTraining is ", num_training_, " but imagesTr holds ", train_.size(), " cases");
  }

  std::string kind() const override { return "nnunet"; }
  std::string normalisation() const override { return channel_; }
  std::vector<std::string> class_names() const override { return classes_; }

  std::vector<std::string> training_slice_ids() const override {
    std::vector<std::string> ids;
    for (auto& c : train_) {
      auto d = read_nifti_dims(image_path("imagesTr", c));
      for (int64_t k = 0; k < d[2]; ++k) ids.push_back(c + ":" + std::to_string(k));
    }
    return ids;
  }

  std::vector<Image2D> unlabeled_slices(const std::string& skip_id) const override {
    std::vector<Image2D> out;
    for (auto& c : train_) {
      ImageVolume v = load_image("imagesTr", c);
      for (int64_t k = 0; k < v.dims[2]; ++k) {
        std::string id = c + ":" + std::to_string(k);
        if (id != skip_id) out.push_back(slice_of(v, k, id));
      }
    }
    return out;
  }

  // CASE:K of a training case, K a plane index of its volume; throws naming the ID otherwise.
  std::pair<std::string, int64_t> case_and_plane(const std::string& id) const {
    auto colon = id.rfind(':');
    CMEMS_CHECK(colon != std::string::npos, "exemplar '", id, "': expected CASE:K for a NIfTI dataset");
    std::string c = id.substr(0, colon);
    int64_t k = -1;
    try {
      size_t used = 0;
      k = std::stoll(id.substr(colon + 1), &used);
      if (used != id.size() - colon - 1) k = -1;
    } catch (const std::exception&) {
    }
    CMEMS_CHECK(std::find(train_.begin(), train_.end(), c) != train_.end(), "exemplar '", id,
                "': no training case '", c, "' in ", (root_ / "imagesTr").string());
    const int64_t nz = read_nifti_dims(image_path("imagesTr", c))[2];
    CMEMS_CHECK(k >= 0 && k < nz, "exemplar '", id, "': slice index must be in 0..", nz - 1);
    return {c, k};
  }

  LabeledImage2D labeled_slice(const std::string& id) const override {
    auto [c, k] = case_and_plane(id);
    if (cached_case_ != c) cached_ = volume("train", c), cached_case_ = c;  // several exemplars of one case: one read
    const CaseVolume& v = cached_;
    LabeledImage2D e{slice_of(v.image, k, id), {}};
    auto begin = v.label.data.begin() + k * v.label.dims[0] * v.label.dims[1];
    e.label.assign(begin, begin + v.label.dims[0] * v.label.dims[1]);
    return e;
  }

  Neighbours exemplar_neighbours(const std::string& id, double max_mm) const override {
    auto [c, k] = case_and_plane(id);
    ImageVolume v = load_image("imagesTr", c);
    Neighbours n;
    n.spacing_mm = spacing_mm(v.geometry)[2];
    const int64_t r = n.spacing_mm > 0 ? int64_t(std::floor(max_mm / n.spacing_mm + 1e-9)) : 0;
    const int64_t lo = std::max<int64_t>(0, k - r), hi = std::min<int64_t>(v.dims[2] - 1, k + r);
    for (int64_t j = lo; j <= hi; ++j) n.planes.push_back(slice_of(v, j, c + ":" + std::to_string(j)));
    n.at = k - lo;
    return n;
  }

  double plane_spacing_mm(const std::string& id) const override {
    const NiftiHeader h = read_nifti_header(image_path("imagesTr", case_and_plane(id).first));
    return h.dims[2] > 1 ? spacing_mm(h.geometry)[2] : 0;
  }

  // Default rule: the first training case in sorted order, its middle slice (nz / 2).
  std::string default_exemplar() const override {
    auto d = read_nifti_dims(image_path("imagesTr", train_.front()));
    return train_.front() + ":" + std::to_string(d[2] / 2);
  }

  std::vector<LabeledImage2D> all_labeled_slices() const override {
    std::vector<LabeledImage2D> out;
    for (auto& c : train_) {
      CaseVolume v = volume("train", c);
      int64_t n = v.image.dims[0] * v.image.dims[1];
      for (int64_t k = 0; k < v.image.dims[2]; ++k) {
        LabeledImage2D s{slice_of(v.image, k, c + ":" + std::to_string(k)), {}};
        s.label.assign(v.label.data.begin() + k * n, v.label.data.begin() + (k + 1) * n);
        out.push_back(std::move(s));
      }
    }
    return out;
  }

  void hold_out(const std::vector<std::string>& cases, const std::string& source) override {
    for (auto& c : cases) {
      auto it = std::find(train_.begin(), train_.end(), c);
      CMEMS_CHECK(it != train_.end(), source, ": '", c, "' is not a training case of ",
                  (root_ / "imagesTr").string(),
                  std::find(held_.begin(), held_.end(), c) != held_.end() ? " (named twice)" : "");
      train_.erase(it);
      held_.push_back(c);
    }
    CMEMS_CHECK(!train_.empty(), source, ": holds out every training case");
  }

  std::string default_split() const override { return held_.empty() ? "test" : "val"; }
  std::vector<std::string> cases(const std::string& split) const override {
    if (split == "train") return train_;
    if (split == "val") {
      CMEMS_CHECK(!held_.empty(), "split 'val': no training case is held out (option --data.holdout FILE)");
      return held_;
    }
    CMEMS_CHECK(split == "test", "split '", split, "': a NIfTI dataset has splits 'test', 'train' and, with --data.holdout, 'val'");
    auto c = list_cases("imagesTs");
    CMEMS_CHECK(!c.empty(), (root_ / "imagesTs").string(), ": no test images (*_0000", ending_, ")");
    return c;
  }

  CaseVolume volume(const std::string& split, const std::string& name) const override {
    const bool tr = split == "train" || split == "val";  // held-out cases live in imagesTr
    if (split == "val")
      CMEMS_CHECK(std::find(held_.begin(), held_.end(), name) != held_.end(), "split 'val': '", name,
                  "' is not a held-out case");
    const std::string img_dir = tr ? "imagesTr" : "imagesTs";
    const std::string lab_dir = tr ? "labelsTr" : "labelsTs";
    CaseVolume v;
    v.name = name;
    v.image = load_image(img_dir, name);
    fs::path lp = root_ / lab_dir / (name + ending_);
    if (fs::exists(lp)) {
      v.label = read_nifti_labels(lp.string());
      CMEMS_CHECK(v.label.dims == v.image.dims, lp.string(), ": label shape ", shape(v.label.dims),
                  " does not match image shape ", shape(v.image.dims));
      for (int a = 0; a < 3; ++a)
        CMEMS_CHECK(std::abs(v.label.geometry.spacing[a] - v.image.geometry.spacing[a]) <=
                        1e-3 * v.image.geometry.spacing[a],
                    lp.string(), ": label spacing differs from the image's along axis ", a);
      check_labels(v.label.data, num_classes(), lp.string());
    } else {
      CMEMS_CHECK(!tr, lp.string(), ": label file does not exist");
    }
    return v;
  }

 private:
  static std::string shape(const std::array<int64_t, 3>& d) {
    return std::to_string(d[0]) + "x" + std::to_string(d[1]) + "x" + std::to_string(d[2]);
  }
  fs::path image_path(const std::string& dir, const std::string& c) const {
    return root_ / dir / (c + "_0000" + ending_);
  }
  ImageVolume load_image(const std::string& dir, const std::string& c) const {
    ImageVolume v = read_nifti_image(image_path(dir, c).string());
    normalise_volume(v, channel_);
    return v;
  }
  std::vector<std::string> list_cases(const std::string& dir) const {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::is_directory(root_ / dir, ec)) return out;
    const std::string suffix = "_0000" + ending_;
    for (auto& e : fs::directory_iterator(root_ / dir)) {
      std::string n = e.path().filename().string();
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
        out.push_back(n.substr(0, n.size() - suffix.size()));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path root_;
  std::string channel_, ending_;
  std::vector<std::string> classes_;
  int64_t num_training_ = 0;
  std::vector<std::string> train_, held_;  // held_: held out of training (split "val")
  mutable std::string cached_case_;  // the case labeled_slice read last, kept for the next exemplar
  mutable CaseVolume cached_;
};

// ---------------------------------------------------------------------------------------
class AcdcReader final : public DatasetReader {
 public:
  explicit AcdcReader(fs::path root) : root_(std::move(root)) {
    ids_ = read_list(root_ / "train_slices.list");
    require_exists(root_ / "data", "ACDC data folder");
  }
  std::string kind() const override { return "acdc"; }
  std::string normalisation() const override { return "as_stored"; }
  std::vector<std::string> class_names() const override { return {"background", "RV", "Myo", "LV"}; }
  std::vector<std::string> training_slice_ids() const override { return ids_; }

  std::vector<Image2D> unlabeled_slices(const std::string& skip_id) const override {
    std::vector<std::string> ids;
    for (auto& id : ids_)
      if (id != skip_id) ids.push_back(id);
    return read_slice_images(ids);
  }

  LabeledImage2D labeled_slice(const std::string& id) const override {
    CMEMS_CHECK(std::find(ids_.begin(), ids_.end(), id) != ids_.end(), "exemplar '", id,
                "': not in ", (root_ / "train_slices.list").string());
    LabeledImage2D e{read_slice_image(id), {}};
    std::string p = file(id);
    auto l = read_h5_u8(p, "label");
    CMEMS_CHECK(l.shape.size() == 2 && l.shape[0] == e.image.h && l.shape[1] == e.image.w, p,
                ": label shape does not match the image");
    e.label = std::move(l.data);
    return e;
  }

  // Default rule: the lowest-numbered patient's frame01 (end-diastole) slices, the middle one
  // in slice order (the median slice number): a mid-ventricular slice. Reads no label.
  std::string default_exemplar() const override {
    static const std::regex re(R"(patient(\d+)_frame(\d+)_slice_(\d+))");
    std::vector<std::tuple<int, int, int, std::string>> v;
    for (auto& id : ids_) {
      std::smatch m;
      if (std::regex_match(id, m, re)) v.emplace_back(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), id);
    }
    CMEMS_CHECK(!v.empty(), (root_ / "train_slices.list").string(),
                ": no name of the form patientNNN_frameMM_slice_K; pass --exemplar");
    std::sort(v.begin(), v.end());
    auto [p, f, s, id0] = v.front();
    std::vector<std::string> same;
    for (auto& [p2, f2, s2, id] : v)
      if (p2 == p && f2 == f) same.push_back(id);
    return same[same.size() / 2];
  }

  std::vector<LabeledImage2D> all_labeled_slices() const override {
    std::vector<Image2D> images = read_slice_images(ids_);
    std::vector<std::string> paths;
    for (auto& id : ids_) paths.push_back(file(id));
    std::vector<H5Array<uint8_t>> labels = read_h5_u8(paths, "label");
    std::vector<LabeledImage2D> out;
    for (size_t i = 0; i < ids_.size(); ++i) {
      auto& l = labels[i];
      CMEMS_CHECK(l.shape.size() == 2 && l.shape[0] == images[i].h && l.shape[1] == images[i].w, paths[i],
                  ": label shape does not match the image");
      check_labels(l.data, 4, paths[i]);
      out.push_back({std::move(images[i]), std::move(l.data)});
    }
    return out;
  }

  std::string default_split() const override { return "val"; }
  std::vector<std::string> cases(const std::string& split) const override {
    return read_list(root_ / (split + ".list"));
  }
  CaseVolume volume(const std::string&, const std::string& name) const override {
    std::string p = file(name);
    auto img = read_h5_float(p, "image");
    auto lab = read_h5_u8(p, "label");
    CMEMS_CHECK(img.shape.size() == 3, p, ": expected a D×H×W image volume");
    CMEMS_CHECK(lab.shape == img.shape, p, ": label shape does not match the image");
    check_labels(lab.data, 4, p);
    CaseVolume v;
    v.name = name;
    v.image.dims = v.label.dims = {img.shape[2], img.shape[1], img.shape[0]};
    v.image.data = std::move(img.data);
    v.image.geometry.spacing_known = v.label.geometry.spacing_known = false;  // HDF5: no spacing
    v.label.data = std::move(lab.data);
    return v;
  }

 private:
  std::string file(const std::string& id) const { return (root_ / "data" / (id + ".h5")).string(); }
  Image2D read_slice_image(const std::string& id) const { return std::move(read_slice_images({id}).front()); }
  std::vector<Image2D> read_slice_images(const std::vector<std::string>& ids) const {
    std::vector<std::string> paths;
    for (auto& id : ids) paths.push_back(file(id));
    std::vector<H5Array<float>> a = read_h5_float(paths, "image");
    std::vector<Image2D> out;
    for (size_t i = 0; i < ids.size(); ++i) {
      CMEMS_CHECK(a[i].shape.size() == 2, paths[i], ": expected a 2D H×W training slice");
      out.push_back(Image2D{ids[i], a[i].shape[0], a[i].shape[1], std::move(a[i].data)});
    }
    return out;
  }
  fs::path root_;
  std::vector<std::string> ids_;
};
// ---------------------------------------------------------------------------------------
// Synapse in the TransUNet layout: train_npz/NAME.npz (image, label 2D), test_vol_h5/
// CASE.npy.h5 (image, label D×H×W), lists/lists_Synapse/train.txt and test_vol.txt.
// Images already in [0, 1] are kept; raw HU (max > 2) get the CT window [-125, 275].
class SynapseReader final : public DatasetReader {
 public:
  explicit SynapseReader(fs::path root) : root_(std::move(root)) {
    ids_ = read_list(root_ / "lists" / "lists_Synapse" / "train.txt");
    for (auto& id : ids_)
      if (id.size() > 4 && id.compare(id.size() - 4, 4, ".npz") == 0) id.resize(id.size() - 4);
  }
  std::string kind() const override { return "synapse"; }
  std::string normalisation() const override { return "CT"; }
  std::vector<std::string> class_names() const override {
    return {"background", "aorta", "gallbladder", "kidney_left", "kidney_right", "liver", "pancreas", "spleen", "stomach"};
  }
  std::vector<std::string> training_slice_ids() const override { return ids_; }
  std::vector<Image2D> unlabeled_slices(const std::string& skip_id) const override {
    std::vector<Image2D> out;
    for (auto& id : ids_)
      if (id != skip_id) out.push_back(read_slice(id, false).image);
    return out;
  }
  LabeledImage2D labeled_slice(const std::string& id) const override {
    CMEMS_CHECK(std::find(ids_.begin(), ids_.end(), id) != ids_.end(), "exemplar '", id, "': not in ",
                (root_ / "lists" / "lists_Synapse" / "train.txt").string());
    return read_slice(id, true);
  }
  // Default rule: the first training case in sorted order, its middle slice. Reads no label.
  std::string default_exemplar() const override {
    std::vector<std::string> v = ids_;
    std::sort(v.begin(), v.end());
    const std::string c = v.front().substr(0, v.front().find('_'));
    std::vector<std::string> same;
    for (auto& id : v)
      if (id.rfind(c + "_", 0) == 0) same.push_back(id);
    return same[same.size() / 2];
  }
  std::vector<LabeledImage2D> all_labeled_slices() const override {
    std::vector<LabeledImage2D> out;
    for (auto& id : ids_) out.push_back(read_slice(id, true));
    return out;
  }
  std::string default_split() const override { return "test_vol"; }
  std::vector<std::string> cases(const std::string& split) const override {
    auto c = read_list(root_ / "lists" / "lists_Synapse" / (split + ".txt"));
    for (auto& n : c)
      if (n.size() > 7 && n.compare(n.size() - 7, 7, ".npy.h5") == 0) n.resize(n.size() - 7);
    return c;
  }
  CaseVolume volume(const std::string&, const std::string& name) const override {
    std::string p = (root_ / "test_vol_h5" / (name + ".npy.h5")).string();
    auto img = read_h5_float(p, "image");
    auto lab = read_h5_u8(p, "label");
    CMEMS_CHECK(img.shape.size() == 3, p, ": expected a D×H×W image volume");
    CMEMS_CHECK(lab.shape == img.shape, p, ": label shape does not match the image");
    check_labels(lab.data, num_classes(), p);
    CaseVolume v;
    v.name = name;
    v.image.dims = v.label.dims = {img.shape[2], img.shape[1], img.shape[0]};
    v.image.data = std::move(img.data);
    v.image.geometry.spacing_known = v.label.geometry.spacing_known = false;  // HDF5: no spacing
    window_if_raw(v.image.data);
    v.label.data = std::move(lab.data);
    return v;
  }

 private:
  static void window_if_raw(std::vector<float>& x) {
    if (x.empty() || *std::max_element(x.begin(), x.end()) <= 2.f) return;
    for (auto& v : x) v = std::clamp((v + 125.f) / 400.f, 0.f, 1.f);
  }
  LabeledImage2D read_slice(const std::string& id, bool with_label) const {
    std::string p = (root_ / "train_npz" / (id + ".npz")).string();
    auto arrays = read_npz(p);
    CMEMS_CHECK(arrays.count("image"), p, ": has no array 'image'");
    const NpyArray& im = arrays.at("image");
    CMEMS_CHECK(im.shape.size() == 2, p, ": 'image' must be 2D");
    LabeledImage2D s{Image2D{id, im.shape[0], im.shape[1], im.to_float()}, {}};
    for (float v : s.image.pixels) CMEMS_CHECK(std::isfinite(v), p, ": 'image' contains NaN or Inf");
    window_if_raw(s.image.pixels);
    if (with_label) {
      CMEMS_CHECK(arrays.count("label"), p, ": has no array 'label'");
      const NpyArray& la = arrays.at("label");
      CMEMS_CHECK(la.shape == im.shape, p, ": 'label' shape does not match 'image'");
      for (float v : la.to_float()) {
        CMEMS_CHECK(v >= 0 && v < float(num_classes()) && v == std::floor(v), p, ": label value ", v,
                    " is outside the declared classes 0..", num_classes() - 1);
        s.label.push_back(uint8_t(v));
      }
    }
    return s;
  }
  fs::path root_;
  std::vector<std::string> ids_;
};
}  // namespace

std::vector<std::string> read_holdout_file(const std::string& path) {
  require_exists(path, "holdout file");
  if (fs::path(path).extension() != ".json") return read_list(path);
  const json j = read_json_file(path);
  std::vector<std::string> out;
  try {  // nnU-Net: [{"train": [...], "val": [...]}, ...], one object per fold
    CMEMS_CHECK(j.is_array() && !j.empty(), path, ": expected nnU-Net's splits_final.json, a list of folds");
    out = j.at(0).at("val").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    CMEMS_FAIL(path, ": fold 0 has no list 'val' of case names (", e.what(), ")");
  }
  CMEMS_CHECK(!out.empty(), path, ": fold 0's 'val' is empty");
  return out;
}

namespace {
std::unique_ptr<DatasetReader> open_layout(const std::string& root) {
  fs::path r(root);
  require_exists(r, "dataset folder");
  CMEMS_CHECK(fs::is_directory(r), root, ": not a folder");
  if (fs::exists(r / "prepared.json")) return open_prepared(root);
  if (fs::exists(r / "dataset.json")) return std::make_unique<NnunetReader>(r);
  if (fs::exists(r / "train_slices.list")) return std::make_unique<AcdcReader>(r);
  if (fs::exists(r / "lists" / "lists_Synapse" / "train.txt")) return std::make_unique<SynapseReader>(r);
  CMEMS_FAIL(root, ": not a dataset (expected dataset.json for nnU-Net NIfTI, train_slices.list for ACDC HDF5, or lists/lists_Synapse/train.txt for Synapse)");
}
}  // namespace

std::unique_ptr<DatasetReader> DatasetReader::open(const std::string& root, const std::string& holdout) {
  auto reader = open_layout(root);
  if (!holdout.empty()) reader->hold_out(read_holdout_file(holdout), holdout);
  return reader;
}
}  // namespace cmems
