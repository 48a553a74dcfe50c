// Neighbouring planes as extra input channels (2.5-D input, `data.context`): a slice goes to
// the network with the planes `stride`, 2·`stride`, … `planes`·`stride` above and below it in
// its volume, 2·planes + 1 channels in order of position, the slice itself in the middle.
// At a volume's ends the nearest plane that exists stands in (training and inference alike).
//
// Training slices are identified by ID only; a slice's volume and position come from its ID:
// the trailing integer is the plane, the rest names the volume ("CASE:44", nnU-Net/NIfTI;
// "patient003_frame01_slice_6", ACDC; "case0005_slice042", Synapse). An ID without a trailing
// integer is a volume of one plane. [ref: 2.5-D segmentation, e.g. Zhang et al. 2019 "Bridging
// 2D and 3D segmentation networks"; ours] Stage: core.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cmems {

struct PlaneContext {
  int64_t planes = 0;  // neighbours on each side; 0 = one channel, the slice alone
  int64_t stride = 1;  // planes between two channels

  int64_t channels() const { return 2 * planes + 1; }
  int64_t centre() const { return planes; }  // the slice's own channel
  /// The channels' plane offsets, -planes·stride … planes·stride.
  std::vector<int64_t> offsets() const;
};

/// A slice ID's volume and plane: {ID without its trailing digits, the trailing integer},
/// or {ID, 0} when it does not end in a digit.
std::pair<std::string, int64_t> plane_of(const std::string& id);

/// For each of `ids`, the indices into `ids` of its context planes (ctx.channels() of them):
/// the plane at each offset in the same volume, or, where that plane is not among `ids`, the
/// nearest one of that volume that is (ties: the one nearer the slice itself).
std::vector<std::vector<size_t>> context_indices(const std::vector<std::string>& ids, const PlaneContext& ctx);

/// The context planes of plane z of a volume of `depth` planes, clamped to [0, depth).
std::vector<int64_t> context_planes(int64_t z, int64_t depth, const PlaneContext& ctx);
}  // namespace cmems
