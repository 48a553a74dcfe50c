#include <gtest/gtest.h>

#include <cmath>

#include "core/check.hpp"
#include "io/dataset.hpp"
#include "io/prepared.hpp"
#include "phantom/phantom.hpp"
#include "test_util.hpp"

namespace cmems {
using test::TempDir;

TEST(SynapseReader, ReadsTheTransUNetLayout) {
  auto r = DatasetReader::open(std::string(CMEMS_SOURCE_DIR) + "/tests/fixtures/synapse");
  EXPECT_EQ(r->kind(), "synapse");
  EXPECT_EQ(r->num_classes(), 9);
  EXPECT_EQ(r->training_slice_ids().size(), 6u);
  EXPECT_EQ(r->default_exemplar(), "case0005_slice001");
  auto e = r->exemplar("case0005_slice001");
  EXPECT_EQ(e.image.h, 16);
  EXPECT_EQ(e.image.w, 20);
  EXPECT_EQ(e.label[4 * 20 + 5], 5);
  EXPECT_EQ(e.label[11 * 20 + 2], 2);
  EXPECT_EQ(r->unlabeled_slices("case0005_slice001").size(), 5u);
  auto v = r->volume("test_vol", "case0001");
  EXPECT_EQ(v.image.dims, (std::array<int64_t, 3>{20, 16, 3}));
  for (float x : v.image.data) ASSERT_TRUE(x >= 0.f && x <= 1.f);  // raw HU windowed to [0, 1]
  EXPECT_EQ(v.label.data[3 * 20 + 4], 8);
  EXPECT_FALSE(v.image.geometry.spacing_known) << "HDF5 gives no spacing";
}

TEST(Prepared, RoundTripsWithinTheQuantisationError) {
  TempDir d;
  write_phantom_dataset(d.str("raw"), PhantomOptions{2, 1, 4});
  auto raw = DatasetReader::open(d.str("raw"));
  PrepareStats st = write_prepared(*raw, d.str("prep"), 3);
  EXPECT_LE(st.max_relative_error, 0.5 / 65535 + 1e-7);
  auto p = DatasetReader::open(d.str("prep"));
  EXPECT_EQ(p->kind(), "prepared");
  EXPECT_EQ(p->class_names(), raw->class_names());
  EXPECT_EQ(p->default_exemplar(), raw->default_exemplar());
  EXPECT_EQ(p->normalisation(), "MRI");
  auto a = raw->exemplar(raw->default_exemplar()), b = p->exemplar(raw->default_exemplar());
  EXPECT_EQ(a.label, b.label);
  ASSERT_EQ(a.image.pixels.size(), b.image.pixels.size());
  for (size_t i = 0; i < a.image.pixels.size(); ++i) ASSERT_NEAR(a.image.pixels[i], b.image.pixels[i], 2e-5);
  EXPECT_EQ(p->unlabeled_slices("").size(), raw->unlabeled_slices("").size());
  auto vr = raw->volume("test", "phantom_500"), vp = p->volume("test", "phantom_500");
  EXPECT_EQ(vr.label.data, vp.label.data);
  EXPECT_EQ(vr.image.dims, vp.image.dims);
  EXPECT_EQ(vr.image.geometry.spacing, vp.image.geometry.spacing);
  EXPECT_TRUE(vp.image.geometry.spacing_known && vp.label.geometry.spacing_known);
}

TEST(Prepared, SynapseFixtureToo) {
  TempDir d;
  auto raw = DatasetReader::open(std::string(CMEMS_SOURCE_DIR) + "/tests/fixtures/synapse");
  write_prepared(*raw, d.str("prep"), 1);
  auto p = DatasetReader::open(d.str("prep"));
  EXPECT_EQ(p->normalisation(), "CT");
  EXPECT_EQ(p->cases("test_vol"), (std::vector<std::string>{"case0001"}));
  EXPECT_FALSE(p->volume("test_vol", "case0001").image.geometry.spacing_known) << "kept unknown when prepared";
  EXPECT_THROW(p->exemplar("nope"), Error);
}
}  // namespace cmems
