// `cmems bench`: the method's own training iteration (its step: sampling, synthesis,
// augmentation, forwards, losses, backward; then the SGD step) on synthetic data resident on
// the device, and inference throughput of its models (the Predictor's probabilities).
// Medians after warm-up. Every training option applies, as for `cmems train`.
#include <ATen/record_function.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "infer/predictor.hpp"
#include "methods/method.hpp"
#include "model/device.hpp"
#include "train/sgd.hpp"
#include "train/static_step.hpp"

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

// ATen operator calls per stage of one iteration, counted by a RecordFunction callback: the
// CPU-side proxy for kernel-launch overhead (it does not depend on the machine). A stage is
// the innermost "cmems::STAGE" user scope open on the thread (methods/ssl_method.cpp marks
// batch, forward, losses and backward; the bench marks the optimizer); ops outside any
// mark count as "other". Only "aten::" operators count: every call, nested ones included
// (as torch.profiler lists them), and apart the top-level calls (no aten op around them:
// what the code issues; a foreach op is one such call however many tensors it updates).
// bench/reference_step.py counts the Python step the same two ways.
struct OpCounter {
  static constexpr std::array<const char*, 6> kStages{"batch", "forward", "losses", "backward", "optimizer", "other"};
  static inline std::array<std::atomic<int64_t>, 6> counts{}, top{};
  static inline thread_local std::vector<int> stack;
  static inline thread_local int depth = 0;  // aten ops open on this thread
  static inline bool by_name = false;         // also count the top-level calls by name
  static inline std::mutex names_mutex;
  static inline std::array<std::map<std::string, int64_t>, 6> names;
  // With by_name, also each aten op's self host time (its own wall time less that of the aten
  // ops it calls), as torch.profiler's "Self CPU" column: on the CPU, where the time goes.
  struct Self {
    Clock::time_point since;
    double nested_ms = 0;
  };
  static inline thread_local std::vector<Self> selves;
  static inline std::map<std::string, double> self_ms;
  // Host wall time per stage, exclusive of nested stages (a stage's time pauses while an
  // inner mark is open): on the CPU where the iteration's time goes; on a GPU the time to
  // issue the stage's work. Time outside every mark is not counted.
  struct Open {
    int stage;
    Clock::time_point since;
  };
  static inline thread_local std::vector<Open> open;
  static inline std::mutex ms_mutex;
  static inline std::array<double, 6> ms{};
  static void add_ms(int stage, Clock::time_point from, Clock::time_point to) {
    std::lock_guard<std::mutex> lock(ms_mutex);
    ms[stage < 0 ? kStages.size() - 1 : size_t(stage)] += std::chrono::duration<double, std::milli>(to - from).count();
  }

