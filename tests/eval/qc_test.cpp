#include "eval/qc.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/check.hpp"

namespace cmems {

TEST(Qc, IdenticalMapsScoreZeroAndDisjointMapsScoreOne) {
  std::vector<uint8_t> a = {0, 1, 1, 2, 2, 3, 0, 0};
  auto same = qc_case("c", a, a, 4, {1, 1, 1});
  EXPECT_DOUBLE_EQ(same.qc_score, 0.0);
  EXPECT_EQ(same.disagreement_voxels, 0);
  for (auto& [c, d] : same.model_dice) EXPECT_DOUBLE_EQ(d, 1.0) << c;
  std::vector<uint8_t> b = {1, 2, 2, 3, 3, 1, 0, 0};  // every foreground voxel moved to another class
  auto apart = qc_case("c", a, b, 4, {1, 1, 1});
  EXPECT_DOUBLE_EQ(apart.qc_score, 1.0);
  EXPECT_EQ(apart.disagreement_voxels, 6);
}

TEST(Qc, InterModelDicePerClassAndDisagreementVolumeInMillilitres) {
  // class 1: a has 4 voxels, b 2 of them -> Dice 2*2/6; class 2: only in a -> 0;
  // class 3: in neither -> 1 (agreement).
  std::vector<uint8_t> a = {1, 1, 1, 1, 2, 0, 0, 0};
  std::vector<uint8_t> b = {1, 1, 0, 0, 0, 0, 0, 0};
  auto q = qc_case("c", a, b, 4, {2.0, 1.5, 10.0});  // 30 mm³ per voxel
  EXPECT_NEAR(q.model_dice.at(1), 4.0 / 6.0, 1e-12);
  EXPECT_DOUBLE_EQ(q.model_dice.at(2), 0.0);
  EXPECT_DOUBLE_EQ(q.model_dice.at(3), 1.0);
  EXPECT_NEAR(q.model_dice_mean, (4.0 / 6.0 + 0.0 + 1.0) / 3.0, 1e-12);
  EXPECT_NEAR(q.qc_score, 1.0 - q.model_dice_mean, 1e-12);
  EXPECT_EQ(q.disagreement_voxels, 3);
  EXPECT_NEAR(q.disagreement_ml, 3 * 30.0 / 1000.0, 1e-12);
  auto j = qc_json(q, {"background", "RV", "Myo", "LV"});
  EXPECT_NEAR(j["inter_model_dice"]["RV"].get<double>(), 4.0 / 6.0, 1e-12);
  EXPECT_NEAR(j["disagreement_ml"].get<double>(), 0.09, 1e-12);
}

TEST(Qc, MapsOfDifferentSizesAreRefused) {
  EXPECT_THROW(qc_case("c", {0, 1}, {0, 1, 1}, 2, {1, 1, 1}), Error);
}

// Reference values from scipy.stats.spearmanr.
TEST(Spearman, MatchesScipyWithAndWithoutTies) {
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 0.8207826816681233, 1e-12);
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {5, 4, 3, 2, 1}), -1.0, 1e-12);
  EXPECT_NEAR(spearman({0.1, 0.4, 0.4, 0.9, 0.2, 0.7}, {3, 1, 2, 0.5, 2, 0.1}), -0.8970588235294118, 1e-12);
}

TEST(Spearman, UndefinedForConstantOrTooFewValues) {
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(spearman({1}, {2})));
  EXPECT_THROW(spearman({1, 2}, {1, 2, 3}), Error);
}
}  // namespace cmems
