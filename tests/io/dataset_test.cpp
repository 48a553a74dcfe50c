#include <gtest/gtest.h>

#include <fstream>

#include "core/check.hpp"
#include "io/dataset.hpp"
#include "io/hdf5.hpp"
#include "io/nifti.hpp"
#include "phantom/phantom.hpp"
#include "test_util.hpp"

namespace cmems {
using test::TempDir;
namespace fs = std::filesystem;

namespace {
void small_phantom(const std::string& dir) { write_phantom_dataset(dir, PhantomOptions{3, 2, 5}); }
}  // namespace

TEST(Phantom, IsDeterministicForASeed) {
  auto a = make_phantom_case(3, 1), b = make_phantom_case(3, 1), c = make_phantom_case(4, 1);
  EXPECT_EQ(a.image.data, b.image.data);
  EXPECT_EQ(a.label.data, b.label.data);
  EXPECT_NE(a.image.data, c.image.data);
}

TEST(Phantom, HasAllStructuresAndAnisotropicSpacing) {
  auto c = make_phantom_case(0, 0);
  EXPECT_GE(c.image.dims[2], 8);
  EXPECT_LE(c.image.dims[2], 14);
  EXPECT_GT(c.image.geometry.spacing[2], 3 * c.image.geometry.spacing[0]);
  int64_t mid = c.label.dims[2] / 3, n = c.label.dims[0] * c.label.dims[1];
  std::set<int> present(c.label.data.begin() + mid * n, c.label.data.begin() + (mid + 1) * n);
  EXPECT_EQ(present, (std::set<int>{0, 1, 2, 3}));
}

TEST(NnunetReader, ReadsThePhantomLayout) {
  TempDir d;
  small_phantom(d.str());
  auto r = DatasetReader::open(d.str());
  EXPECT_EQ(r->kind(), "nnunet");
  EXPECT_EQ(r->class_names(), (std::vector<std::string>{"background", "RV", "Myo", "LV"}));
  std::string ex = r->default_exemplar();
  EXPECT_EQ(ex.rfind("phantom_000:", 0), 0u);
  auto e = r->exemplar(ex);
  EXPECT_EQ(int64_t(e.label.size()), e.image.h * e.image.w);
  auto un = r->unlabeled_slices(ex);
  EXPECT_EQ(un.size() + 1, r->training_slice_ids().size());
  for (auto& s : un) EXPECT_NE(s.id, ex);
  // Normalised to [0, 1].
  float lo = 1e9f, hi = -1e9f;
  for (float x : un[0].pixels) lo = std::min(lo, x), hi = std::max(hi, x);
  EXPECT_GE(lo, 0.f);
  EXPECT_LE(hi, 1.f);
  EXPECT_EQ(r->cases("test").size(), 2u);
  auto v = r->volume("test", r->cases("test")[0]);
  EXPECT_EQ(v.label.dims, v.image.dims);
  EXPECT_GT(v.image.geometry.spacing[2], 3.0);
  EXPECT_TRUE(v.image.geometry.spacing_known && v.label.geometry.spacing_known);
}

TEST(NnunetReader, TrainingNeedsOnlyTheExemplarsLabelFile) {
  TempDir d;
  small_phantom(d.str());
  fs::remove(d.path / "labelsTr" / "phantom_001.nii.gz");
  fs::remove(d.path / "labelsTr" / "phantom_002.nii.gz");
  auto r = DatasetReader::open(d.str());
  EXPECT_NO_THROW(r->exemplar(r->default_exemplar()));
  EXPECT_GT(r->unlabeled_slices(r->default_exemplar()).size(), 10u);
  EXPECT_THROW(r->exemplar("phantom_001:3"), Error);  // its label file is gone
}

// A validation split held out of imagesTr by a list (data.holdout): none of its slices or
// labels reaches training, it is split "val", and the default split becomes "val".
TEST(NnunetReader, HeldOutCasesLeaveTrainingAndFormSplitVal) {
  TempDir d;
  small_phantom(d.str());
  std::ofstream(d.str("holdout.txt")) << "phantom_000\n\n";
  auto r = DatasetReader::open(d.str(), d.str("holdout.txt"));
  const auto all = DatasetReader::open(d.str())->training_slice_ids();
  for (auto& id : r->training_slice_ids()) EXPECT_NE(id.rfind("phantom_000:", 0), 0u) << id;
  for (auto& s : r->unlabeled_slices("")) EXPECT_NE(s.id.rfind("phantom_000:", 0), 0u) << s.id;
  for (auto& s : r->all_labeled_slices()) EXPECT_NE(s.image.id.rfind("phantom_000:", 0), 0u) << s.image.id;
  EXPECT_LT(r->training_slice_ids().size(), all.size());
  EXPECT_EQ(r->default_exemplar().rfind("phantom_001:", 0), 0u);  // the rule skips held-out cases
  EXPECT_THROW(r->exemplar("phantom_000:3"), Error);
  EXPECT_EQ(r->default_split(), "val");
  EXPECT_EQ(r->cases("val"), (std::vector<std::string>{"phantom_000"}));
  CaseVolume v = r->volume("val", "phantom_000");
  EXPECT_FALSE(v.label.data.empty());
  EXPECT_THROW(r->volume("val", "phantom_001"), Error);  // a training case is not in val
  EXPECT_EQ(r->cases("test").size(), 2u);                // imagesTs is untouched

  // nnU-Net's splits_final.json: fold 0's val.
  std::ofstream(d.str("splits_final.json")) << R"([{"train": ["phantom_000"], "val": ["phantom_001", "phantom_002"]}])";
  EXPECT_EQ(DatasetReader::open(d.str(), d.str("splits_final.json"))->cases("val"),
            (std::vector<std::string>{"phantom_001", "phantom_002"}));
  // Without a holdout there is no split "val".
  EXPECT_THROW(DatasetReader::open(d.str())->cases("val"), Error);
}

TEST(NnunetReader, BadHoldoutFilesNameTheFile) {
  TempDir d;
  small_phantom(d.str());
  auto message = [&](const std::string& file) {
    try {
      DatasetReader::open(d.str(), d.str(file));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::ofstream(d.str("unknown.txt")) << "phantom_000\nnot_a_case\n";
  EXPECT_NE(message("unknown.txt").find("unknown.txt: 'not_a_case' is not a training case"), std::string::npos)
      << message("unknown.txt");
  std::ofstream(d.str("twice.txt")) << "phantom_001\nphantom_001\n";
  EXPECT_NE(message("twice.txt").find("named twice"), std::string::npos) << message("twice.txt");
  std::ofstream(d.str("all.txt")) << "phantom_000\nphantom_001\nphantom_002\n";
  EXPECT_NE(message("all.txt").find("every training case"), std::string::npos) << message("all.txt");
  std::ofstream(d.str("empty.txt")) << "\n";
  EXPECT_NE(message("empty.txt").find("empty.txt"), std::string::npos);
  std::ofstream(d.str("bad.json")) << R"({"val": ["phantom_000"]})";
  EXPECT_NE(message("bad.json").find("bad.json"), std::string::npos) << message("bad.json");
  EXPECT_NE(message("missing.txt").find("missing.txt"), std::string::npos);
}

TEST(NnunetReader, BadExemplarIdsAreErrors) {
  TempDir d;
  small_phantom(d.str());
  auto r = DatasetReader::open(d.str());
  EXPECT_THROW(r->exemplar("nope:1"), Error);
  EXPECT_THROW(r->exemplar("phantom_000:99"), Error);
  EXPECT_THROW(r->exemplar("phantom_000"), Error);
  EXPECT_THROW(r->exemplar("phantom_000:x"), Error);
}

TEST(NnunetReader, SliceWithoutForegroundIsRefusedAsExemplar) {
  TempDir d;
  small_phantom(d.str());
  auto lp = d.str("labelsTr/phantom_000.nii.gz");
  LabelVolume l = read_nifti_labels(lp);
  std::fill(l.data.begin(), l.data.begin() + l.dims[0] * l.dims[1], 0);
  write_nifti(lp, l);
  auto r = DatasetReader::open(d.str());
  EXPECT_THROW(r->exemplar("phantom_000:0"), Error);
}

TEST(NnunetReader, MalformedDatasetJsonIsAnError) {
  TempDir d;
  small_phantom(d.str());
  std::ofstream(d.str("dataset.json")) << "{\"labels\": {\"background\": 0}";
  EXPECT_THROW(DatasetReader::open(d.str()), Error);
  std::ofstream(d.str("dataset.json")) << R"({"channel_names":{"0":"MRI"},"labels":{"background":0,"a":1},"file_ending":".nii.gz"})";
  EXPECT_THROW(DatasetReader::open(d.str()), Error);  // numTraining missing
}

TEST(NnunetReader, LabelsOutsideTheDeclaredClassesAreErrors) {
  TempDir d;
  small_phantom(d.str());
  auto lp = d.str("labelsTs/phantom_500.nii.gz");
  LabelVolume l = read_nifti_labels(lp);
  l.data[7] = 9;
  write_nifti(lp, l);
  auto r = DatasetReader::open(d.str());
  try {
    r->volume("test", "phantom_500");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("label value 9"), std::string::npos);
  }
}

TEST(DatasetReader, UnknownLayoutIsAnError) {
  TempDir d;
  EXPECT_THROW(DatasetReader::open(d.str()), Error);
  EXPECT_THROW(DatasetReader::open(d.str("missing")), Error);
}

TEST(AcdcReader, ReadsAFixtureInTheAcdcLayout) {
  TempDir d;
  fs::create_directories(d.path / "data");
  std::ofstream(d.str("train_slices.list")) << "patient002_frame01_slice_2\npatient002_frame01_slice_1\npatient002_frame01_slice_3\n";
  std::ofstream(d.str("val.list")) << "patient009_frame01\n";
  for (int k = 1; k <= 3; ++k) {
    H5Array<float> img{{4, 5}, std::vector<float>(20, 0.25f * k)};
    H5Array<uint8_t> lab{{4, 5}, std::vector<uint8_t>(20, uint8_t(k))};
    write_h5(d.str("data/patient002_frame01_slice_" + std::to_string(k) + ".h5"), {{"image", img}}, {{"label", lab}});
  }
  H5Array<float> vi{{2, 4, 5}, std::vector<float>(40, 0.5f)};
  H5Array<uint8_t> vl{{2, 4, 5}, std::vector<uint8_t>(40, 1)};
  write_h5(d.str("data/patient009_frame01.h5"), {{"image", vi}}, {{"label", vl}});
  auto r = DatasetReader::open(d.str());
  EXPECT_EQ(r->kind(), "acdc");
  EXPECT_EQ(r->default_exemplar(), "patient002_frame01_slice_2");  // the median slice
  auto e = r->exemplar("patient002_frame01_slice_2");
  EXPECT_EQ(e.image.h, 4);
  EXPECT_EQ(e.image.w, 5);
  EXPECT_EQ(e.label[0], 2);
  EXPECT_EQ(r->unlabeled_slices("patient002_frame01_slice_2").size(), 2u);
  auto v = r->volume("val", "patient009_frame01");
  EXPECT_EQ(v.image.dims, (std::array<int64_t, 3>{5, 4, 2}));
  EXPECT_FALSE(v.image.geometry.spacing_known || v.label.geometry.spacing_known) << "ACDC's HDF5 gives no spacing";
  EXPECT_THROW(r->exemplar("patient099_frame01_slice_1"), Error);
  // ACDC's validation split is val.list: holding out training cases is refused, naming the file.
  std::ofstream(d.str("holdout.txt")) << "patient002\n";
  EXPECT_THROW(DatasetReader::open(d.str(), d.str("holdout.txt")), Error);
}

// A non-square slice with asymmetric content, stored as a training slice (H×W) and as slice
// 1 of a validation volume (D×H×W): the reader must give training and inference the same
// orientation, x (the last HDF5 axis) fastest.
TEST(AcdcReader, TrainingSlicesAndVolumesShareOneAxisOrder) {
  TempDir d;
  fs::create_directories(d.path / "data");
  const int64_t h = 20, w = 16;
  auto lab = test::asymmetric_label(h, w);
  std::vector<float> img;
  for (auto v : lab) img.push_back(float(v) / 3.0f);
  std::ofstream(d.str("train_slices.list")) << "patient001_frame01_slice_1\npatient001_frame01_slice_2\n";
  std::ofstream(d.str("val.list")) << "patient002_frame01\n";
  for (int k = 1; k <= 2; ++k)
    write_h5(d.str("data/patient001_frame01_slice_" + std::to_string(k) + ".h5"), {{"image", {{h, w}, img}}},
             {{"label", {{h, w}, lab}}});
  std::vector<float> vimg(size_t(h * w), 0.f);
  vimg.insert(vimg.end(), img.begin(), img.end());
  std::vector<uint8_t> vlab(size_t(h * w), 0);
  vlab.insert(vlab.end(), lab.begin(), lab.end());
  write_h5(d.str("data/patient002_frame01.h5"), {{"image", {{2, h, w}, vimg}}}, {{"label", {{2, h, w}, vlab}}});
  auto r = DatasetReader::open(d.str());
  auto e = r->exemplar("patient001_frame01_slice_1");
  EXPECT_EQ(e.image.h, h);
  EXPECT_EQ(e.image.w, w);
  EXPECT_EQ(e.label, lab);
  EXPECT_EQ(e.image.pixels, img);
  auto v = r->volume("val", "patient002_frame01");
  ASSERT_EQ(v.image.dims, (std::array<int64_t, 3>{w, h, 2}));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      ASSERT_EQ(v.label.at(x, y, 1), lab[size_t(y * w + x)]) << x << "," << y;
      ASSERT_EQ(v.image.at(x, y, 1), img[size_t(y * w + x)]) << x << "," << y;
    }
  // Slice z of the volume's memory ([nz, ny, nx], as the predictor views it) is the training slice.
  EXPECT_TRUE(std::equal(lab.begin(), lab.end(), v.label.data.begin() + h * w));
}

// The same for NIfTI: the exemplar slice CASE:K is the volume's z = K plane, x fastest.
TEST(NnunetReader, ExemplarSliceIsTheVolumesZPlaneInTheSameAxisOrder) {
  TempDir d;
  small_phantom(d.str());
  auto r = DatasetReader::open(d.str());
  std::string name;  // a non-square training case
  for (auto& id : {"phantom_000", "phantom_001", "phantom_002"}) {
    auto l = read_nifti_labels(d.str(std::string("labelsTr/") + id + ".nii.gz"));
    if (l.dims[0] != l.dims[1]) name = id;
  }
  ASSERT_FALSE(name.empty()) << "no non-square phantom case for this check";
  LabelVolume l = read_nifti_labels(d.str("labelsTr/" + name + ".nii.gz"));
  ImageVolume i = read_nifti_image(d.str("imagesTr/" + name + "_0000.nii.gz"));
  const int64_t k = l.dims[2] / 2, nx = l.dims[0], ny = l.dims[1];
  auto e = r->exemplar(name + ":" + std::to_string(k));
  EXPECT_EQ(e.image.h, ny);
  EXPECT_EQ(e.image.w, nx);
  normalise_volume(i, "MRI");
  for (int64_t y = 0; y < ny; ++y)
    for (int64_t x = 0; x < nx; ++x) {
      ASSERT_EQ(e.label[size_t(y * nx + x)], l.at(x, y, k)) << x << "," << y;
      ASSERT_FLOAT_EQ(e.image.pixels[size_t(y * nx + x)], i.at(x, y, k)) << x << "," << y;
    }
}

TEST(AcdcReader, ReadsTheSharedAcdcData) {
  std::string root = test::acdc_root();
  if (root.empty()) GTEST_SKIP() << "../shared/data/acdc not found: the real-ACDC check is skipped";
  auto r = DatasetReader::open(root);
  EXPECT_EQ(r->training_slice_ids().size(), 1312u);
  auto ex = r->default_exemplar();
  auto e = r->exemplar(ex);
  std::set<int> present(e.label.begin(), e.label.end());
  EXPECT_EQ(present.size(), 4u) << ex << " should show all three structures";
  auto cases = r->cases("val");
  EXPECT_EQ(cases.size(), 20u);
  auto v = r->volume("val", cases[0]);
  EXPECT_GT(v.image.dims[2], 1);
  EXPECT_EQ(v.label.data.size(), v.image.data.size());
}

TEST(Hdf5, ReadingAListGivesEachFileAndNamesTheBadOne) {
  TempDir d;
  std::vector<std::string> paths;
  for (int k = 0; k < 3; ++k) {
    paths.push_back(d.str("s" + std::to_string(k) + ".h5"));
    write_h5(paths.back(), {{"image", {{2, 3}, std::vector<float>(6, float(k))}}}, {});
  }
  auto all = read_h5_float(paths, "image");
  ASSERT_EQ(all.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(all[k].shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(all[k].data, std::vector<float>(6, float(k)));
  }
  std::ofstream(paths[1], std::ios::trunc) << "garbage";
  try {
    read_h5_float(paths, "image");
    FAIL() << "no error for a corrupt file in the list";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("s1.h5"), std::string::npos) << e.what();
  }
}

TEST(Hdf5, CorruptFileNamesThePath) {
  TempDir d;
  std::ofstream(d.str("x.h5")) << "garbage";
  try {
    read_h5_float(d.str("x.h5"), "image");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.h5"), std::string::npos);
  }
}
}  // namespace cmems
