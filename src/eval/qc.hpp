// Label-free quality control of a two-model prediction (torch-free).
//
// The two models of a two-model run (cmems, cps, ...) were trained to agree where they
// can; where they still disagree on a new scan, the segmentation is less trustworthy.
// Per case, from model a's and model b's label maps:
//   inter-model Dice per class c = Dice(a == c, b == c)   (1 when neither predicts c)
//   disagreement volume          = |{voxels where a and b differ}| × voxel volume, in mL
//                                  (spacing in mm; 1 mm³ = 0.001 mL)
//   qc_score                     = 1 − mean over the foreground classes of the
//                                  inter-model Dice, in [0, 1]: 0 = the two models agree
//                                  everywhere, 1 = they share no foreground voxel.
// A higher qc_score marks a case to check; it is useful where it correlates negatively with
// the true Dice (Spearman ρ, `cmems evaluate` reports it where labels exist).
// Stage: eval.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/metrics.hpp"

namespace cmems {

/// The definition of qc_score, written into qc.json and evaluate's report.
inline constexpr const char* kQcScoreDefinition =
    "qc_score = 1 - mean over the foreground classes of the Dice of model a's labels against model b's "
    "(label-free): 0 = the models agree, higher = check this case";

struct CaseQc {
  std::string name;
  std::map<int, double> model_dice;  // class value -> Dice of model a against model b
  double model_dice_mean = 1;
  double disagreement_ml = 0;
  int64_t disagreement_voxels = 0;
  double qc_score = 0;
};

/// QC of one case from the label maps of model a and model b (same size).
CaseQc qc_case(const std::string& name, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
               int num_classes, const Spacing3& spacing_mm);

nlohmann::json qc_json(const CaseQc& q, const std::vector<std::string>& class_names);

/// Spearman rank correlation (ties get their average rank; Pearson of the ranks).
/// NaN when fewer than 2 values or when either side is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
}  // namespace cmems
