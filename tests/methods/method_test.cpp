#include <ATen/record_function.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "cli/commands.hpp"
#include "core/fs.hpp"
#include "infer/predictor.hpp"
#include "io/dataset.hpp"
#include "io/nifti.hpp"
#include "methods/method.hpp"
#include "methods/presets.hpp"
#include "phantom/phantom.hpp"
#include "test_util.hpp"
#include "train/loop.hpp"
#include "train/sgd.hpp"
#include "train/static_step.hpp"
#include "core/check.hpp"
#include "model/weights.hpp"
#include "eval/report.hpp"

namespace cmems {
using test::TempDir;

namespace {
Config tiny(const std::string& method) {
  Config c;
  c.apply_json(method_preset(method).patch, method);
  c.run.method = method;
  c.data.size = 32, c.model.width = 4, c.batch.labeled = 2, c.batch.unlabeled = 2;
  c.run.iterations = 3, c.run.log_every = 1, c.run.checkpoint_every = 100, c.run.threads = 1;
  c.pseudo.threshold = std::min(c.pseudo.threshold, 0.5);  // non-empty pseudo-label masks at this size
  c.validate();
  return c;
}

// Trains `c` on `data` into `run`; returns the bytes of the final weights.
std::string train_run(Config c, const std::string& data, const std::string& run, int64_t stop_at = -1,
                      bool resume = false) {
  torch::set_num_threads(1);
  auto r = DatasetReader::open(data);
  c.run.exemplar = r->training_exemplar(c.run.exemplar, c.needs_all_labels());
  resolve_plane_options(c.data, *r, c.run.exemplar);  // as `cmems train` does
  fs::create_directories(run);
  auto d = load_training_data(*r, c.run.exemplar, c.needs_all_labels() ? LabelAccess::All : LabelAccess::ExemplarOnly,
                              c.data, torch::kCPU);
  RunInfo info{c.to_json().dump(), r->class_names(), "MRI"};
  TrainOptions o;
  o.run_dir = run;
  o.live_progress = false;
  o.stop_at = stop_at;
  o.resume = resume;
  train(c.run, c.optim, c, d, info, o);
  return read_file(fs::path(run) / "weights.safetensors");
}

struct MethodTest : ::testing::Test {
  static void SetUpTestSuite() {
    dir = new TempDir("methods");
    write_phantom_dataset(dir->str("data"), PhantomOptions{3, 1, 2});
  }
  static void TearDownTestSuite() { delete dir; }
  static TempDir* dir;
};
TempDir* MethodTest::dir = nullptr;
}  // namespace

TEST_F(MethodTest, EveryMethodTrainsLogsItsActiveTermsAndPredicts) {
  for (auto& p : method_presets()) {
    Config c = tiny(p.name);
    std::string run = dir->str("run-" + p.name);
    train_run(c, dir->str("data"), run);
    std::ifstream in(fs::path(run) / "metrics.jsonl");
    std::string line, last;
    int lines = 0;
    while (std::getline(in, line)) last = line, ++lines;
    EXPECT_EQ(lines, 3) << p.name;
    auto j = nlohmann::json::parse(last);
    EXPECT_TRUE(std::isfinite(j["loss"].get<double>())) << p.name;
    EXPECT_TRUE(j.contains("loss_sup")) << p.name;
    const bool ip = c.ip.mode != Consistency::None, fp = c.fp.mode != Consistency::None;
    EXPECT_EQ(j.contains("loss_ip"), ip) << p.name;
    EXPECT_EQ(j.contains("loss_fp"), fp) << p.name;
    EXPECT_EQ(j.contains("coverage_b"), c.models == 2 && (ip || fp)) << p.name;
    Predictor pred = load_predictor(run, "cpu");
    auto r = DatasetReader::open(dir->str("data"));
    auto v = r->volume("test", r->cases("test")[0]);
    LabelVolume out = pred.predict(v.image);
    EXPECT_EQ(out.dims, v.image.dims) << p.name;
    for (auto x : out.data) ASSERT_LT(x, 4) << p.name;
  }
}

TEST_F(MethodTest, NonExemplarLabelsNeverReachTraining) {
  // A copy of the dataset whose every label except the exemplar slice is random noise.
  std::string noisy = dir->str("noisy");
  fs::copy(dir->str("data"), noisy, fs::copy_options::recursive);
  auto r = DatasetReader::open(noisy);
  const std::string ex = r->default_exemplar();
  const std::string ex_case = ex.substr(0, ex.find(':'));
  const int64_t ex_k = std::stoll(ex.substr(ex.find(':') + 1));
  std::mt19937 gen(1);
  for (auto& e : fs::directory_iterator(fs::path(noisy) / "labelsTr")) {
    LabelVolume l = read_nifti_labels(e.path().string());
    const int64_t n = l.dims[0] * l.dims[1];
    for (int64_t i = 0; i < int64_t(l.data.size()); ++i) {
      bool exemplar_slice = e.path().filename().string() == ex_case + ".nii.gz" && i / n == ex_k;
      if (!exemplar_slice) l.data[i] = uint8_t(gen() % 4);
    }
    write_nifti(e.path().string(), l);
  }
  Config c = tiny("cmems");
  c.synthesis.outside = SynthOutside::CrossPseudo;
  std::string a = train_run(c, dir->str("data"), dir->str("clean-run"));
  std::string b = train_run(c, noisy, dir->str("noisy-run"));
  EXPECT_EQ(a, b) << "training read a label other than the exemplar's";
}

// Several exemplars (run.exemplar A,B) with their labels propagated to neighbouring planes:
// still no label but the named slices' is read.
TEST_F(MethodTest, NonExemplarLabelsNeverReachTrainingWithSeveralExemplarsAndPropagation) {
  std::string noisy = dir->str("noisy2");
  fs::copy(dir->str("data"), noisy, fs::copy_options::recursive);
  auto r = DatasetReader::open(noisy);
  const std::string ex1 = r->default_exemplar();
  // the middle plane of the second training case
  const std::string case2 = "phantom_001";
  const int64_t nz2 = read_nifti_labels((fs::path(noisy) / "labelsTr" / (case2 + ".nii.gz")).string()).dims[2];
  const std::string ex2 = case2 + ":" + std::to_string(nz2 / 2);
  std::mt19937 gen(2);
  for (auto& e : fs::directory_iterator(fs::path(noisy) / "labelsTr")) {
    LabelVolume l = read_nifti_labels(e.path().string());
    const int64_t n = l.dims[0] * l.dims[1];
    const std::string name = e.path().filename().string();
    for (int64_t i = 0; i < int64_t(l.data.size()); ++i) {
      const std::string id = name.substr(0, name.find(".nii")) + ":" + std::to_string(i / n);
      if (id != ex1 && id != ex2) l.data[i] = uint8_t(gen() % 4);
    }
    write_nifti(e.path().string(), l);
  }
  Config c = tiny("cmems");
  c.run.exemplar = ex1 + "," + ex2;
  c.data.propagate_mm = 25, c.data.propagate_step_mm = 0;  // at the phantom's 6-10 mm planes
  std::string a = train_run(c, dir->str("data"), dir->str("clean-run2"));
  std::string b = train_run(c, noisy, dir->str("noisy-run2"));
  EXPECT_EQ(a, b) << "training read a label other than the two exemplars'";
  // and the run did train from both, with propagated planes: a different run from one exemplar
  Config one = tiny("cmems");
  one.run.exemplar = ex1;
  EXPECT_NE(a, train_run(one, dir->str("data"), dir->str("one-run2")));
}

// data.context: slices go in with their neighbouring planes as channels, the exemplar's own
// plane among the neighbours of the planes beside it; still no label but the exemplar's is
// read, and the trained run predicts a volume with the same context.
TEST_F(MethodTest, NonExemplarLabelsNeverReachTrainingWithContextPlanes) {
  std::string noisy = dir->str("noisy3");
  fs::copy(dir->str("data"), noisy, fs::copy_options::recursive);
  auto r = DatasetReader::open(noisy);
  const std::string ex = r->default_exemplar();
  std::mt19937 gen(3);
  for (auto& e : fs::directory_iterator(fs::path(noisy) / "labelsTr")) {
    LabelVolume l = read_nifti_labels(e.path().string());
    const int64_t n = l.dims[0] * l.dims[1];
    const std::string name = e.path().filename().string();
    for (int64_t i = 0; i < int64_t(l.data.size()); ++i)
      if (name.substr(0, name.find(".nii")) + ":" + std::to_string(i / n) != ex) l.data[i] = uint8_t(gen() % 4);
    write_nifti(e.path().string(), l);
  }
  Config c = tiny("cmems");
  c.data.context = 1, c.data.context_stride = 2, c.data.context_mm = 0;  // the stride in planes
  c.data.propagate_mm = 12, c.data.propagate_step_mm = 0;                  // at the phantom's 6-10 mm planes
  std::string a = train_run(c, dir->str("data"), dir->str("clean-run3"));
  std::string b = train_run(c, noisy, dir->str("noisy-run3"));
  EXPECT_EQ(a, b) << "training read a label other than the exemplar's";
  Config loaded;
  Predictor p = load_predictor(dir->str("clean-run3"), "cpu", {}, &loaded);
  EXPECT_EQ(loaded.data.context, 1);
  EXPECT_EQ(p.options().context.channels(), 3);
  auto v = r->volume(r->default_split(), r->cases(r->default_split()).front());
  LabelVolume out = p.predict(v.image);
  EXPECT_EQ(out.dims, v.image.dims);
}

TEST_F(MethodTest, ResumeContinuesExactly) {
  Config c = tiny("cmems");
  c.run.iterations = 6;
  std::string straight = train_run(c, dir->str("data"), dir->str("straight"));
  train_run(c, dir->str("data"), dir->str("resumed"), /*stop_at=*/3);
  std::string resumed = train_run(c, dir->str("data"), dir->str("resumed"), -1, /*resume=*/true);
  EXPECT_EQ(straight, resumed);
  // The metrics of the resumed run are those of the straight one, line for line.
  EXPECT_EQ(read_file(fs::path(dir->str("straight")) / "metrics.jsonl"),
            read_file(fs::path(dir->str("resumed")) / "metrics.jsonl"));
}

// The regression check for ACDC parity (docs/RESULTS.md): a short `full` training on
// phantom data must segment the phantom's test volumes. The defaults that fell 36 Dice
// points short of plain PyTorch on ACDC (Kaiming-normal initialisation, every item turned,
// rotated and scaled) miss this floor. At 400 iterations the outcome depends much on the
// seed (measured below), so the floor asks the best of three fixed seeds (1, 2, 3, chosen
// before looking) to clear it: the defaults must be able to learn the phantom, not be lucky.
constexpr int64_t kFloorIterations = 400;
constexpr double kFloorDice = 0.6;
constexpr const char* kFloorMeasured =
    "measured with `cmems train --method full --data.size 48 --model.width 8 --batch.labeled 4 "
    "--iterations 400 --threads 1 --seed S` on `cmems phantom --cases 8 --test-cases 2`: at 9ed2636, "
    "seeds 1-9 and 1337: 0.66 0.39 0.43 0.88 0.76 0.35 0.47 0.80 0.26 0.77 (mean 0.58); with batches "
    "from their own generator (issue 34): 0.69 0.38 0.32 0.88 0.78 0.64 0.44 0.85 0.26 0.24 (mean 0.55). "
    "The old defaults (--model.init kaiming_xavier --weak.mode all) gave 0.336 at seed 1337";
TEST(Training, ShortFullTrainingOnPhantomDataClearsADiceFloor) {
  TempDir d("floor");
  write_phantom_dataset(d.str("data"), PhantomOptions{8, 2, 0});
  auto r = DatasetReader::open(d.str("data"));
  double best = 0;
  std::string seen;
  for (int64_t seed : {1, 2, 3}) {
    Config c;
    c.apply_json(method_preset("full").patch, "full");
    c.run.method = "full";
    c.seed = seed;
    c.data.size = 48, c.model.width = 8, c.batch.labeled = 4, c.run.iterations = kFloorIterations;
    c.run.log_every = 50, c.run.checkpoint_every = 1000;
    c.validate();
    const std::string run = d.str("run" + std::to_string(seed));
    train_run(c, d.str("data"), run);
    Predictor pred = load_predictor(run, "cpu");
    std::vector<CaseScore> cases;
    for (auto& name : r->cases("test")) {
      auto v = r->volume("test", name);
      cases.push_back(score_case(name, pred.predict(v.image).data, v.label.data, 4, v.image.dims, v.image.geometry.spacing));
    }
    const double dice = summarise(cases).mean_dice;
    best = std::max(best, dice);
    seen += " " + std::to_string(dice);
  }
  EXPECT_GT(best, kFloorDice) << "seeds 1-3:" << seen << "; " << kFloorMeasured;
}

namespace {
nlohmann::json last_metrics(const std::string& run) {
  std::ifstream in(fs::path(run) / "metrics.jsonl");
  std::string line, last;
  while (std::getline(in, line)) last = line;
  return nlohmann::json::parse(last);
}
}  // namespace

TEST_F(MethodTest, FastPathOptionsTrainOnTheCpu) {
  Config c = tiny("cmems");
  c.perf.channels_last = true;
  c.perf.amp = Amp::BF16;
  std::string run = dir->str("fast-path");
  train_run(c, dir->str("data"), run);
  auto j = last_metrics(run);
  EXPECT_TRUE(std::isfinite(j["loss"].get<double>()));
  EXPECT_GT(j["loss_ip"].get<double>() + j["loss_fp"].get<double>(), 0.0);
  Predictor pred = load_predictor(run, "cpu");  // loads and predicts in channels-last too
  auto r = DatasetReader::open(dir->str("data"));
  auto v = r->volume("test", r->cases("test")[0]);
  EXPECT_EQ(pred.predict(v.image).dims, v.image.dims);
}

// pseudo.agree: the first iteration starts from the same weights and batch either way, so
// its pseudo-label coverage can only shrink (pixels where the two models' labels differ lose
// their label), and the run trains to the end.
TEST_F(MethodTest, AgreementOnlyRemovesPseudoLabelsAndTrains) {
  auto first_coverage = [](const std::string& run) {
    std::ifstream in(fs::path(run) / "metrics.jsonl");
    std::string line;
    std::getline(in, line);
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["iteration"].get<int64_t>(), 1);
    return j["coverage_a"].get<double>() + j["coverage_b"].get<double>();
  };
  Config c = tiny("cmems");
  std::string off = dir->str("agree-off"), on = dir->str("agree-on");
  train_run(c, dir->str("data"), off);
  c.pseudo.agree = true;
  train_run(c, dir->str("data"), on);
  EXPECT_LT(first_coverage(on), first_coverage(off));  // two fresh models disagree somewhere
  auto j = last_metrics(on);
  EXPECT_EQ(j["iteration"].get<int64_t>(), c.run.iterations);
  EXPECT_TRUE(std::isfinite(j["loss"].get<double>()));
}

