#include "data/slices.hpp"

#include "core/check.hpp"
#include "data/propagate.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
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

std::vector<std::string> resolve_plane_options(DataOptions& o, const DatasetReader& reader,
                                               const std::string& exemplar) {
  const bool context = o.context > 0 && o.context_mm > 0;
  const bool propagate = o.propagate_mm > 0 && o.propagate_step_mm > 0;
  if (!context && !propagate) return {};
  const std::string id = exemplar.empty() ? reader.default_exemplar() : exemplar_ids(exemplar)[0];
  const double spacing = reader.plane_spacing_mm(id);
  std::vector<std::string> said;
  for (std::string s : {o.resolve_propagation(spacing), o.resolve_context(spacing)})
    if (!s.empty()) said.push_back(s);
  return said;
}

torch::Tensor stack_with_context(const std::vector<std::string>& ids, const std::vector<torch::Tensor>& planes,
                                 const PlaneContext& ctx) {
  CMEMS_CHECK(ids.size() == planes.size() && !ids.empty(), "stack_with_context: one ID per plane");
  if (ctx.planes == 0) return torch::stack(planes);
  std::vector<torch::Tensor> out;
  for (const auto& rows : context_indices(ids, ctx)) {
    std::vector<torch::Tensor> channels;
    for (size_t j : rows) channels.push_back(planes[j]);
    out.push_back(torch::cat(channels));
  }
  return torch::stack(out);
}

TrainingData load_training_data(const DatasetReader& reader, const std::string& exemplar_id, LabelAccess access,
                                const DataOptions& o, const torch::Device& device) {
  DataOptions resolved = o;
  resolve_plane_options(resolved, reader, exemplar_id);
  CMEMS_CHECK(resolved.propagate_mm == o.propagate_mm && resolved.context == o.context &&
                  resolved.context_stride == o.context_stride,
              "load_training_data: the data options depend on the planes' spacing: resolve_plane_options first");
  return load_training_data(reader, exemplar_id, access, o.size, device, o.fit, o.propagate_mm, o.plane_context());
}

TrainingData load_training_data(const DatasetReader& reader, const std::string& exemplar_id,
                                LabelAccess access, int64_t size, const torch::Device& device, SliceFit fit,
                                double propagate_mm, const PlaneContext& context) {
  TrainingData d;
  d.exemplar_id = exemplar_id;
  d.num_classes = reader.num_classes();
  d.centre_channel = context.centre();
  std::vector<torch::Tensor> li, ll, un;
  std::vector<std::string> ids, sources;  // the exemplars; those with foreground (synthesis sources)
  std::vector<std::string> li_ids, un_ids;  // the slices of li and un, in order (data.context looks them up)
  if (access == LabelAccess::ExemplarOnly) {
    // One exemplar must show the structure; with several, some may not (an annotated slice
    // without any structure: a labeled negative, never a synthesis source). Sources first.
    ids = exemplar_ids(exemplar_id);
    std::vector<torch::Tensor> empty_i, empty_l;
    std::vector<std::string> empty_ids;
    for (size_t k = 0; k < ids.size(); ++k) {
      LabeledImage2D e = reader.exemplar(ids[k], /*need_foreground=*/ids.size() == 1);
      const bool fg = has_foreground(e.label);
      (fg ? li : empty_i).push_back(resize_image(e.image, size, fit));
      (fg ? ll : empty_l).push_back(resize_label(e.label, e.image.h, e.image.w, size, fit));
      (fg ? sources : empty_ids).push_back(ids[k]);
    }
    CMEMS_CHECK(!sources.empty(), "exemplar '", exemplar_id, "': none of its slices has a foreground label");
    d.num_exemplars = int64_t(sources.size());
    li.insert(li.end(), empty_i.begin(), empty_i.end());
    ll.insert(ll.end(), empty_l.begin(), empty_l.end());
    li_ids = sources;
    li_ids.insert(li_ids.end(), empty_ids.begin(), empty_ids.end());
  } else {
    for (auto& s : reader.all_labeled_slices()) {
      li.push_back(resize_image(s.image, size, fit));
      ll.push_back(resize_label(s.label, s.image.h, s.image.w, size, fit));
      li_ids.push_back(s.image.id);
    }
  }
  for (auto& s : unlabeled_images(reader, ids)) un.push_back(resize_image(s, size, fit)), un_ids.push_back(s.id);
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
      for (int64_t k = 0; k < int64_t(n.planes.size()); ++k)
        if (k != n.at) li_ids.push_back(n.planes[size_t(k)].id);
      std::fprintf(stderr, "cmems: %s's label propagated to %lld neighbouring planes (within %.1f mm; %.3f mm apart)\n",
                   sources[size_t(e)].c_str(), (long long)others.size(0), propagate_mm, n.spacing_mm);
    }
  }
  if (context.planes > 0) {
    // Every training plane once (the unlabeled ones, then the labeled ones that are not among
    // them: the exemplars), each labeled and unlabeled slice with its neighbours from that pool.
    std::vector<std::string> pool_ids = un_ids;
    std::vector<torch::Tensor> pool = un;
    std::map<std::string, size_t> at;
    for (size_t i = 0; i < pool_ids.size(); ++i) at.emplace(pool_ids[i], i);
    auto labeled_cpu = d.labeled_images.cpu();
    for (size_t i = 0; i < li_ids.size(); ++i)
      if (at.emplace(li_ids[i], pool_ids.size()).second) pool_ids.push_back(li_ids[i]), pool.push_back(labeled_cpu[int64_t(i)]);
    auto all = stack_with_context(pool_ids, pool, context);
    std::vector<int64_t> rows;
    for (auto& id : li_ids) rows.push_back(int64_t(at.at(id)));
    d.labeled_images = all.index_select(0, torch::tensor(rows, torch::kLong)).to(device);
    d.unlabeled = all.narrow(0, 0, int64_t(un.size())).to(device);  // a view: the pool holds the exemplars after them
    return d;
  }
  d.unlabeled = torch::stack(un).to(device);
  return d;
}
}  // namespace cmems
