#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/check.hpp"
#include "eval/metrics.hpp"
#include "eval/report.hpp"

namespace cmems {

TEST(Metrics, MatchGoldenMedpyValuesWithAnisotropicSpacing) {
  std::ifstream in(std::string(CMEMS_SOURCE_DIR) + "/tests/golden/metrics.json");
  ASSERT_TRUE(in.good());
  auto j = nlohmann::json::parse(in);
  ASSERT_GE(j["cases"].size(), 9u);
  for (auto& c : j["cases"]) {
    auto pred = c["pred"].get<std::vector<uint8_t>>(), truth = c["truth"].get<std::vector<uint8_t>>();
    Dims3 d = c["dims"].get<Dims3>();
    Spacing3 s = c["spacing"].get<Spacing3>();
    EXPECT_NEAR(dice(pred, truth), c["dice"].get<double>(), 1e-4) << c["name"];
    double want = c["hd95"].get<double>();
    EXPECT_NEAR(hd95(pred, truth, d, s), want, 1e-3 * std::max(1.0, want)) << c["name"];
  }
}

TEST(Metrics, DiceOfIdenticalAndDisjointMasks) {
  std::vector<uint8_t> a{1, 1, 0, 0}, b{0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(dice(a, a), 1.0);
  EXPECT_DOUBLE_EQ(dice(a, b), 0.0);
  EXPECT_DOUBLE_EQ(dice({0, 0}, {0, 0}), 0.0);
}

TEST(Hd95, UsesMillimetreSpacing) {
  // Two single voxels 3 apart along z with 2.5 mm slices: 7.5 mm.
  Dims3 d{4, 4, 5};
  std::vector<uint8_t> a(80, 0), b(80, 0);
  a[1 + 4 * (1 + 4 * 0)] = 1;
  b[1 + 4 * (1 + 4 * 3)] = 1;
  EXPECT_NEAR(hd95(a, b, d, {0.5, 0.5, 2.5}), 7.5, 1e-9);
  EXPECT_NEAR(hd95(a, b, d, {1, 1, 1}), 3.0, 1e-9);
}

TEST(DistanceTransform, IsExactEuclidean) {
  Dims3 d{7, 5, 1};
  std::vector<uint8_t> m(35, 0);
  m[0] = 1;  // (0, 0)
  auto dt = distance_to(m, d, {2.0, 3.0, 1.0});
  EXPECT_NEAR(dt[6 + 7 * 4], std::hypot(12.0, 12.0), 1e-9);
  EXPECT_NEAR(dt[3], 6.0, 1e-9);
  EXPECT_EQ(dt[0], 0.0);
}

TEST(ScoreClass, FollowsTheSsl4misEmptyMaskConvention) {
  Dims3 d{3, 1, 1};
  auto s = score_class({0, 0, 0}, {1, 1, 0}, 1, d, {1, 1, 1});
  EXPECT_EQ(s.dice, 0.0);
  ASSERT_TRUE(s.hd95.has_value());
  EXPECT_EQ(*s.hd95, 0.0);
  s = score_class({1, 0, 0}, {0, 0, 0}, 1, d, {1, 1, 1});
  EXPECT_EQ(s.dice, 0.0);
  EXPECT_FALSE(s.hd95.has_value());
  EXPECT_THROW(hd95({0, 0, 0}, {1, 0, 0}, d, {1, 1, 1}), Error);
}

TEST(Report, MeansLeaveUndefinedHd95Out) {
  std::vector<CaseScore> cases = {{"a", {{1, {0.8, 2.0}}, {2, {0.6, std::nullopt}}}},
                                  {"b", {{1, {0.4, 4.0}}, {2, {1.0, 1.0}}}}};
  Summary s = summarise(cases);
  EXPECT_NEAR(s.mean_dice, 0.7, 1e-12);
  EXPECT_NEAR(s.mean_hd95, 7.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.classes[1].dice, 0.6, 1e-12);
  EXPECT_NEAR(*s.classes[2].hd95, 1.0, 1e-12);
  auto j = report_json(cases, {"bg", "x", "y"});
  EXPECT_TRUE(j["cases"][0]["classes"]["2"]["hd95"].is_null());
  EXPECT_EQ(j["classes"]["1"]["name"], "x");
  EXPECT_NE(report_csv(cases).find("a,2,0.6,\n"), std::string::npos);
}

TEST(LargestComponent, KeepsOnlyTheLargestPerClass) {
  Dims3 d{6, 1, 1};
  std::vector<uint8_t> l{1, 1, 0, 1, 2, 2};
  keep_largest_components(l, d, 3);
  EXPECT_EQ(l, (std::vector<uint8_t>{1, 1, 0, 0, 2, 2}));
}
}  // namespace cmems
