#include "eval/qc.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/check.hpp"

namespace cmems {

CaseQc qc_case(const std::string& name, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
               int num_classes, const Spacing3& spacing) {
  CMEMS_CHECK(a.size() == b.size(), name, ": the two models' label maps differ in size");
  CaseQc q;
  q.name = name;
  std::vector<int64_t> na(num_classes, 0), nb(num_classes, 0), both(num_classes, 0);
  for (size_t i = 0; i < a.size(); ++i) {
    const int x = a[i], y = b[i];
    if (x < num_classes) ++na[x];
    if (y < num_classes) ++nb[y];
    if (x == y) {
      if (x < num_classes) ++both[x];
    } else {
      ++q.disagreement_voxels;
    }
  }
  double sum = 0;
  for (int c = 1; c < num_classes; ++c) {
    const int64_t denom = na[c] + nb[c];
    q.model_dice[c] = denom == 0 ? 1.0 : 2.0 * double(both[c]) / double(denom);
    sum += q.model_dice[c];
  }
  q.model_dice_mean = num_classes > 1 ? sum / (num_classes - 1) : 1.0;
  q.qc_score = std::clamp(1.0 - q.model_dice_mean, 0.0, 1.0);
  q.disagreement_ml = double(q.disagreement_voxels) * spacing[0] * spacing[1] * spacing[2] / 1000.0;
  return q;
}

nlohmann::json qc_json(const CaseQc& q, const std::vector<std::string>& names) {
  if (q.model_dice.empty()) return {{"case", q.name}, {"qc_score", q.qc_score}};  // read back from qc.json
  nlohmann::json d = nlohmann::json::object();
  for (auto& [c, v] : q.model_dice) d[c < int(names.size()) ? names[c] : std::to_string(c)] = v;
  return {{"case", q.name},
          {"qc_score", q.qc_score},
          {"inter_model_dice", d},
          {"inter_model_dice_mean", q.model_dice_mean},
          {"disagreement_voxels", q.disagreement_voxels},
          {"disagreement_ml", q.disagreement_ml}};
}

namespace {
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t i, size_t j) { return v[i] < v[j]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    const double avg = (double(i) + double(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}
}  // namespace

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  CMEMS_CHECK(x.size() == y.size(), "spearman: ", x.size(), " against ", y.size(), " values");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (x.size() < 2) return nan;
  auto rx = ranks(x), ry = ranks(y);
  const double n = double(x.size());
  const double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / n, my = std::accumulate(ry.begin(), ry.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  if (sxx == 0 || syy == 0) return nan;
  return sxy / std::sqrt(sxx * syy);
}
}  // namespace cmems
