// cmems' prepared dataset: what `cmems prepare` writes from any supported layout, and what
// training and evaluation read directly and fast. A folder with
//   prepared.json       classes, normalisation, default exemplar, per-slice/per-volume index;
//   train_images.zst    one zstd frame per training slice: lossless palette (its distinct
//                       values) + uint8/uint16 indices when it has ≤ 65,536 of them (ACDC),
//                       else uint16 quantised over [lo, hi] (error ≤ (hi − lo)/131070);
//   train_labels.zst    one zstd frame per training slice label (uint8) — separate frames so
//                       that reading the exemplar's label decompresses no other label;
//   eval.zst            evaluation volumes (quantised image + label frames).
// Stage: io.
#pragma once
#include <memory>
#include <string>

#include "io/dataset.hpp"

namespace cmems {

struct PrepareStats {
  int64_t slices = 0, volumes = 0;
  int64_t bytes_train_images = 0, bytes_train_labels = 0, bytes_eval = 0;
  double max_abs_error = 0;       // largest |x − dequantised(x)| over all quantised pixels
  double max_relative_error = 0;  // the same divided by the slice's (hi − lo)
};

/// Converts `reader`'s data (all training slices with their labels, and the volumes of its
/// default evaluation split) into the prepared form under `out` (created; must be empty).
PrepareStats write_prepared(const DatasetReader& reader, const std::string& out, int zstd_level);

/// Opens a prepared folder (called by DatasetReader::open when prepared.json is present).
std::unique_ptr<DatasetReader> open_prepared(const std::string& root);
}  // namespace cmems
