// Dataset readers for training and evaluation, torch-free.
// Kinds: nnU-Net v2 raw NIfTI folders (dataset.json, imagesTr/, labelsTr/, imagesTs/,
// labelsTs/), the ACDC HDF5 layout (train_slices.list, NAME.list, data/*.h5), Synapse in
// the TransUNet layout (train_npz/, test_vol_h5/, lists/lists_Synapse/), and cmems'
// prepared form (prepared.json + zstd frames, io/prepared.hpp).
//
// The exemplar rule is enforced here by construction: training slices come back as
// Image2D, which has no label; the only label a training path can obtain is the
// exemplar's (`exemplar()`), or every label through `all_labeled_slices()`, which only the
// `full` upper bound calls (see methods/). Evaluation volumes carry labels.
//
// Intensity normalisation (per dataset kind):
//   ACDC HDF5: kept as stored (already min-max scaled to [0,1] per volume).
//   Synapse: kept as stored when in [0, 1] (TransUNet's files); raw HU windowed as CT.
//   NIfTI, channel "CT": window [-125, 275] HU mapped to [0, 1] (Synapse/TransUNet).
//   NIfTI, any other channel (MRI): per volume, clip to the 0.5th-99.5th percentile and
//   scale to [0, 1].
// Stage: io.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/volume.hpp"

namespace cmems {

/// A training slice without a label (an unlabeled view). Row-major h×w.
struct Image2D {
  std::string id;
  int64_t h = 0, w = 0;
  std::vector<float> pixels;
};

/// A slice with its label (the exemplar, or `full`'s labeled set).
struct LabeledImage2D {
  Image2D image;
  std::vector<uint8_t> label;  // h×w
};
/// True when a label holds any value other than background (0).
bool has_foreground(const std::vector<uint8_t>& label);

/// A test/validation volume with its label and geometry.
struct CaseVolume {
  std::string name;
  ImageVolume image;
  LabelVolume label;  // empty when no label exists
};

class DatasetReader {
 public:
  virtual ~DatasetReader() = default;
  /// Detects the layout of `root` and opens it; throws with the path when unknown.
  /// `holdout`: a file naming training cases to hold out (`data.holdout`, see hold_out).
  static std::unique_ptr<DatasetReader> open(const std::string& root, const std::string& holdout = "");

  virtual std::string kind() const = 0;
  /// How new NIfTI images must be normalised for a model trained on this data: the NIfTI
  /// channel name ("MRI", "CT", ...), "CT" for Synapse, "as_stored" for ACDC.
  virtual std::string normalisation() const = 0;
  virtual std::vector<std::string> class_names() const = 0;  // index = label value
  int num_classes() const { return static_cast<int>(class_names().size()); }

  /// IDs of every training slice (no I/O of labels).
  virtual std::vector<std::string> training_slice_ids() const = 0;
  /// Every training slice's image, normalised, except `skip_id` (the exemplar).
  virtual std::vector<Image2D> unlabeled_slices(const std::string& skip_id) const = 0;
  /// The exemplar slice and its label: the only training label an exemplar method reads.
  /// Throws when the ID does not exist, the label does not fit the image or the classes,
  /// or (with `need_foreground`) the slice has no foreground.
  LabeledImage2D exemplar(const std::string& id, bool need_foreground = true) const;
  /// The documented deterministic default exemplar (reads no label).
  virtual std::string default_exemplar() const = 0;
  /// The exemplar a run trains from: `requested`, or the default rule when it is empty;
  /// "" when the run reads every label (`all_labels`: the `full` upper bound).
  std::string training_exemplar(const std::string& requested, bool all_labels) const {
    return all_labels ? std::string() : requested.empty() ? default_exemplar() : requested;
  }
  /// Every training slice with its label: only for the `full` upper bound.
  virtual std::vector<LabeledImage2D> all_labeled_slices() const = 0;
  /// The planes of the exemplar's volume within `max_mm` of it (centre to centre), in order,
  /// images only (no label is read), the exemplar's plane among them at `at`: what label
  /// propagation registers. Empty where the data does not say how far apart its planes lie
  /// (ACDC's and Synapse's prepared slices).
  struct Neighbours {
    std::vector<Image2D> planes;
    int64_t at = 0;
    double spacing_mm = 0;
  };
  virtual Neighbours exemplar_neighbours(const std::string& id, double max_mm) const;
  /// How far apart (mm, centre to centre) the planes of the training slice `id`'s volume
  /// lie, from its header; 0 where the data does not say (ACDC's and Synapse's prepared
  /// slices). Reads no label.
  virtual double plane_spacing_mm(const std::string& id) const;

  /// Holds the named training cases out of training: none of their slices is a training
  /// slice, an unlabeled slice, an exemplar or a `full` label; they form the split "val",
  /// which becomes the default split. NIfTI datasets only (ACDC has val.list); throws
  /// naming `source` for a case that is not a training case, or a repeated one.
  virtual void hold_out(const std::vector<std::string>& cases, const std::string& source);

  /// Evaluation split: NIfTI "test" (imagesTs/labelsTs), or "val" when cases are held out;
  /// ACDC NAME.list (default "val").
  virtual std::string default_split() const = 0;
  virtual std::vector<std::string> cases(const std::string& split) const = 0;
  virtual CaseVolume volume(const std::string& split, const std::string& name) const = 0;

 protected:
  /// One training slice with its label as stored (exemplar() checks it); throws naming the
  /// ID when it is no training slice.
  virtual LabeledImage2D labeled_slice(const std::string& id) const = 0;
};

/// The cases a holdout file names: nnU-Net's splits_final.json (fold 0's "val"), or a text
/// file with one case per line. Throws naming the file when it is unreadable or empty.
std::vector<std::string> read_holdout_file(const std::string& path);

/// Per-volume normalisation used for NIfTI images (see the header comment).
void normalise_volume(ImageVolume& v, const std::string& channel_name);
}  // namespace cmems