// The pseudo-label teacher without dropout (pseudo.teacher no_dropout) runs between the
// training forwards and their backward; it once broke that backward (BatchNorm statistics
// copied back in place) on the first iteration.
TEST_F(MethodTest, NoDropoutTeacherTrainsAndLeavesBatchNormStatisticsAlone) {
  Config c = tiny("cmems");
  c.pseudo.teacher = Teacher::NoDropout;
  c.synthesis.outside = SynthOutside::CrossPseudo;  // the teacher's other use: labels outside the paste
  std::string run = dir->str("no-dropout-teacher");
  train_run(c, dir->str("data"), run);
  auto j = last_metrics(run);
  EXPECT_EQ(j["iteration"].get<int64_t>(), c.run.iterations);
  EXPECT_TRUE(std::isfinite(j["loss"].get<double>()));

  UNetOptions o;
  o.width = 4;
  UNet net(o);
  net->train();
  auto x = torch::randn({2, 1, 32, 32});
  net->forward(x);  // moves the running statistics once
  std::vector<torch::Tensor> before;
  for (auto& b : net->buffers()) before.push_back(b.clone());
  auto y = forward_without_dropout(net, x);
  auto buffers = net->buffers();
  ASSERT_EQ(buffers.size(), before.size());
  for (size_t i = 0; i < buffers.size(); ++i) EXPECT_TRUE(torch::equal(buffers[i], before[i])) << i;
  // Dropout off, batch statistics on: the same as train-mode BatchNorm with every dropout
  // disabled, which eval() of only the dropouts gives.
  for (auto& m : net->modules(false))
    if (m->as<torch::nn::Dropout>()) m->eval();
  EXPECT_TRUE(torch::allclose(y, net->forward(x), 1e-5, 1e-6));
}