  static int stage_of(const char* name) {
    if (std::strncmp(name, "cmems::", 7) != 0) return -1;
    for (size_t i = 0; i + 1 < kStages.size(); ++i)
      if (std::strcmp(name + 7, kStages[i]) == 0) return int(i);
    return -1;
  }
  static std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
    if (fn.scope() == at::RecordScope::USER_SCOPE) {
      stack.push_back(stage_of(fn.name()));
      const auto now = Clock::now();
      if (!open.empty()) add_ms(open.back().stage, open.back().since, now);
      open.push_back({stack.back(), now});
    } else if (is_aten(fn)) {
      int s = -1;
      for (auto it = stack.rbegin(); it != stack.rend() && s < 0; ++it) s = *it;
      const size_t k = s < 0 ? kStages.size() - 1 : size_t(s);
      ++counts[k];
      if (by_name) selves.push_back({Clock::now()});
      if (depth++ == 0) {
        ++top[k];
        if (by_name) {
          std::lock_guard<std::mutex> lock(names_mutex);
          ++names[k][fn.name()];
        }
      }
    }
    return nullptr;
  }
  static void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
    if (fn.scope() == at::RecordScope::USER_SCOPE && !stack.empty()) {
      stack.pop_back();
      const auto now = Clock::now();
      if (!open.empty()) {
        add_ms(open.back().stage, open.back().since, now);
        open.pop_back();
        if (!open.empty()) open.back().since = now;
      }
    }
    if (is_aten(fn) && depth > 0) {
      --depth;
      if (by_name && !selves.empty()) {
        const double all = std::chrono::duration<double, std::milli>(Clock::now() - selves.back().since).count();
        const double own = all - selves.back().nested_ms;
        selves.pop_back();
        if (!selves.empty()) selves.back().nested_ms += all;
        std::lock_guard<std::mutex> lock(names_mutex);
        self_ms[fn.name()] += own;
      }
    }
  }
  static bool is_aten(const at::RecordFunction& fn) {
    return fn.scope() == at::RecordScope::FUNCTION && std::strncmp(fn.name(), "aten::", 6) == 0;
  }
  /// Counts the ops `f` issues, per stage.
  template <class F>
  static nlohmann::json count(F&& f) {
    for (auto& c : counts) c = 0;
    for (auto& c : top) c = 0;
    for (auto& n : names) n.clear();
    self_ms.clear();
    ms.fill(0.0);
    auto handle = at::addGlobalCallback(
        at::RecordFunctionCallback(&on_start, &on_end).scopes({at::RecordScope::FUNCTION, at::RecordScope::USER_SCOPE}));
    f();
    at::removeCallback(handle);
    nlohmann::json j, t;
    int64_t total = 0, total_top = 0;
    for (size_t i = 0; i < kStages.size(); ++i) {
      j[kStages[i]] = counts[i].load(), total += counts[i];
      t[kStages[i]] = top[i].load(), total_top += top[i];
    }
    j["total"] = total;
    t["total"] = total_top;
    j["top_level"] = t;
    nlohmann::json m;
    for (size_t i = 0; i < kStages.size(); ++i) m[kStages[i]] = std::round(ms[i] * 10) / 10;
    j["host_ms_by_stage"] = m;
    if (by_name) {
      for (size_t i = 0; i < kStages.size(); ++i) j["top_level_by_name"][kStages[i]] = names[i];
      for (const auto& [name, t] : self_ms) j["self_ms_by_name"][name] = std::round(t * 100) / 100;
    }
    return j;
  }
};

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
// Peak GPU memory allocated by LibTorch on `dev` since the last reset, in MB (-1 = unknown);
// `reset` starts a new peak after reading this one.
double cuda_peak_mb(const torch::Device& dev, bool reset) {
#if defined(CMEMS_WITH_CUDA)
  if (!dev.is_cuda()) return -1;
  const auto index = dev.has_index() ? dev.index() : c10::DeviceIndex(0);
  // allocated_bytes[0]: the aggregate over pool types (StatType::AGGREGATE).
  const double mb = double(c10::cuda::CUDACachingAllocator::getDeviceStats(index).allocated_bytes[0].peak) / 1048576.0;
  if (reset) c10::cuda::CUDACachingAllocator::resetPeakStats(index);
  return mb;
#else
  (void)dev, (void)reset;
  return -1;
#endif
}
}  // namespace

