#include <gtest/gtest.h>

#include <algorithm>
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

// infer.keep_fraction: each class keeps its largest component and the others of at least that
// fraction of it (class 1: 4 voxels, then 2 and 1; class 2: 3 and 1); 1 keeps the largest alone,
// the first of equal ones (class 3).
TEST(LargestComponent, KeepFractionKeepsTheComponentsOfAtLeastThatShareOfTheLargest) {
  const Dims3 d{18, 1, 1};
  const std::vector<uint8_t> given{1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 2, 2, 2, 0, 2, 3, 0, 3};
  std::vector<uint8_t> l = given;
  keep_large_components(l, d, 4, 0.5);
  EXPECT_EQ(l, (std::vector<uint8_t>{1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 3, 0, 3}));
  l = given;
  keep_large_components(l, d, 4, 0.25);
  EXPECT_EQ(l, (std::vector<uint8_t>{1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 2, 2, 2, 0, 2, 3, 0, 3}));
  l = given;
  keep_large_components(l, d, 4, 1.0);
  EXPECT_EQ(l, (std::vector<uint8_t>{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 3, 0, 0}));
  std::vector<uint8_t> same = given;
  keep_largest_components(same, d, 4);
  EXPECT_EQ(same, l);
  EXPECT_THROW(keep_large_components(l, d, 4, 0.0), Error);
  EXPECT_THROW(keep_large_components(l, d, 4, 1.5), Error);
}

// infer.assembly: the foreground of all classes together. A row of one "heart" (classes 1, 2, 3
// side by side: its smallest class has 2 voxels), a larger stray run of class 1 (5 voxels, one
// class: its smallest class has 0) and a stray run of class 3: only the heart stays, though the
// stray run is the largest component. Where no component holds every class, the largest stays.
TEST(LargestComponent, AssemblyKeepsTheComponentWhoseSmallestClassIsLargest) {
  const Dims3 d{16, 1, 1};
  std::vector<uint8_t> l{1, 1, 1, 1, 1, 0, 1, 1, 2, 2, 3, 3, 3, 0, 3, 3};
  keep_assembly(l, d, 4);
  EXPECT_EQ(l, (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 0, 0, 0}));
  std::vector<uint8_t> parts{1, 1, 1, 0, 1, 2, 0, 3, 3};  // no component holds every class
  keep_assembly(parts, {9, 1, 1}, 4);
  EXPECT_EQ(parts, (std::vector<uint8_t>{1, 1, 1, 0, 0, 0, 0, 0, 0}));
  std::vector<uint8_t> one{1, 2, 3, 0, 0};  // one component: nothing changes
  keep_assembly(one, {5, 1, 1}, 4);
  EXPECT_EQ(one, (std::vector<uint8_t>{1, 2, 3, 0, 0}));
  // face-connected in 3-D: planes joined through z are one component
  std::vector<uint8_t> planes{1, 0, 0, 2};  // 2x1x2: (0,0,0)=1, (1,0,1)=2: not face neighbours
  keep_assembly(planes, {2, 1, 2}, 3);
  EXPECT_EQ(std::count(planes.begin(), planes.end(), 0), 3);
  planes = {1, 0, 2, 0};  // (0,0,0)=1 above (0,0,1)=2
  keep_assembly(planes, {2, 1, 2}, 3);
  EXPECT_EQ(planes, (std::vector<uint8_t>{1, 0, 2, 0}));
}