namespace {
// One training step of `c` on `d` from fresh models at the run's seed; its statistics by name.
std::map<std::string, double> one_step(const Config& c, const TrainingData& d) {
  torch::manual_seed(7);  // dropout draws from torch's generator
  Rng rng(uint64_t(c.seed));
  auto method = make_method(c, d, rng);
  std::map<std::string, double> out;
  for (auto& [name, v] : method->step({0, c.run.iterations})) out[name] = v.item<double>();
  return out;
}
}  // namespace

// batch.forward joint: the labeled batch and the unlabeled weak view share one pass, so the
// supervised loss depends on the unlabeled images (through BatchNorm's batch statistics);
// with separate passes it does not. Every method with unlabeled terms trains that way.
TEST_F(MethodTest, JointForwardSharesBatchNormStatisticsWithTheUnlabeledBatch) {
  torch::set_num_threads(1);
  auto r = DatasetReader::open(dir->str("data"));
  Config c = tiny("cmems");
  c.data.labeled = LabeledSource::Exemplar;  // synthesis would read the unlabeled images too
  auto d = load_training_data(*r, r->default_exemplar(), LabelAccess::ExemplarOnly, c.data.size, torch::kCPU);
  TrainingData shifted = d;
  shifted.unlabeled = d.unlabeled * 0.5 + 0.25;
  EXPECT_EQ(one_step(c, d)["loss_sup"], one_step(c, shifted)["loss_sup"]);
  c.batch.forward = BatchForward::Joint;
  EXPECT_NE(one_step(c, d)["loss_sup"], one_step(c, shifted)["loss_sup"]);

  for (auto& p : method_presets()) {
    Config j = tiny(p.name);
    j.batch.forward = BatchForward::Joint;
    auto data = load_training_data(*r, r->training_exemplar("", j.needs_all_labels()),
                                   j.needs_all_labels() ? LabelAccess::All : LabelAccess::ExemplarOnly, j.data.size, torch::kCPU);
    auto stats = one_step(j, data);
    EXPECT_TRUE(std::isfinite(stats["loss"])) << p.name;
    EXPECT_EQ(stats.count("loss_ip"), size_t(j.ip.mode != Consistency::None)) << p.name;
    EXPECT_EQ(stats.count("loss_fp"), size_t(j.fp.mode != Consistency::None)) << p.name;
  }
}

