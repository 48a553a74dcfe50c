// Per-case, per-class evaluation results and their JSON/CSV reports:
//   {"cases":[{"case":N,"classes":{"1":{"dice":..,"hd95":..},..}},..],
//    "mean":{"dice":..,"hd95":..},"classes":{"1":{"dice":..,"hd95":..},..}}
// Means: per class over cases; "mean" over classes then cases (equal weights). HD95 values
// that are undefined (null) are left out of HD95 means. Stage: eval.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/metrics.hpp"

namespace cmems {

struct CaseScore {
  std::string name;
  std::map<int, ClassScore> classes;  // class value -> score (background excluded)
};

struct Summary {
  double mean_dice = 0, mean_hd95 = 0;
  std::map<int, ClassScore> classes;  // per-class means (hd95 nullopt if no defined value)
};

/// Scores every class 1..num_classes-1 of one case.
CaseScore score_case(const std::string& name, const std::vector<uint8_t>& pred,
                     const std::vector<uint8_t>& truth, int num_classes, const Dims3& dims,
                     const Spacing3& spacing);
Summary summarise(const std::vector<CaseScore>& cases);
nlohmann::json report_json(const std::vector<CaseScore>& cases, const std::vector<std::string>& class_names);
std::string report_csv(const std::vector<CaseScore>& cases);
/// A fixed-width table of per-class means, for the terminal.
std::string report_table(const std::vector<CaseScore>& cases, const std::vector<std::string>& class_names);
}  // namespace cmems
