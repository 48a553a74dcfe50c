// libFuzzer target: .npz archives (Synapse TransUNet slices) through libzip + our .npy parser.
#include "common.hpp"
#include "core/check.hpp"
#include "fuzz_targets.hpp"
#include "io/npz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cmems::fuzz::put("in.npz", data, size);
  try {
    for (auto& [name, a] : cmems::read_npz(path)) a.to_float();
  } catch (const cmems::Error&) {
  }
  try {  // the same bytes as a bare .npy
    cmems::parse_npy(std::string(reinterpret_cast<const char*>(data), size), "fuzz").to_float();
  } catch (const cmems::Error&) {
  }
  return 0;
}
