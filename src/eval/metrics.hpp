// Segmentation metrics as pure functions (torch-free), with medpy's definitions:
//   Dice(A, B)  = 2|A∩B| / (|A| + |B|)                       (medpy.metric.binary.dc; 0 if both empty)
//   HD95(A, B)  = 95th percentile (numpy 'linear') of the union of the directed surface
//                 distances A→B and B→A, where a surface is X \ erode(X) with the
//                 face-connected (connectivity 1) structuring element and zero border, and
//                 distances are exact Euclidean in physical units (voxel spacing).
//                 (medpy.metric.binary.hd95). Axes of size 1 are ignored, as medpy would
//                 see a squeezed array.
// Empty masks, per the SSL4MIS convention used by the semi-supervised literature:
//   prediction empty                -> Dice 0, HD95 0;
//   prediction non-empty, truth empty -> Dice 0, HD95 undefined (reported as null and left
//                                        out of HD95 means; medpy raises here).
// Stage: eval (depends on core only, so it scores anyone's predictions).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace cmems {

using Dims3 = std::array<int64_t, 3>;      // nx, ny, nz (x fastest)
using Spacing3 = std::array<double, 3>;    // physical size of a voxel along x, y, z

/// medpy dc on binary masks of equal size.
double dice(const std::vector<uint8_t>& pred, const std::vector<uint8_t>& truth);

/// medpy hd95 on non-empty binary masks; throws cmems::Error when either is empty.
double hd95(const std::vector<uint8_t>& pred, const std::vector<uint8_t>& truth, const Dims3& dims,
            const Spacing3& spacing);

/// Exact Euclidean distance from every voxel to the nearest set voxel of `mask`, in physical
/// units (scipy.ndimage.distance_transform_edt(~mask, sampling)). +inf if mask is empty.
std::vector<double> distance_to(const std::vector<uint8_t>& mask, const Dims3& dims, const Spacing3& spacing);

struct ClassScore {
  double dice = 0;
  std::optional<double> hd95;  // nullopt: undefined (empty truth, non-empty prediction)
};

/// Scores class `c` of two label maps with the SSL4MIS empty-mask convention above.
ClassScore score_class(const std::vector<uint8_t>& pred, const std::vector<uint8_t>& truth, int c,
                       const Dims3& dims, const Spacing3& spacing);

/// Keeps, for every class 1..C-1, its largest face-connected component and every other one of at
/// least `min_fraction` of the largest one's voxels (in place); `min_fraction` 1 keeps the largest
/// alone (the first of equal ones). A stray speck goes; a second large region stays, since on one
/// exemplar's models the largest component is at times the wrong one (the right ventricle's
/// largest component off the true one in 7 of 20 ACDC volumes). [ours: measured, docs/RESULTS.md]
void keep_large_components(std::vector<uint8_t>& labels, const Dims3& dims, int num_classes, double min_fraction);

/// The foreground of every class 1..C-1 taken together, as one structure made of several parts
/// (a heart: ventricles and the wall between them): only its face-connected component whose
/// smallest class is the largest keeps its labels (a tie goes to the larger component, then to
/// the first); the rest become background (in place). A stray region that the
/// models label as one class elsewhere in the volume goes even where it is larger than the true
/// structure; where no component holds every class, the largest stays. Meant where the classes
/// do form one connected structure (is_one_assembly on the exemplar); separate organs would
/// lose all but one. (nnU-Net's post-processing first treats all foreground as one region;
/// the choice of the component is ours.) [ours: measured, docs/RESULTS.md]
void keep_assembly(std::vector<uint8_t>& labels, const Dims3& dims, int num_classes);

/// Whether a label map holds at least two classes of 1..C-1 and all its foreground voxels
/// form one face-connected component (values outside 1..C-1 count as background).
bool is_one_assembly(const std::vector<uint8_t>& labels, const Dims3& dims, int num_classes);

/// keep_large_components with min_fraction 1.
void keep_largest_components(std::vector<uint8_t>& labels, const Dims3& dims, int num_classes);

/// A relative opening before the largest component, for every class 1..C-1 (in place): with
/// R the class's thickest point (the largest distance, in physical units, from one of its
/// voxels to the nearest voxel not of the class) and r = `alpha`·R, the voxels deeper than r
/// form the class's core; its largest face-connected part is kept, and the class keeps only
/// its voxels within r of that part (the rest become background). What reaches the structure
/// through a neck thinner than 2r, or lies beside it with less depth, goes; the structure's
/// own outline, within r of its core, stays (but for the corners of its digital outline). The
/// radius follows each prediction's own size, so one `alpha` serves any structure and
/// spacing; a class whose r is under two voxels along any axis (twice the largest spacing) is
/// left as it is: there an opening only shaves the outline (a thin wall, e.g. a myocardium),
/// or, across thick planes (cine MRI's 5-10 mm), cuts the structure's tapering ends.
/// `alpha` 0: nothing changes; in [0, 1).
/// (scipy: edt = distance_transform_edt(m, sampling); core = largest component of edt > r;
/// m & (distance_transform_edt(~core, sampling) <= r).) [ours: measured, docs/RESULTS.md]
void open_largest_components(std::vector<uint8_t>& labels, const Dims3& dims, const Spacing3& spacing,
                             int num_classes, double alpha);
}  // namespace cmems
