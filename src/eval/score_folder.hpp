// Scoring a folder of predicted NIfTI label maps against a folder of reference ones,
// matched by file name (`cmems evaluate --pred DIR --labels DIR`). Stage: eval.
#pragma once
#include <string>
#include <vector>

#include "eval/report.hpp"

namespace cmems {
/// One CaseScore per reference map in `labels_dir` (sorted by name; the case name is the
/// file name without .nii/.nii.gz). `num_classes` <= 0: the largest label seen + 1.
/// Throws naming the file when a prediction is missing, unreadable or of another shape.
std::vector<CaseScore> score_folder(const std::string& pred_dir, const std::string& labels_dir, int num_classes);
}  // namespace cmems
