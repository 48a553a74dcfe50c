// libFuzzer target: dataset.json of an nnU-Net v2 raw folder (one valid tiny image present).
#include "common.hpp"
#include "core/check.hpp"
#include "fuzz_targets.hpp"
#include "io/dataset.hpp"
#include "io/nifti.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  static const fs::path root = [] {
    fs::path r = cmems::fuzz::scratch() / "ds";
    fs::create_directories(r / "imagesTr");
    cmems::ImageVolume v;
    v.dims = {4, 4, 2};
    v.data.assign(32, 1.0f);
    cmems::write_nifti((r / "imagesTr" / "c_0000.nii.gz").string(), v);
    return r;
  }();
  std::ofstream(root / "dataset.json", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  try {
    auto r = cmems::DatasetReader::open(root.string());
    r->class_names();
    r->default_exemplar();
  } catch (const cmems::Error&) {
  }
  return 0;
}
