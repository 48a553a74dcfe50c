// Slice-wise volume prediction: each slice is resized to the training size, the models'
// softmax outputs are averaged (`infer.models`: a, b or both), optional flip test-time
// augmentation, probabilities resized back (bilinear) and argmaxed; optional per-class
// largest connected component. [spec; ref: SSL4MIS test_single_volume]
// Stage: infer (never depends on train/ or methods/).
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "core/plane_context.hpp"
#include "core/slice_fit.hpp"
#include "infer/options.hpp"
#include "io/volume.hpp"
#include "model/unet.hpp"

namespace cmems {

/// Class probabilities of a batch of slices [B, channels, S, S] -> [B, C, S, S].
using SliceModel = std::function<torch::Tensor(const torch::Tensor&)>;

/// Slice-wise labels of a volume [D, H, W] float (any device): each batch of `batch` slices
/// is placed in size×size by `fit` (bilinear, align_corners false; training places slices
/// the same way), passed through `model`, its probabilities taken from the slice's box,
/// resized back to H×W (bilinear) and argmaxed. Returns [D, H, W] uint8 on the CPU. With
/// `context`, each slice goes in with its neighbouring planes as channels (clamped at the
/// volume's ends, as training stacks them). [ref: SSL4MIS test_single_volume, which uses
/// order-0 zoom both ways]
torch::Tensor predict_slices(const torch::Tensor& volume, int64_t size, int64_t batch, const SliceModel& model,
                             SliceFit fit = SliceFit::Stretch, const PlaneContext& context = {});

/// The general form of predict_slices: `model`'s output [B, K, S, S] is taken back to H×W
/// and passed to `post`, whose results [B, ...] are concatenated and returned on the CPU
/// (one copy per volume).
torch::Tensor map_slices(const torch::Tensor& volume, int64_t size, int64_t batch, const SliceModel& model,
                         const std::function<torch::Tensor(const torch::Tensor&)>& post,
                         SliceFit fit = SliceFit::Stretch, const PlaneContext& context = {});

/// What a two-model run's prediction says about its own reliability (eval/qc.hpp): each
/// model's label map (post-processed as the labels are: what that model alone would give),
/// and per voxel the entropy of the two models' mean softmax divided by log(number of
/// classes), in [0, 1]. Same dims and geometry as the image.
struct QcMaps {
  LabelVolume model_a, model_b;
  ImageVolume entropy;
  /// `value` where the two models' labels differ, 0 elsewhere; same dims and geometry.
  LabelVolume disagreement(uint8_t value = 1) const;
};

/// What inference needs of a run: the slice size it was trained at, the inference options,
/// the memory format of its inputs, how its slices were placed (data.fit) and which
/// neighbouring planes go with each (data.context).
struct PredictorOptions {
  int64_t size = 256;
  InferOptions infer;
  bool channels_last = false;
  SliceFit fit = SliceFit::Stretch;
  PlaneContext context;
};

class Predictor {
 public:
  /// `models` on the device inference runs on (one or two; infer.models b needs two). The
  /// predictor runs copies of them with BatchNorm folded in (model/unet.hpp inference_copy):
  /// the caller's models (a training run's, when it validates) are not changed.
  Predictor(PredictorOptions o, std::vector<UNet> models, std::vector<std::string> class_names,
            std::string normalisation);

  /// `image`: a normalised volume (as the dataset reader returns it). Returns labels with
  /// the same dims and geometry.
  /// With `qc` and two models, also fills `*qc` (the labels are the same either way).
  LabelVolume predict(const ImageVolume& image, QcMaps* qc = nullptr) const;
  /// The class probabilities behind predict's labels (the models' mean softmax, resized
  /// back; before any connected-component step): `image`'s geometry, `data` holding one
  /// volume per class, class 0 first (write_nifti_channels).
  ImageVolume probability_volume(const ImageVolume& image) const;
  /// Class probabilities of a batch of slices [D, channels, H, W] -> [D, C, H, W]: the mean over
  /// the models selected by `infer.models` of model_probabilities.
  torch::Tensor probabilities(const torch::Tensor& slices) const;
  /// One model's softmax, averaged over the flips when `infer.tta`.
  torch::Tensor model_probabilities(size_t model, const torch::Tensor& slices) const;
  size_t num_models() const { return models_.size(); }
  /// infer.opening (only where `labels`' spacing is known), then infer.lcc (with
  /// infer.assembly first, the foreground of all classes together): what every label map
  /// predict returns goes through.
  void post_process(LabelVolume& labels) const;

  const std::vector<std::string>& class_names() const { return classes_; }
  const std::string& normalisation() const { return normalisation_; }
  const PredictorOptions& options() const { return o_; }

 private:
  PredictorOptions o_;
  mutable std::vector<UNet> models_;  // forward() is non-const in LibTorch
  std::vector<std::string> classes_;
  std::string normalisation_;
  torch::Device dev_;

  std::vector<size_t> selected() const;
  /// Mean of the selected models' probabilities, given every model's (`per_model[m]`).
  torch::Tensor combine(const std::vector<torch::Tensor>& per_model) const;
};

/// Whether the structures of these label maps ([N, S, S], classes 0..num_classes-1; other
/// values count as background) form one connected whole: most of the maps that show two classes
/// or more have all their foreground in one face-connected component (eval/metrics.hpp
/// is_one_assembly). False where none shows two classes. What infer.assembly is set from, at
/// training, on the exemplars (with `full`, on every labeled slice).
bool labels_form_one_assembly(const torch::Tensor& labels, int64_t num_classes);

}  // namespace cmems