// run.precise_bn recomputes the BatchNorm statistics of the saved weights and nothing else;
// the checkpoint keeps the training state.
TEST_F(MethodTest, PreciseBnChangesOnlyTheBatchNormStatisticsOfTheSavedWeights) {
  Config c = tiny("cmems");
  train_run(c, dir->str("data"), dir->str("pbn-off"));
  c.run.precise_bn = true;
  train_run(c, dir->str("data"), dir->str("pbn-on"));
  auto weights = [&](const std::string& run, const char* file) {
    return load_tensor_file((fs::path(dir->str(run)) / file).string()).tensors;
  };
  auto off = weights("pbn-off", "weights.safetensors"), on = weights("pbn-on", "weights.safetensors");
  ASSERT_EQ(off.size(), on.size());
  int changed = 0;
  for (auto& [name, rec] : off) {
    const bool statistic = name.find("running_") != std::string::npos || name.find("num_batches") != std::string::npos;
    if (statistic) changed += rec.bytes != on.at(name).bytes;
    else EXPECT_EQ(rec.bytes, on.at(name).bytes) << name;
  }
  EXPECT_GT(changed, 0);
  auto ckpt_off = weights("pbn-off", "checkpoint.safetensors"), ckpt_on = weights("pbn-on", "checkpoint.safetensors");
  for (auto& [name, rec] : ckpt_off) EXPECT_EQ(rec.bytes, ckpt_on.at(name).bytes) << name;
}

