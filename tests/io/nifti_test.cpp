#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/check.hpp"
#include "io/nifti.hpp"
#include "test_util.hpp"

namespace cmems {
using test::TempDir;

namespace {
Geometry oblique_geometry() {
  Geometry g;
  g.spacing = {0.7, 1.3, 6.5};
  g.qform_code = 1, g.sform_code = 2;
  g.quatern_b = 0.1, g.quatern_c = -0.2, g.quatern_d = 0.3;  // a rotation
  g.qoffset_x = -12.5, g.qoffset_y = 40.25, g.qoffset_z = 3.0;
  g.qfac = -1;
  g.sform = {{{0.0, -0.7, 0.1, 10.0}, {1.3, 0.0, 0.2, -20.0}, {0.05, 0.0, 6.5, 30.0}, {0, 0, 0, 1}}};
  return g;
}
}  // namespace

TEST(Nifti, LabelRoundTripKeepsDataAndGeometry) {
  TempDir d;
  LabelVolume v;
  v.dims = {5, 4, 3};
  for (int i = 0; i < 60; ++i) v.data.push_back(uint8_t(i % 4));
  v.geometry = oblique_geometry();
  write_nifti(d.str("a.nii.gz"), v);
  LabelVolume r = read_nifti_labels(d.str("a.nii.gz"));
  EXPECT_EQ(r.dims, v.dims);
  EXPECT_EQ(r.data, v.data);
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(r.geometry.spacing[a], v.geometry.spacing[a], 1e-6);
  EXPECT_EQ(r.geometry.qform_code, 1);
  EXPECT_EQ(r.geometry.sform_code, 2);
  EXPECT_NEAR(r.geometry.quatern_b, 0.1, 1e-6);
  EXPECT_NEAR(r.geometry.quatern_d, 0.3, 1e-6);
  EXPECT_NEAR(r.geometry.qoffset_y, 40.25, 1e-5);
  EXPECT_EQ(r.geometry.qfac, -1);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(r.geometry.sform[i][j], v.geometry.sform[i][j], 1e-5);
}

TEST(Nifti, ImageRoundTripIsExact) {
  TempDir d;
  ImageVolume v;
  v.dims = {3, 2, 2};
  v.data = {0.5f, -1, 2, 3.25f, 4, 5, 6, 7, 8, 9, 10, 1e3f};
  v.geometry = oblique_geometry();
  write_nifti(d.str("i.nii"), v);
  ImageVolume r = read_nifti_image(d.str("i.nii"));
  EXPECT_EQ(r.data, v.data);
}

TEST(Nifti, MissingFileNamesThePath) {
  try {
    read_nifti_image("/nonexistent/x.nii.gz");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.nii.gz"), std::string::npos);
  }
}

TEST(Nifti, TruncatedFileIsAnError) {
  TempDir d;
  ImageVolume v;
  v.dims = {16, 16, 4};
  v.data.assign(1024, 1.0f);
  write_nifti(d.str("full.nii"), v);
  std::ifstream in(d.str("full.nii"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(d.str("cut.nii"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THROW(read_nifti_image(d.str("cut.nii")), Error);
  std::ofstream(d.str("junk.nii.gz"), std::ios::binary) << "not a nifti file at all";
  EXPECT_THROW(read_nifti_image(d.str("junk.nii.gz")), Error);
}

TEST(Nifti, NanIntensitiesAreRejected) {
  TempDir d;
  ImageVolume v;
  v.dims = {2, 2, 1};
  v.data = {0, 1, std::nanf(""), 2};
  write_nifti(d.str("n.nii.gz"), v);
  EXPECT_THROW(read_nifti_image(d.str("n.nii.gz")), Error);
}

TEST(Nifti, NonIntegerLabelsAreRejected) {
  TempDir d;
  ImageVolume v;
  v.dims = {2, 1, 1};
  v.data = {0, 1.5f};
  write_nifti(d.str("l.nii.gz"), v);
  EXPECT_THROW(read_nifti_labels(d.str("l.nii.gz")), Error);
}
}  // namespace cmems
