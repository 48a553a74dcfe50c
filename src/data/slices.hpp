// Training data as tensors: the labeled set (the exemplar alone, or every slice for the
// `full` upper bound) and the unlabeled pool, each slice resized to size×size (bilinear for
// images, nearest-exact for labels: both sample at pixel centres, so they stay aligned).
// Which labels are read is decided here, once, by `LabelAccess`: exemplar methods get
// exactly one label. Stage: data.
#pragma once
#include <torch/torch.h>

#include <string>

#include "core/plane_context.hpp"
#include "core/slice_fit.hpp"
#include "data/options.hpp"
#include "io/dataset.hpp"

namespace cmems {

enum class LabelAccess { ExemplarOnly, All };

struct TrainingData {
  std::string exemplar_id;
  torch::Tensor labeled_images;  // [N, C, S, S] float (C = data.context's channels, the slice itself at centre_channel): the exemplar, then the planes its label was propagated to (data.propagate_mm), or every labeled slice (`full`)
  torch::Tensor labeled_labels;  // [N, S, S] int64 (kIgnore: no loss); the exemplar's first
  torch::Tensor unlabeled;       // [M, C, S, S] float, the exemplar excluded
  int64_t num_classes = 0;
  int64_t centre_channel = 0;  // the slice's own channel (data.context: its neighbours around it)
  int64_t num_exemplars = 1;  // the first labeled slices are the exemplars with foreground (what synthesis pastes); exemplars without any follow
  torch::Tensor exemplar_images() const { return labeled_images.narrow(0, 0, num_exemplars); }
  torch::Tensor exemplar_labels() const { return labeled_labels.narrow(0, 0, num_exemplars); }
};
/// The exemplar IDs `spec` names: one ID, a comma-separated list, or a text file of IDs (one
/// a line; # comments). Throws naming `spec` when it names none or one twice.
std::vector<std::string> exemplar_ids(const std::string& spec);
/// Every training slice's image but those of `exemplars` (no label is read).
std::vector<Image2D> unlabeled_images(const DatasetReader& reader, const std::vector<std::string>& exemplars);

/// What depends on how far apart the planes lie, fixed from the plane spacing of the first
/// slice `exemplar` names (`full`, with no exemplar: the default exemplar's volume):
/// data.propagate_step_mm (DataOptions::resolve_propagation) and data.context_mm
/// (DataOptions::resolve_context). Returns what it did, a line each, for the log. Reads no
/// label. A run resolves its options once, before it saves them: the saved configuration is
/// what inference reads.
std::vector<std::string> resolve_plane_options(DataOptions& o, const DatasetReader& reader,
                                               const std::string& exemplar);

/// Reads the training data. With ExemplarOnly, the only labels read are those of the
/// exemplars `exemplar_id` names (exemplar_ids); with
/// `propagate_mm` > 0 it is carried to the planes of its volume within that distance
/// (data/propagate.hpp), where the data says how far apart they lie. With `context`, each
/// slice comes with its neighbouring planes as channels (stack_with_context); the
/// exemplars' own images are planes of that context too (no label but theirs is read).
TrainingData load_training_data(const DatasetReader& reader, const std::string& exemplar_id,
                                LabelAccess access, int64_t size, const torch::Device& device,
                                SliceFit fit = SliceFit::Stretch, double propagate_mm = 0,
                                const PlaneContext& context = {});
/// The same, with every data.* option that shapes the tensors (size, fit, propagate_mm, context).
TrainingData load_training_data(const DatasetReader& reader, const std::string& exemplar_id,
                                LabelAccess access, const DataOptions& o, const torch::Device& device);

/// Slices [1, S, S] with their IDs -> [N, ctx.channels(), S, S]: each slice with the planes
/// around it among the same slices (core/plane_context.hpp: volume and plane from the ID; the
/// nearest existing plane where one is missing).
torch::Tensor stack_with_context(const std::vector<std::string>& ids, const std::vector<torch::Tensor>& planes,
                                 const PlaneContext& ctx);

/// An h×w slice as [1, size, size] (bilinear, align_corners=false), placed by `fit`
/// (core/slice_fit.hpp; zeros around the box).
torch::Tensor resize_image(const Image2D& img, int64_t size, SliceFit fit = SliceFit::Stretch);
/// An h×w label as [size, size] int64 (nearest-exact: pixel centres, aligned with
/// resize_image; background around the box).
torch::Tensor resize_label(const std::vector<uint8_t>& label, int64_t h, int64_t w, int64_t size,
                           SliceFit fit = SliceFit::Stretch);
}  // namespace cmems
