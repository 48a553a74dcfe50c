#include "data/slices.hpp"

#include "core/check.hpp"
#include "data/propagate.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/fs.hpp"

namespace cmems {
namespace F = torch::nn::functional;

namespace {
// Zeros around an [..., b.h, b.w] tensor, making it [..., size, size].
torch::Tensor pad_to(const torch::Tensor& t, const FitBox& b, int64_t size) {
  if (b.h == size && b.w == size) return t;
  return F::pad(t, F::PadFuncOptions({b.left, size - b.w - b.left, b.top, size - b.h - b.top}));
}
}  // namespace

torch::Tensor resize_image(const Image2D& img, int64_t size, SliceFit fit) {
  const FitBox b = fit_box(img.h, img.w, size, fit);
  auto t = torch::from_blob(const_cast<float*>(img.pixels.data()), {1, 1, img.h, img.w}, torch::kFloat);
  if (img.h == b.h && img.w == b.w) return pad_to(t.clone(), b, size)[0];
  return pad_to(F::interpolate(t, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{b.h, b.w})
                                      .mode(torch::kBilinear)
                                      .align_corners(false)),
                b, size)[0];
}

torch::Tensor resize_label(const std::vector<uint8_t>& label, int64_t h, int64_t w, int64_t size, SliceFit fit) {
  const FitBox b = fit_box(h, w, size, fit);
  // Nearest at pixel centres ("nearest-exact"): output pixel j takes input pixel
  // floor((j + ½)·in/out), where the bilinear image resize centres it too. Legacy `nearest`
  // takes floor(j·in/out), half an input pixel off at 2× downsampling.
  auto centres = [](int64_t in, int64_t out) {
    auto j = torch::arange(out, torch::kDouble);
    return ((j + 0.5) * (double(in) / double(out))).floor().clamp_max(double(in - 1)).to(torch::kLong);
  };
  auto t = torch::from_blob(const_cast<uint8_t*>(label.data()), {h, w}, torch::kByte);
  return pad_to(t.index_select(0, centres(h, b.h)).index_select(1, centres(w, b.w)).to(torch::kLong), b, size);
}

std::vector<std::string> exemplar_ids(const std::string& spec) {
  std::vector<std::string> ids;
  std::error_code ec;
  if (spec.find(',') == std::string::npos && fs::is_regular_file(spec, ec)) {  // a file of IDs
    std::ifstream in(spec);
    std::string line;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find('#'));
      const auto b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
      if (b != std::string::npos) ids.push_back(line.substr(b, e - b + 1));
    }
  } else {
    std::stringstream ss(spec);
    std::string id;
    while (std::getline(ss, id, ','))
      if (!id.empty()) ids.push_back(id);
  }
  CMEMS_CHECK(!ids.empty(), "exemplar '", spec, "': names no slice");
  for (size_t i = 0; i < ids.size(); ++i)
    for (size_t j = 0; j < i; ++j) CMEMS_CHECK(ids[i] != ids[j], "exemplar '", spec, "': names ", ids[i], " twice");
  return ids;
}

std::vector<Image2D> unlabeled_images(const DatasetReader& reader, const std::vector<std::string>& exemplars) {
  std::vector<Image2D> out;
  for (auto& s : reader.unlabeled_slices(exemplars.empty() ? "" : exemplars[0]))
    if (std::find(exemplars.begin(), exemplars.end(), s.id) == exemplars.end()) out.push_back(std::move(s));
  return out;
}

TrainingData load_training_data(const DatasetReader& reader, const std::string& exemplar_id,
                                LabelAccess access, int64_t size, const torch::Device& device, SliceFit fit,
                                double propagate_mm) {
  TrainingData d;
  d.exemplar_id = exemplar_id;
  d.num_classes = reader.num_classes();
  std::vector<torch::Tensor> li, ll, un;
  std::vector<std::string> ids, sources;  // the exemplars; those with foreground (synthesis sources)
  if (access == LabelAccess::ExemplarOnly) {
    // One exemplar must show the structure; with several, some may not (an annotated slice
    // without any structure: a labeled negative, never a synthesis source). Sources first.
    ids = exemplar_ids(exemplar_id);
    std::vector<torch::Tensor> empty_i, empty_l;
    for (size_t k = 0; k < ids.size(); ++k) {
      LabeledImage2D e = reader.exemplar(ids[k], /*need_foreground=*/ids.size() == 1);
      const bool fg = has_foreground(e.label);
      (fg ? li : empty_i).push_back(resize_image(e.image, size, fit));
      (fg ? ll : empty_l).push_back(resize_label(e.label, e.image.h, e.image.w, size, fit));
      if (fg) sources.push_back(ids[k]);
    }
    CMEMS_CHECK(!sources.empty(), "exemplar '", exemplar_id, "': none of its slices has a foreground label");
    d.num_exemplars = int64_t(sources.size());
    li.insert(li.end(), empty_i.begin(), empty_i.end());
    ll.insert(ll.end(), empty_l.begin(), empty_l.end());
  } else {
    for (auto& s : reader.all_labeled_slices()) {
      li.push_back(resize_image(s.image, size, fit));
      ll.push_back(resize_label(s.label, s.image.h, s.image.w, size, fit));
    }
  }
  for (auto& s : unlabeled_images(reader, ids)) un.push_back(resize_image(s, size, fit));
  CMEMS_CHECK(!li.empty(), "training data: no labeled slice");
  CMEMS_CHECK(!un.empty(), "training data: no unlabeled slice besides the exemplar");
  d.labeled_images = torch::stack(li).to(device);
  d.labeled_labels = torch::stack(ll).to(device);
  for (int64_t e = 0; propagate_mm > 0 && e < int64_t(sources.size()); ++e) {  // not from an empty one
    auto n = reader.exemplar_neighbours(sources[size_t(e)], propagate_mm);
    if (n.planes.size() > 1) {
      std::vector<torch::Tensor> planes;
      for (auto& p : n.planes) planes.push_back(resize_image(p, size, fit));
      auto images = torch::stack(planes).to(device);
      auto labels = propagate_label(images, n.at, d.labeled_labels[e], d.num_classes);
      auto others = torch::cat({torch::arange(n.at), torch::arange(n.at + 1, int64_t(n.planes.size()))}).to(device);
      d.labeled_images = torch::cat({d.labeled_images, images.index_select(0, others)});
      d.labeled_labels = torch::cat({d.labeled_labels, labels.index_select(0, others)});
      std::fprintf(stderr, "cmems: %s's label propagated to %lld neighbouring planes (within %.1f mm; %.3f mm apart)\n",
                   sources[size_t(e)].c_str(), (long long)others.size(0), propagate_mm, n.spacing_mm);
    }
  }
  d.unlabeled = torch::stack(un).to(device);
  return d;
}
}  // namespace cmems