// Batches made ahead on the producer's thread (perf.producer) give the weights made without
// it, bit for bit, and a run with it resumes exactly (the checkpoint keeps the state of the
// batch not yet used, not that of the one made ahead).
TEST_F(MethodTest, BatchesMadeAheadGiveTheSameWeightsAndResumeExactly) {
  auto tensors = [&](const std::string& run) {
    return load_tensor_file((fs::path(dir->str(run)) / "weights.safetensors").string()).tensors;
  };
  for (const char* m : {"cmems", "unimatch", "cps", "full"}) {
    Config c = tiny(m);
    c.run.iterations = 4;
    train_run(c, dir->str("data"), dir->str(std::string("ahead-off-") + m));
    c.perf.producer = true;
    train_run(c, dir->str("data"), dir->str(std::string("ahead-on-") + m));
    train_run(c, dir->str("data"), dir->str(std::string("ahead-resumed-") + m), /*stop_at=*/2);
    train_run(c, dir->str("data"), dir->str(std::string("ahead-resumed-") + m), -1, /*resume=*/true);
    auto off = tensors(std::string("ahead-off-") + m), on = tensors(std::string("ahead-on-") + m),
         resumed = tensors(std::string("ahead-resumed-") + m);
    ASSERT_EQ(off.size(), on.size()) << m;
    for (auto& [name, rec] : off) {
      EXPECT_EQ(rec.bytes, on.at(name).bytes) << m << " " << name;
      EXPECT_EQ(rec.bytes, resumed.at(name).bytes) << m << " " << name;
    }
  }
}

