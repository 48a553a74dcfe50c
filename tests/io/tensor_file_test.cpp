#include <gtest/gtest.h>

#include "core/check.hpp"
#include "io/tensor_file.hpp"

namespace cmems {

TEST(TensorFile, RoundTrip) {
  TensorFile f;
  f.metadata["k"] = "v";
  f.tensors["w"] = {"F32", {2, 2}, std::string(16, '\x01')};
  f.tensors["b"] = {"U8", {3}, "abc"};
  TensorFile g = parse_tensor_file(serialize_tensor_file(f), "mem");
  EXPECT_EQ(g.metadata.at("k"), "v");
  EXPECT_EQ(g.tensors.at("w").shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(g.tensors.at("b").bytes, "abc");
}

TEST(TensorFile, CorruptInputsAreErrors) {
  TensorFile f;
  f.tensors["w"] = {"F32", {4}, std::string(16, '\0')};
  std::string s = serialize_tensor_file(f);
  EXPECT_THROW(parse_tensor_file(s.substr(0, 5), "x"), Error);
  EXPECT_THROW(parse_tensor_file(s.substr(0, s.size() - 4), "x"), Error);  // data cut short
  std::string bad = s;
  bad[0] = '\x7f';  // header length past the end
  EXPECT_THROW(parse_tensor_file(bad, "x"), Error);
  std::string hdr = s;
  auto pos = hdr.find("F32");
  hdr.replace(pos, 3, "F99");
  EXPECT_THROW(parse_tensor_file(hdr, "x"), Error);
}
}  // namespace cmems
