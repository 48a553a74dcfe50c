// The fast-path settings of a training device: channels-last memory format, bf16
// autocast and cuDNN autotuning (options perf.channels_last, perf.amp,
// perf.cudnn_benchmark), written once for LibTorch 1.13 and 2.x. On the CPU they either
// apply as well (channels-last, bf16 autocast) or do nothing (cuDNN). Stage: model.
#pragma once
#include <torch/torch.h>

#include "model/options.hpp"
#include "model/unet.hpp"

namespace cmems {

/// The torch device of `kind`; throws "option --device cuda: no CUDA device available".
torch::Device resolve_device(DeviceKind kind);
/// Puts every 4-D parameter of `net` in channels-last memory format (values unchanged).
void to_channels_last(UNet& net);

/// `x` [B, C, H, W] in channels-last format when `on`, else unchanged.
torch::Tensor in_format(const torch::Tensor& x, bool channels_last);

/// Turns cuDNN's autotuner on or off (a no-op without CUDA).
void set_cudnn_benchmark(bool on);

/// Whether autocast is on for `device`'s type.
bool autocast_enabled(const torch::Device& device);

/// While alive, operations on `device` run under bf16 autocast (if `enabled`); the previous
/// autocast state is restored and the cast cache cleared at the end. Backward passes should
/// run after the guard ends. [ref: torch.autocast]
class AutocastGuard {
 public:
  AutocastGuard(const torch::Device& device, bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool enabled_ = false, previous_ = false;
  at::ScalarType previous_dtype_ = at::kFloat;
  at::DeviceType type_ = at::kCPU;
};
}  // namespace cmems