// perf.cuda_graph on the CPU: the iteration from fixed buffers, with the learning rate and
// the loss weights as device scalars (what a CUDA capture records), gives the plain loop's
// run: the same first loss bit for bit (before any update the two steps compute the same
// floats), and weights within rounding of the device-scalar SGD update (p − lr·b).
TEST_F(MethodTest, TheFixedBufferStepGivesThePlainRun) {
  auto tensors = [&](const std::string& run) {
    return load_tensor_file((fs::path(dir->str(run)) / "weights.safetensors").string()).tensors;
  };
  auto first_loss = [&](const std::string& run) {
    std::ifstream in(fs::path(dir->str(run)) / "metrics.jsonl");
    std::string line;
    std::getline(in, line);
    return nlohmann::json::parse(line);
  };
  for (const char* m : {"cmems", "unimatch", "cps", "fixmatch"}) {
    Config c = tiny(m);
    c.run.iterations = 4;
    c.loss.rampup = c.loss.rampup > 0 ? 0.9 : 0.0;  // the weights change every iteration
    train_run(c, dir->str("data"), dir->str(std::string("fixed-off-") + m));
    c.perf.cuda_graph = true;
    train_run(c, dir->str("data"), dir->str(std::string("fixed-on-") + m));
    auto off = tensors(std::string("fixed-off-") + m), on = tensors(std::string("fixed-on-") + m);
    auto l_off = first_loss(std::string("fixed-off-") + m), l_on = first_loss(std::string("fixed-on-") + m);
    for (auto& [k, v] : l_off.items()) {
      if (k.rfind("weight_", 0) == 0)  // logged from a float device scalar, or from the host double
        EXPECT_NEAR(v.get<double>(), l_on.at(k).get<double>(), 1e-7) << m << " " << k;
      else
        EXPECT_EQ(v, l_on.at(k)) << m << " " << k;
    }
    ASSERT_EQ(off.size(), on.size()) << m;
    for (auto& [name, rec] : off) {
      const auto& other = on.at(name);
      ASSERT_EQ(rec.bytes.size(), other.bytes.size()) << name;
      if (rec.dtype != "F32") {
        EXPECT_EQ(rec.bytes, other.bytes) << m << " " << name;
        continue;
      }
      const auto* a = reinterpret_cast<const float*>(rec.bytes.data());
      const auto* b = reinterpret_cast<const float*>(other.bytes.data());
      float worst = 0;
      for (size_t i = 0; i < rec.bytes.size() / 4; ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
      EXPECT_LT(worst, 1e-5f) << m << " " << name;
    }
  }
}

namespace {
// Operators that read a device value on the host, or whose output shape depends on data: on
// a GPU each waits for the device, and none can be captured in a CUDA graph.
std::vector<std::string>* host_reads = nullptr;
std::unique_ptr<at::ObserverContext> note_host_read(const at::RecordFunction& fn) {
  static const std::set<std::string> reads{"aten::item",          "aten::_local_scalar_dense", "aten::nonzero",
                                           "aten::masked_select", "aten::is_nonzero",          "aten::_unique2",
                                           "aten::unique_dim",    "aten::equal",               "aten::allclose"};
  if (host_reads && reads.count(fn.name())) host_reads->push_back(fn.name());
  return nullptr;
}
}  // namespace

// A training step and the optimizer's update read nothing from the host and keep every shape
// fixed (issue 34 item 4): the labeled items are chosen exemplar-or-synthetic on the device.
TEST_F(MethodTest, AStepReadsNothingFromTheHost) {
  torch::set_num_threads(1);
  {  // the check sees a host read: a random scalar drawn on the host, as the step once did
    std::vector<std::string> seen;
    host_reads = &seen;
    auto handle = at::addThreadLocalCallback(at::RecordFunctionCallback(&note_host_read).scopes({at::RecordScope::FUNCTION}));
    Rng(1).uniform_scalar(0, 1);
    at::removeCallback(handle);
    host_reads = nullptr;
    ASSERT_FALSE(seen.empty());
  }
  for (auto& p : method_presets()) {
    Config c = tiny(p.name);
    auto r = DatasetReader::open(dir->str("data"));
    c.run.exemplar = r->training_exemplar(c.run.exemplar, c.needs_all_labels());
    auto d = load_training_data(*r, c.run.exemplar, c.needs_all_labels() ? LabelAccess::All : LabelAccess::ExemplarOnly,
                                c.data.size, torch::kCPU);
    Rng rng(1);
    auto method = make_method(c, d, rng);
    std::vector<torch::Tensor> params;
    for (auto& m : method->models())
      for (auto& t : m->parameters()) params.push_back(t);
    Sgd opt(params, 0.01, 0.9, 1e-4);
    std::vector<std::string> seen;
    host_reads = &seen;
    auto handle = at::addThreadLocalCallback(at::RecordFunctionCallback(&note_host_read).scopes({at::RecordScope::FUNCTION}));
    for (int64_t it = 0; it < 2; ++it) {
      opt.zero_grad();
      method->step({it, 10});
      opt.step();
    }
    {  // and the fixed-buffer step of perf.cuda_graph, device scalars filled in place
      StaticStep fixed(*method, opt, torch::kCPU);
      for (int64_t it = 2; it < 4; ++it) fixed.run({it, 10}, 0.01);
    }
    at::removeCallback(handle);
    host_reads = nullptr;
    EXPECT_TRUE(seen.empty()) << p.name << " reads the host: " << (seen.empty() ? "" : seen.front());
  }
}

TEST_F(MethodTest, SameSeedGivesIdenticalResults) {
  Config c = tiny("fixmatch");
  EXPECT_EQ(train_run(c, dir->str("data"), dir->str("s1")), train_run(c, dir->str("data"), dir->str("s2")));
}
}  // namespace cmems