Runner add_bench(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Time the method's training iteration and inference (options as for train)");
  struct A {
    int64_t repeat = 20, warmup = 3;
    bool json = false;
    std::string config;
    std::map<std::string, std::string> flags;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--repeat", a->repeat, "timed iterations (median reported)")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--warmup", a->warmup, "untimed warm-up iterations")->capture_default_str()->check(CLI::Range(0, 100000));
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->add_flag("--op-names", OpCounter::by_name, "also count the counted iteration's top-level ATen calls by name, per stage, and time each ATen op's self host ms");
  cmd->add_option("--config", a->config, "JSON file of options (flags override it)");
  add_config_flags(*cmd, a->flags);
  return [a] {
    const Config c = resolve_config(a->flags, a->config);
    const torch::Device dev = resolve_device(c.run.device);
    apply_threads(c.run.threads);
    set_cudnn_benchmark(c.perf.cudnn_benchmark);
    const int64_t size = c.data.size;
    TrainingData d = synthetic_data(size, std::max<int64_t>(64, 2 * c.batch.unlabeled), dev);

    // 1. The method's own iteration, past the ramp-up so that every term is active.
    Rng rng(1);
    cuda_peak_mb(dev, /*reset=*/true);
    auto method = make_method(c, d, rng);
    std::vector<torch::Tensor> params;
    for (auto& m : method->models())
      for (auto& p : m->parameters()) params.push_back(p);
    Sgd opt(params, c.optim.lr, c.optim.momentum, c.optim.weight_decay);
    int64_t it = 0;
    const int64_t total = std::max<int64_t>(c.run.iterations, 2 * (a->warmup + a->repeat) + 10);
    std::unique_ptr<StaticStep> fixed;  // perf.cuda_graph: captured after its warm-up iterations
    if (c.perf.cuda_graph) fixed = std::make_unique<StaticStep>(*method, opt, dev, std::max<int64_t>(1, a->warmup - 1));
    auto iteration = [&] {
      if (fixed) {
        fixed->run({total / 2 + it++, total}, c.optim.lr);
        return;
      }
      opt.zero_grad();
      method->step({total / 2 + it++, total});
      RECORD_USER_SCOPE("cmems::optimizer");
      opt.step();
    };
    double ms_iter = median_ms(a->warmup, a->repeat, dev, iteration);
    const nlohmann::json ops = OpCounter::count(iteration);  // one more iteration, counted
    const double gpu_iter_mb = cuda_peak_mb(dev, /*reset=*/true);

    // 2. Inference with the method's models (one or two), 32 slices per batch.
    Predictor pred({size, c.infer, c.perf.channels_last}, method->models(), {"0", "1", "2", "3"}, "as_stored");
    auto x_i = torch::rand({32, 1, size, size}, dev);
    double ms_inf = median_ms(a->warmup, a->repeat, dev, [&] { pred.probabilities(x_i).argmax(1); });
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    nlohmann::json j = {{"device", enum_name(c.run.device)},
                        {"method", c.run.method},
                        {"models", c.models},
                        {"batch", {c.batch.labeled, c.batch.unlabeled}},
                        {"size", size},
                        {"width", c.model.width},
                        {"threads", torch::get_num_threads()},
                        {"ms_per_iter", ms_iter},
                        {"infer_slices_per_s", 32.0 / (ms_inf / 1000.0)},
                        {"peak_mem_mb", double(ru.ru_maxrss) / 1024.0},
                        {"peak_mem_kind", "host RSS"},
                        {"channels_last", c.perf.channels_last},
                        {"cuda_graph", fixed ? (fixed->captured() ? "captured" : "fixed buffers, eager") : "off"},
                        {"amp", enum_name(c.perf.amp)},
                        {"aten_ops_per_iter", ops}};
    if (dev.is_cuda())
      j["gpu_peak_allocated_mb"] = {{"iteration", gpu_iter_mb}, {"inference", cuda_peak_mb(dev, false)}};
    if (a->json) {
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("device %s, %lld threads, method %s (%lld model%s), batch %lld + %lld, %lldx%lld\n",
                  enum_name(c.run.device).c_str(), (long long)torch::get_num_threads(), c.run.method.c_str(),
                  (long long)c.models, c.models > 1 ? "s" : "", (long long)c.batch.labeled,
                  (long long)c.batch.unlabeled, (long long)size, (long long)size);
      std::printf("  training iteration %9.1f ms (median of %lld)\n", ms_iter, (long long)a->repeat);
      std::printf("  ATen ops/iteration %9lld (", (long long)ops["total"].get<int64_t>());
      for (size_t i = 0; i < OpCounter::kStages.size(); ++i)
        std::printf("%s%s %lld", i ? ", " : "", OpCounter::kStages[i], (long long)ops[OpCounter::kStages[i]].get<int64_t>());
      std::printf(")\n");
      std::printf("  inference          %9.1f slices/s\n", j["infer_slices_per_s"].get<double>());
      std::printf("  peak memory        %9.0f MB (host RSS)\n", j["peak_mem_mb"].get<double>());
      if (dev.is_cuda()) std::printf("  GPU peak           %9.0f MB allocated (iteration)\n", gpu_iter_mb);
    }
    return 0;
  };
}
}  // namespace cmems
