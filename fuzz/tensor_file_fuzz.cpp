// libFuzzer target: safetensors weights/checkpoint files (untrusted model weights).
#include <string>

#include "core/check.hpp"
#include "fuzz_targets.hpp"
#include "io/tensor_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    cmems::parse_tensor_file(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const cmems::Error&) {
  }
  return 0;
}