namespace cmems {
// evaluate and predict take --infer.* (and --models): post-processing and test-time
// augmentation are chosen when predicting; what training fixed (network, sizes) is not.
TEST_F(MethodTest, InferOptionsAndOnlyThoseChangeAtPredictionTime) {
  Config c = tiny("cmems");
  std::string run = dir->str("infer-overrides");
  train_run(c, dir->str("data"), run);
  Config used;
  load_predictor(run, "cpu", {}, &used);
  EXPECT_TRUE(used.infer.lcc);
  EXPECT_FALSE(used.infer.tta);
  EXPECT_EQ(used.infer.models, InferModels::Both);
  load_predictor(run, "cpu", {{"infer.lcc", "false"}, {"infer.tta", "true"}, {"infer.models", "a"}, {"infer.batch", ""}},
                 &used);
  EXPECT_FALSE(used.infer.lcc);
  EXPECT_TRUE(used.infer.tta);
  EXPECT_EQ(used.infer.models, InferModels::A);
  EXPECT_EQ(used.infer.batch, c.infer.batch);  // "" keeps the run's setting

  // The report records the options it was scored with.
  const Evaluation plain = evaluate_run(run, dir->str("data"), "", "cpu", {{"infer.lcc", "false"}});
  const Evaluation lcc = evaluate_run(run, dir->str("data"), "", "cpu");
  EXPECT_EQ(plain.infer.at("lcc"), false);
  EXPECT_EQ(lcc.infer.at("lcc"), true);
  ASSERT_EQ(plain.cases.size(), lcc.cases.size());

  for (const auto& [key, text] : std::map<std::string, std::string>{{"model.width", "8"}, {"data.size", "64"}}) {
    try {
      load_predictor(run, "cpu", {{key, text}});
      FAIL() << key << " changed after training";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("only infer.* options"), std::string::npos) << e.what();
    }
  }
}

