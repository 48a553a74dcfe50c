#include <gtest/gtest.h>

#include <cstring>

#include "core/check.hpp"
#include "io/npz.hpp"

namespace cmems {
namespace {
std::string npy(const std::string& header_dict, const std::string& data) {
  std::string h = header_dict;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string s = "\x93NUMPY";
  s += '\x01';
  s += '\x00';
  s += char(h.size() & 0xff);
  s += char(h.size() >> 8);
  return s + h + data;
}
}  // namespace

TEST(Npy, ParsesLittleEndianFloatInCOrder) {
  float v[6] = {0, 1, 2, 3, 4, 5};
  auto a = parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", std::string((char*)v, 24)), "t");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.to_float(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(Npy, ParsesBigEndianFortranOrder) {
  // The 2×3 matrix [[0,1,2],[3,4,5]] in column-major order: 0 3 1 4 2 5, as >i2.
  std::string d;
  for (int x : {0, 3, 1, 4, 2, 5}) d += char(0), d += char(x);
  auto a = parse_npy(npy("{'descr': '>i2', 'fortran_order': True, 'shape': (2, 3), }", d), "t");
  EXPECT_EQ(a.to_float(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(Npy, RejectsTruncatedAndUnsupportedArrays) {
  EXPECT_THROW(parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", std::string(20, 0)), "t"), Error);
  EXPECT_THROW(parse_npy(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", std::string(8, 0)), "t"), Error);
  EXPECT_THROW(parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", ""), "t"), Error);
  EXPECT_THROW(parse_npy("not numpy", "t"), Error);
}

TEST(Npz, ReadsArchivesWrittenByNumpy) {
  auto m = read_npz(std::string(CMEMS_SOURCE_DIR) + "/fuzz/corpus/npz/slice.npz");
  ASSERT_TRUE(m.count("image") && m.count("label"));
  EXPECT_EQ(m["image"].shape, (std::vector<int64_t>{6, 5}));
  for (float x : m["label"].to_float()) EXPECT_TRUE(x >= 0 && x < 9);
  auto c = read_npz(std::string(CMEMS_SOURCE_DIR) + "/fuzz/corpus/npz/compressed.npz");
  EXPECT_TRUE(c["image"].fortran_order);
  EXPECT_THROW(read_npz(std::string(CMEMS_SOURCE_DIR) + "/fuzz/corpus/npz/bare.npy"), Error);
}
}  // namespace cmems
