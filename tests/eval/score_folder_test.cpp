// Scoring a folder of predictions against a folder of references (`evaluate --pred --labels`).
#include <gtest/gtest.h>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "eval/score_folder.hpp"
#include "io/nifti.hpp"
#include "test_util.hpp"

namespace cmems {
namespace {
LabelVolume volume_with(uint8_t value, int64_t x0) {
  LabelVolume v;
  v.dims = {8, 6, 2};
  v.geometry.spacing = {1.0, 1.0, 2.0};
  v.data.assign(8 * 6 * 2, 0);
  for (int64_t z = 0; z < 2; ++z)
    for (int64_t y = 1; y < 5; ++y)
      for (int64_t x = x0; x < x0 + 4; ++x) v.data[(z * 6 + y) * 8 + x] = value;
  return v;
}
}  // namespace

TEST(ScoreFolder, MatchesFilesByNameAndScoresEachCase) {
  test::TempDir d("score");
  fs::create_directories(d.path / "pred"), fs::create_directories(d.path / "ref");
  write_nifti(d.str("ref/b.nii.gz"), volume_with(1, 0));
  write_nifti(d.str("pred/b.nii.gz"), volume_with(1, 0));  // identical
  write_nifti(d.str("ref/a.nii.gz"), volume_with(2, 0));
  write_nifti(d.str("pred/a.nii.gz"), volume_with(2, 2));  // half overlap
  auto cases = score_folder(d.str("pred"), d.str("ref"), 0);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].name, "a");  // sorted by name
  EXPECT_EQ(cases[1].name, "b");
  EXPECT_DOUBLE_EQ(cases[0].classes.at(2).dice, 0.5);
  EXPECT_DOUBLE_EQ(cases[1].classes.at(1).dice, 1.0);
  EXPECT_EQ(cases[0].classes.size(), 2u);  // classes 1..2: the largest label seen + 1 classes
}

TEST(ScoreFolder, AMissingPredictionIsNamed) {
  test::TempDir d("score-missing");
  fs::create_directories(d.path / "pred"), fs::create_directories(d.path / "ref");
  write_nifti(d.str("ref/c.nii.gz"), volume_with(1, 0));
  try {
    score_folder(d.str("pred"), d.str("ref"), 2);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c.nii.gz: prediction missing"), std::string::npos) << e.what();
  }
}
}  // namespace cmems
