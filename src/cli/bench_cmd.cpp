// `cmems bench`: the full training iteration (sampling, synthesis, augmentation, forward,
// backward, step), the model step alone on resident tensors (the same computation as
// bench/reference_step.py), and inference throughput. Medians after warm-up.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "losses/losses.hpp"
#include "methods/method.hpp"
#include "model/device.hpp"

#if defined(CMEMS_WITH_CUDA)  // set by CMake when LibTorch has CUDA (target c10_cuda)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace cmems {
namespace {
using Clock = std::chrono::steady_clock;

void sync(const torch::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize();
}

template <class F>
double median_ms(int64_t warmup, int64_t n, const torch::Device& dev, F&& f) {
  for (int64_t i = 0; i < warmup; ++i) f();
  sync(dev);
  std::vector<double> t;
  for (int64_t i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    f();
    sync(dev);
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

// Synthetic training data on the device: a disc-and-ring exemplar and a random pool.
TrainingData synthetic_data(int64_t size, int64_t pool, const torch::Device& dev) {
  TrainingData d;
  d.num_classes = 4;
  d.exemplar_id = "bench";
  auto yy = torch::arange(size).view({size, 1}).to(torch::kFloat), xx = torch::arange(size).view({1, size}).to(torch::kFloat);
  auto r = torch::sqrt((yy - size / 2.0).pow(2) + (xx - size / 2.0).pow(2));
  auto lab = torch::zeros({size, size}, torch::kLong);
  lab.masked_fill_(r < size * 0.25, 2);
  lab.masked_fill_(r < size * 0.18, 3);
  lab.masked_fill_((r < size * 0.3) & (xx < size * 0.35) & (lab == 0), 1);
  d.labeled_labels = lab.unsqueeze(0).to(dev);
  d.labeled_images = (lab.to(torch::kFloat) / 3).view({1, 1, size, size}).to(dev);
  torch::manual_seed(0);
  d.unlabeled = torch::rand({pool, 1, size, size}).to(dev);
  return d;
}
// Peak GPU memory allocated by LibTorch on `dev` since the last reset, in MB (-1 = unknown).
double cuda_peak_mb(const torch::Device& dev, bool reset) {
#if defined(CMEMS_WITH_CUDA)
  if (!dev.is_cuda()) return -1;
  const auto index = dev.has_index() ? dev.index() : c10::DeviceIndex(0);
  if (reset) c10::cuda::CUDACachingAllocator::resetPeakStats(index);
  // allocated_bytes[0]: the aggregate over pool types (StatType::AGGREGATE).
  return double(c10::cuda::CUDACachingAllocator::getDeviceStats(index).allocated_bytes[0].peak) / 1048576.0;
#else
  (void)dev, (void)reset;
  return -1;
#endif
}
}  // namespace

Runner add_bench(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Time the training iteration, the model step and inference");
  struct A {
    std::string device = "cpu", method = "cmems";
    int64_t batch = 12, size = 256, iterations = 20, warmup = 3, threads = 0, width = 16;
    bool json = false, channels_last = false;
    std::string amp = "none";
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--device", a->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("--method", a->method, "method whose iteration is timed")->capture_default_str();
  cmd->add_option("--batch", a->batch, "labeled and unlabeled batch size (each)")->capture_default_str();
  cmd->add_option("--size", a->size, "slice size")->capture_default_str();
  cmd->add_option("--width", a->width, "U-Net first-level channels")->capture_default_str();
  cmd->add_option("--iterations", a->iterations, "timed iterations (median reported)")->capture_default_str();
  cmd->add_option("--warmup", a->warmup, "untimed warm-up iterations")->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads, 0 = all cores")->capture_default_str();
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->add_flag("--channels-last", a->channels_last, "channels-last memory format (perf.channels_last)");
  cmd->add_option("--amp", a->amp, "autocast: none or bf16 (perf.amp)")->capture_default_str();
  return [a] {
    std::map<std::string, std::string> flags = {
        {"method", a->method}, {"device", a->device}, {"data.size", std::to_string(a->size)},
        {"model.width", std::to_string(a->width)}, {"batch.labeled", std::to_string(a->batch)},
        {"batch.unlabeled", std::to_string(a->batch)}, {"threads", std::to_string(a->threads)},
        {"iterations", "30000"}, {"perf.channels_last", a->channels_last ? "true" : "false"}, {"perf.amp", a->amp}};
    Config c = resolve_config(flags, "");
    CMEMS_CHECK(c.device != "cuda" || torch::cuda::is_available(), "option --device cuda: no CUDA device available");
    apply_threads(c);
    set_cudnn_benchmark(c.cudnn_benchmark);
    const torch::Device dev = c.device == "cuda" ? torch::kCUDA : torch::kCPU;
    TrainingData d = synthetic_data(c.size, std::max<int64_t>(64, 2 * c.unlabeled_batch), dev);

    // 1. The full iteration of the chosen method.
    Rng rng(1);
    cuda_peak_mb(dev, /*reset=*/true);
    auto method = make_method(c, d, rng);
    std::vector<torch::Tensor> params;
    for (auto& m : method->models())
      for (auto& p : m->parameters()) params.push_back(p);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
    int64_t it = 0;
    double ms_iter = median_ms(a->warmup, a->iterations, dev, [&] {
      opt.zero_grad();
      method->step({it++ + 10000, c.iterations});  // past the ramp-up: every term active
      opt.step();
    });
    const double gpu_iter_mb = cuda_peak_mb(dev, /*reset=*/true);

    // 2. The model step alone on resident tensors: two U-Nets, labeled forward + CE/Dice,
    //    weak forward with all-level feature dropout (clean + perturbed), strong forward,
    //    cross pseudo-labels, backward, SGD (bench/reference_step.py computes the same).
    auto nets = make_models(c, 4, dev);
    std::vector<torch::Tensor> ps;
    for (auto& m : nets) {
      m->train();
      for (auto& p : m->parameters()) ps.push_back(p);
    }
    torch::optim::SGD opt2(ps, torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4));
    auto x_l = in_format(torch::rand({c.labeled_batch, 1, c.size, c.size}, dev), c.channels_last);
    auto y_l = torch::randint(0, 4, {c.labeled_batch, c.size, c.size}, torch::TensorOptions().dtype(torch::kLong).device(dev));
    auto x_w = in_format(torch::rand({c.unlabeled_batch, 1, c.size, c.size}, dev), c.channels_last);
    auto x_s = in_format((x_w + 0.1 * torch::randn_like(x_w)).clamp(0, 1), c.channels_last);
    FeaturePerturbation fp;
    const CutMixBoxes no_mix;  // the strong view is given (x_s); the Python reference mixes nothing
    double ms_step = median_ms(a->warmup, a->iterations, dev, [&] {
      opt2.zero_grad();
      std::optional<AutocastGuard> amp(std::in_place, dev, c.amp == "bf16");
      torch::Tensor loss = torch::zeros({}, x_l.options());
      std::vector<PseudoLabels> pl;
      std::vector<std::vector<torch::Tensor>> fps;
      for (auto& m : nets) {
        loss = loss + seg_loss(m->forward(x_l), y_l);
        auto o = forward_with_feature_perturbation(m, x_w, fp, true, rng);
        pl.push_back(make_pseudo_labels(o.clean, 0.95));
        fps.push_back(o.perturbed);
      }
      for (int64_t s = 0; s < int64_t(nets.size()); ++s) {
        const auto& t = pl[teacher_of(s, int64_t(nets.size()), Pairing::Cross)];
        loss = loss + image_perturbation_loss({{nets[s]->forward(x_s), no_mix}}, t) +
               feature_perturbation_loss(fps[s], t);
      }
      amp.reset();  // backward outside autocast
      loss.backward();
      opt2.step();
    });

    const double gpu_step_mb = cuda_peak_mb(dev, /*reset=*/true);

    // 3. Inference: both models' softmax averaged, batches of 32 slices.
    for (auto& m : nets) m->eval();
    auto x_i = in_format(torch::rand({32, 1, c.size, c.size}, dev), c.channels_last);
    double ms_inf = median_ms(a->warmup, a->iterations, dev, [&] {
      torch::NoGradGuard g;
      auto p = torch::softmax(nets[0]->forward(x_i), 1) + torch::softmax(nets[1]->forward(x_i), 1);
      p.argmax(1);
    });
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    nlohmann::json j = {{"device", c.device},
                        {"card", c.device == "cuda" ? "cuda" : "cpu"},
                        {"method", c.method},
                        {"batch", {c.labeled_batch, c.unlabeled_batch}},
                        {"size", c.size},
                        {"threads", torch::get_num_threads()},
                        {"ms_per_iter", ms_iter},
                        {"ms_per_step", ms_step},
                        {"infer_slices_per_s", 32.0 / (ms_inf / 1000.0)},
                        {"peak_mem_mb", double(ru.ru_maxrss) / 1024.0},
                        {"peak_mem_kind", "host RSS"},
                        {"channels_last", c.channels_last},
                        {"amp", c.amp}};
    if (dev.is_cuda()) {
      j["gpu_peak_allocated_mb"] = {{"iteration", gpu_iter_mb}, {"model_step", gpu_step_mb},
                                    {"inference", cuda_peak_mb(dev, false)}};
    }
    if (a->json) {
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("device %s, %lld threads, method %s, batch %lld + %lld, %lldx%lld\n", c.device.c_str(),
                  (long long)torch::get_num_threads(), c.method.c_str(), (long long)c.labeled_batch,
                  (long long)c.unlabeled_batch, (long long)c.size, (long long)c.size);
      std::printf("  full iteration   %9.1f ms (median of %lld)\n", ms_iter, (long long)a->iterations);
      std::printf("  model step       %9.1f ms\n", ms_step);
      std::printf("  inference        %9.1f slices/s\n", j["infer_slices_per_s"].get<double>());
      std::printf("  peak memory      %9.0f MB (host RSS)\n", j["peak_mem_mb"].get<double>());
      if (dev.is_cuda())
        std::printf("  GPU peak         %9.0f MB allocated (iteration), %.0f MB (model step)\n", gpu_iter_mb,
                    gpu_step_mb);
    }
    return 0;
  };
}
}  // namespace cmems
