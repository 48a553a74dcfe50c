#include <gtest/gtest.h>

#include "core/plane_context.hpp"

namespace cmems {

TEST(PlaneContext, ThePlaneIsTheIdsTrailingInteger) {
  EXPECT_EQ(plane_of("LA06SR5RBREL16DQ6M8LWS:44"), std::make_pair(std::string("LA06SR5RBREL16DQ6M8LWS:"), int64_t(44)));
  EXPECT_EQ(plane_of("patient003_frame01_slice_6"), std::make_pair(std::string("patient003_frame01_slice_"), int64_t(6)));
  EXPECT_EQ(plane_of("case0005_slice042"), std::make_pair(std::string("case0005_slice"), int64_t(42)));
  EXPECT_EQ(plane_of("noplane"), std::make_pair(std::string("noplane"), int64_t(0)));
  EXPECT_EQ(PlaneContext({2, 3}).offsets(), (std::vector<int64_t>{-6, -3, 0, 3, 6}));
  EXPECT_EQ(PlaneContext{}.channels(), 1);
}

// Each slice gets the planes at its offsets within its own volume, in order of position;
// the nearest existing plane stands in at a volume's ends and where a plane is missing.
TEST(PlaneContext, NeighboursComeFromTheSameVolumeAndClampAtItsEnds) {
  //                                0      1      2      3      4      5      6
  const std::vector<std::string> ids{"a:2", "a:0", "a:1", "b:0", "a:3", "b:1", "a:5"};  // a:4 missing
  const auto ci = context_indices(ids, {1, 1});
  EXPECT_EQ(ci[1], (std::vector<size_t>{1, 1, 2}));  // a:0 -> a:0 (end), a:0, a:1
  EXPECT_EQ(ci[0], (std::vector<size_t>{2, 0, 4}));  // a:2 -> a:1, a:2, a:3
  EXPECT_EQ(ci[3], (std::vector<size_t>{3, 3, 5}));  // b:0 -> its own volume only
  EXPECT_EQ(ci[5], (std::vector<size_t>{3, 5, 5}));
  EXPECT_EQ(ci[4], (std::vector<size_t>{0, 4, 4}));  // a:3 -> a:4 missing: a:3 and a:5 tie, the slice's side wins
  EXPECT_EQ(ci[6], (std::vector<size_t>{6, 6, 6}));  // a:5 -> a:4 missing: a:5 itself (the tie's slice side), end
  const auto wide = context_indices(ids, {1, 2});
  EXPECT_EQ(wide[0], (std::vector<size_t>{1, 0, 4}));  // a:2 -> a:0, a:2, a:4 missing: nearest a:3 (tie with a:5)
  // inference clamps the same way in a whole volume
  EXPECT_EQ(context_planes(0, 5, {2, 1}), (std::vector<int64_t>{0, 0, 0, 1, 2}));
  EXPECT_EQ(context_planes(4, 5, {1, 3}), (std::vector<int64_t>{1, 4, 4}));
  EXPECT_EQ(context_planes(2, 5, {0, 1}), (std::vector<int64_t>{2}));
}
}  // namespace cmems