// What infer.assembly is set from: a slice whose structures touch is one assembly; separate
// organs, a single class, or no foreground are not; values outside 1..C-1 count as background.
TEST(LargestComponent, OneAssemblyNeedsTwoClassesInOneComponent) {
  const Dims3 d{6, 2, 1};
  EXPECT_TRUE(is_one_assembly({0, 1, 1, 2, 3, 0, 0, 0, 0, 2, 0, 0}, d, 4));
  EXPECT_FALSE(is_one_assembly({0, 1, 1, 0, 3, 0, 0, 0, 0, 0, 3, 0}, d, 4)) << "two organs apart";
  EXPECT_FALSE(is_one_assembly({0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, d, 4)) << "one class";
  EXPECT_FALSE(is_one_assembly(std::vector<uint8_t>(12, 0), d, 4)) << "no foreground";
  EXPECT_FALSE(is_one_assembly({1, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0}, d, 4))
      << "255 (ignored) is background: 1 2 | 1 are two components";
  EXPECT_TRUE(is_one_assembly({0, 1, 2, 0, 0, 0, 0, 0, 255, 0, 0, 0}, d, 4));
}

namespace {
// Voxels of `d` (x fastest) set to `value` where `inside(x, y, z)`.
template <class F>
void paint(std::vector<uint8_t>& l, const Dims3& d, uint8_t value, F inside) {
  for (int64_t z = 0; z < d[2]; ++z)
    for (int64_t y = 0; y < d[1]; ++y)
      for (int64_t x = 0; x < d[0]; ++x)
        if (inside(double(x), double(y), double(z))) l[x + d[0] * (y + d[1] * z)] = value;
}
int64_t count(const std::vector<uint8_t>& l, uint8_t v) { return std::count(l.begin(), l.end(), v); }
}  // namespace

// infer.opening: a ball with a thin tube to a smaller ball (all one component, so the largest
// component keeps it all): the opening keeps the big ball whole and drops the small ball and
// the tube but for its first voxels; a thin ring of another class (r under two voxels) is
// left as it is; alpha 0 changes nothing.
TEST(LargestComponent, OpeningDropsWhatHangsOnAThinNeckAndKeepsEvenShapes) {
  const Dims3 d{48, 24, 24};
  std::vector<uint8_t> l(size_t(d[0] * d[1] * d[2]), 0);
  auto sq = [](double v) { return v * v; };
  auto big = [&](double x, double y, double z) { return sq(x - 12) + sq(y - 12) + sq(z - 12) <= 64; };
  auto tube = [&](double x, double y, double z) { return x > 12 && x < 36 && sq(y - 12) + sq(z - 12) <= 1; };
  auto small = [&](double x, double y, double z) { return sq(x - 36) + sq(y - 12) + sq(z - 12) <= 9; };
  paint(l, d, 1, [&](double x, double y, double z) { return big(x, y, z) || tube(x, y, z) || small(x, y, z); });
  auto ring = [&](double x, double y, double z) {
    const double r2 = sq(x - 36) + sq(y - 12);
    return z >= 2 && z <= 5 && r2 >= 36 && r2 <= 81 && !(small(x, y, z) || tube(x, y, z));
  };
  paint(l, d, 2, ring);
  const std::vector<uint8_t> before = l;
  open_largest_components(l, d, {1, 1, 1}, 3, 0);
  EXPECT_EQ(l, before);
  keep_largest_components(l, d, 3);
  EXPECT_EQ(l, before) << "each class is one component: the largest component alone changes nothing";

  open_largest_components(l, d, {1, 1, 1}, 3, 0.5);
  int64_t big_kept = 0, big_all = 0, small_kept = 0, tube_kept = 0, ring_kept = 0, ring_all = 0;
  for (int64_t z = 0; z < d[2]; ++z)
    for (int64_t y = 0; y < d[1]; ++y)
      for (int64_t x = 0; x < d[0]; ++x) {
        const uint8_t v = l[x + d[0] * (y + d[1] * z)];
        const double fx = double(x), fy = double(y), fz = double(z);
        if (big(fx, fy, fz)) big_all++, big_kept += v == 1;
        else if (small(fx, fy, fz)) small_kept += v == 1;
        else if (tube(fx, fy, fz)) tube_kept += v == 1;
        if (ring(fx, fy, fz)) ring_all++, ring_kept += v == 2;
      }
  EXPECT_GE(big_kept, big_all * 95 / 100) << "the ball whole, but for corners of its digital outline";
  EXPECT_EQ(small_kept, 0);
  EXPECT_LE(tube_kept, 5 * 3) << "at most the tube's first voxels beside the ball";  // 5 voxels a cross-section
  EXPECT_EQ(ring_kept, ring_all) << "a wall two voxels deep: r under two voxels, left as it is";
  EXPECT_EQ(count(l, 2), ring_all);

  // physical units: with voxels 2 mm wide along x the big ball is 16 mm long, its depth still
  // 8 mm (across y and z); the small ball (3 mm deep) and the tube still go
  std::vector<uint8_t> m = before;
  open_largest_components(m, d, {2, 1, 1}, 3, 0.5);
  int64_t left = 0;
  for (int64_t i = 0; i < int64_t(m.size()); ++i) {
    const double x = double(i % d[0]), y = double((i / d[0]) % d[1]), z = double(i / (d[0] * d[1]));
    left += m[size_t(i)] == 1 && (small(x, y, z) || (tube(x, y, z) && x > 24));
  }
  EXPECT_EQ(left, 0);
  EXPECT_GT(count(m, 1), big_all / 2);
  EXPECT_THROW(open_largest_components(m, d, {1, 1, 1}, 3, 1.0), Error);

  // thick planes (6 mm apart, as in cine MRI): r (4 mm) is under two planes, nothing changes
  std::vector<uint8_t> t = before;
  open_largest_components(t, d, {1, 1, 6}, 3, 0.5);
  EXPECT_EQ(t, before);
}
}  // namespace cmems
