// Options of the model stage: the networks a run trains (model.*) and the device's fast
// path (perf.*), plus the device kind. Torch-free, so the composition can include it
// cheaply. Stage: model.
#pragma once
#include "core/options.hpp"

namespace cmems {

enum class DeviceKind { Cpu, Cuda };
CMEMS_ENUM_NAMES(DeviceKind, {DeviceKind::Cpu, "cpu"}, {DeviceKind::Cuda, "cuda"})

/// Torch: PyTorch's default for every model (seeds differ); KaimingXavier: model A
/// Kaiming-normal, model B Xavier-normal.
enum class ModelInit { Torch, KaimingXavier };
CMEMS_ENUM_NAMES(ModelInit, {ModelInit::Torch, "torch"}, {ModelInit::KaimingXavier, "kaiming_xavier"})

enum class Amp { None, BF16 };
CMEMS_ENUM_NAMES(Amp, {Amp::None, "none"}, {Amp::BF16, "bf16"})

/// Feature perturbation: channel dropout [ref: UniMatch], uniform multiplicative noise
/// [ref: CCT], or both.
enum class FpKind { Dropout, Noise, Both };
CMEMS_ENUM_NAMES(FpKind, {FpKind::Dropout, "dropout"}, {FpKind::Noise, "noise"}, {FpKind::Both, "both"})

/// model.*: the networks a run builds (UNetOptions per network, model/unet.hpp).
struct ModelOptions {
  int64_t width = 16;
  ModelInit init = ModelInit::Torch;

  void describe(OptionList& l) {
    l.add("width", width, "channels of the first U-Net level [ref: SSL4MIS: 16]", 2, 256);
    l.add("init", init, "weight initialisation: PyTorch's default for every model (seeds differ), or model A Kaiming-normal and model B Xavier-normal [ref: SSL4MIS; ours: measured, docs/RESULTS.md]");
  }
};

/// perf.*: the training device's fast path (model/device.hpp).
struct PerfOptions {
  bool channels_last = true;
  Amp amp = Amp::None;
  bool cudnn_benchmark = true;
  bool producer = false;
  bool cuda_graph = false;

  void describe(OptionList& l) {
    l.add("channels_last", channels_last, "channels-last memory format for the networks and their inputs (GPU: ~1.7x faster; 2-core CPU: ~10% faster) [ref: docs/gpu.md, docs/BENCHMARKS.md]");
    l.add("amp", amp, "autocast of the training forward passes: none, or bf16 [ref: torch.autocast]");
    l.add("cudnn_benchmark", cudnn_benchmark, "cuDNN autotuning (CUDA only) [ref: docs/gpu.md]");
    l.add("producer", producer, "make the next iteration's batches on a second thread (on CUDA, its own stream) while the step runs; same weights either way [ours, docs/BENCHMARKS.md]");
    l.add("cuda_graph", cuda_graph, "CUDA: capture the training iteration (forwards, losses, backward, SGD) once as a CUDA graph and replay it, its batches copied into fixed buffers and its learning rate and loss weights in device scalars; elsewhere the same fixed buffers run eagerly [ref: PyTorch CUDA graphs; ours]");
  }
};
}  // namespace cmems
