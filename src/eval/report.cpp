#include "eval/report.hpp"

#include <cstdio>
#include <sstream>

namespace cmems {
using nlohmann::json;

CaseScore score_case(const std::string& name, const std::vector<uint8_t>& pred,
                     const std::vector<uint8_t>& truth, int num_classes, const Dims3& dims,
                     const Spacing3& spacing) {
  CaseScore s{name, {}};
  for (int c = 1; c < num_classes; ++c) s.classes[c] = score_class(pred, truth, c, dims, spacing);
  return s;
}

Summary summarise(const std::vector<CaseScore>& cases) {
  Summary s;
  std::map<int, double> dsum, hsum;
  std::map<int, int> dn, hn;
  double all_d = 0, all_h = 0;
  int nd = 0, nh = 0;
  for (auto& c : cases)
    for (auto& [k, v] : c.classes) {
      dsum[k] += v.dice, ++dn[k], all_d += v.dice, ++nd;
      if (v.hd95) hsum[k] += *v.hd95, ++hn[k], all_h += *v.hd95, ++nh;
    }
  for (auto& [k, n] : dn) {
    ClassScore m{dsum[k] / n, std::nullopt};
    if (hn[k]) m.hd95 = hsum[k] / hn[k];
    s.classes[k] = m;
  }
  s.mean_dice = nd ? all_d / nd : 0;
  s.mean_hd95 = nh ? all_h / nh : 0;
  return s;
}

namespace {
json score_json(const ClassScore& s) {
  return {{"dice", s.dice}, {"hd95", s.hd95 ? json(*s.hd95) : json(nullptr)}};
}
}  // namespace

json report_json(const std::vector<CaseScore>& cases, const std::vector<std::string>& names) {
  json j;
  j["cases"] = json::array();
  for (auto& c : cases) {
    json cl = json::object();
    for (auto& [k, v] : c.classes) cl[std::to_string(k)] = score_json(v);
    j["cases"].push_back({{"case", c.name}, {"classes", cl}});
  }
  Summary s = summarise(cases);
  j["mean"] = {{"dice", s.mean_dice}, {"hd95", s.mean_hd95}};
  j["classes"] = json::object();
  for (auto& [k, v] : s.classes) {
    json e = score_json(v);
    if (k < int(names.size())) e["name"] = names[k];
    j["classes"][std::to_string(k)] = e;
  }
  j["convention"] =
      "medpy Dice/HD95; empty prediction -> Dice 0, HD95 0 (SSL4MIS); empty truth with a "
      "non-empty prediction -> Dice 0, HD95 null (left out of HD95 means)";
  return j;
}

std::string report_csv(const std::vector<CaseScore>& cases) {
  std::ostringstream s;
  s << "case,class,dice,hd95\n";
  for (auto& c : cases)
    for (auto& [k, v] : c.classes) {
      s << c.name << "," << k << "," << v.dice << ",";
      if (v.hd95) s << *v.hd95;
      s << "\n";
    }
  return s.str();
}

std::string report_table(const std::vector<CaseScore>& cases, const std::vector<std::string>& names) {
  Summary s = summarise(cases);
  std::ostringstream o;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%-12s %8s %10s\n", "class", "Dice", "HD95");
  o << buf;
  for (auto& [k, v] : s.classes) {
    std::string n = k < int(names.size()) ? names[k] : std::to_string(k);
    std::snprintf(buf, sizeof buf, "%-12s %8.4f %10.2f\n", n.c_str(), v.dice, v.hd95 ? *v.hd95 : 0.0);
    o << buf;
  }
  std::snprintf(buf, sizeof buf, "%-12s %8.4f %10.2f\n", "mean", s.mean_dice, s.mean_hd95);
  o << buf << "(" << cases.size() << " cases; HD95 in the volumes' physical units)\n";
  return o.str();
}
}  // namespace cmems
