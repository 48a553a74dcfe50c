// libFuzzer target: the ACDC HDF5 reader (image float32, label uint8).
#include "common.hpp"
#include "core/check.hpp"
#include "fuzz_targets.hpp"
#include "io/hdf5.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cmems::fuzz::put("in.h5", data, size);
  try {
    cmems::read_h5_float(path, "image");
  } catch (const cmems::Error&) {
  }
  try {
    cmems::read_h5_u8(path, "label");
  } catch (const cmems::Error&) {
  }
  return 0;
}
