#include "eval/score_folder.hpp"

#include <algorithm>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "io/nifti.hpp"

namespace cmems {
std::vector<CaseScore> score_folder(const std::string& pred_dir, const std::string& labels_dir, int num_classes) {
  require_exists(pred_dir, "prediction folder");
  require_exists(labels_dir, "label folder");
  std::vector<std::string> files;
  for (auto& e : fs::directory_iterator(labels_dir)) {
    auto n = e.path().filename().string();
    if (n.size() > 4 && (n.rfind(".nii.gz") == n.size() - 7 || n.rfind(".nii") == n.size() - 4)) files.push_back(n);
  }
  std::sort(files.begin(), files.end());
  CMEMS_CHECK(!files.empty(), labels_dir, ": no NIfTI label maps (*.nii.gz, *.nii)");
  std::vector<std::pair<LabelVolume, LabelVolume>> pairs;
  int max_label = 0;
  for (auto& n : files) {
    auto pp = fs::path(pred_dir) / n;
    CMEMS_CHECK(fs::exists(pp), pp.string(), ": prediction missing for reference ", n);
    auto t = read_nifti_labels((fs::path(labels_dir) / n).string());
    auto p = read_nifti_labels(pp.string());
    CMEMS_CHECK(p.dims == t.dims, pp.string(), ": shape differs from the reference's");
    for (auto v : t.data) max_label = std::max<int>(max_label, v);
    for (auto v : p.data) max_label = std::max<int>(max_label, v);
    pairs.emplace_back(std::move(p), std::move(t));
  }
  const int nc = num_classes > 0 ? num_classes : max_label + 1;
  std::vector<CaseScore> cases;
  for (size_t i = 0; i < files.size(); ++i) {
    auto& [p, t] = pairs[i];
    cases.push_back(score_case(files[i].substr(0, files[i].find(".nii")), p.data, t.data, nc, t.dims, t.geometry.spacing));
  }
  return cases;
}
}  // namespace cmems
