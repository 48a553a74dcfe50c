// libFuzzer target: NIfTI images and label maps (nifti_clib header + our voxel reader).
#include "common.hpp"
#include "core/check.hpp"
#include "fuzz_targets.hpp"
#include "io/nifti.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cmems::fuzz::put("in.nii.gz", data, size);  // gzopen also reads plain data
  try {
    cmems::read_nifti_image(path);
  } catch (const cmems::Error&) {
  }
  try {
    cmems::read_nifti_labels(path);
  } catch (const cmems::Error&) {
  }
  return 0;
}