TEST_F(MethodTest, ANonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint) {
  Config c = tiny("supervised");
  c.run.iterations = 20;
  c.optim.lr = 1e30;  // diverges within a few steps
  c.optim.momentum = 0;
  c.run.checkpoint_every = 1;
  std::string run = dir->str("diverged");
  try {
    train_run(c, dir->str("data"), run);
    FAIL() << "no error for a diverging run";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_TRUE(m.find("not finite") != std::string::npos || m.find("non-finite") != std::string::npos) << m;
    EXPECT_NE(m.find("checkpoint"), std::string::npos) << m;
  }
  // The checkpoint on disk holds finite weights only.
  TensorFile f = load_tensor_file((fs::path(run) / "checkpoint.safetensors").string());
  for (auto& [name, rec] : f.tensors)
    if (rec.dtype == "F32") {
      auto t = from_record(rec);
      EXPECT_TRUE(torch::isfinite(t).all().item<bool>()) << name;
    }
}

// snapshot_every: the models' weights at every N-th iteration, each in a folder that loads as
// a run (load_predictor); the last equals the run's final weights (no precise_bn here).
TEST_F(MethodTest, SnapshotsKeepTheWeightsOfEveryNthIteration) {
  Config c = tiny("cmems");
  c.run.iterations = 4;
  c.run.snapshot_every = 2;
  c.run.precise_bn = false;
  std::string run = dir->str("snapshots");
  const std::string final_weights = train_run(c, dir->str("data"), run);
  const fs::path s = fs::path(run) / "snapshots";
  std::vector<std::string> names;
  for (auto& e : fs::directory_iterator(s)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"it000002", "it000004"}));
  EXPECT_EQ(read_file(s / "it000004" / "weights.safetensors"), final_weights);
  EXPECT_NE(read_file(s / "it000002" / "weights.safetensors"), final_weights);
  EXPECT_EQ(load_predictor((s / "it000002").string(), "cpu").num_models(), 2u);
}
}  // namespace cmems
