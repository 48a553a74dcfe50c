#include "model/device.hpp"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/check.hpp"

namespace cmems {
namespace autocast {
// LibTorch 2.4 replaced the per-device functions (set_enabled for CUDA, set_cpu_enabled, ...)
// with ones that take the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool enabled(at::DeviceType t) { return at::autocast::is_autocast_enabled(t); }
void enable(at::DeviceType t, bool on) { at::autocast::set_autocast_enabled(t, on); }
at::ScalarType dtype(at::DeviceType t) { return at::autocast::get_autocast_dtype(t); }
void set_dtype(at::DeviceType t, at::ScalarType d) { at::autocast::set_autocast_dtype(t, d); }
#else
bool enabled(at::DeviceType t) { return t == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
void enable(at::DeviceType t, bool on) {
  if (t == at::kCUDA) at::autocast::set_enabled(on);
  else at::autocast::set_cpu_enabled(on);
}
at::ScalarType dtype(at::DeviceType t) {
  return t == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_dtype(at::DeviceType t, at::ScalarType d) {
  if (t == at::kCUDA) at::autocast::set_autocast_gpu_dtype(d);
  else at::autocast::set_autocast_cpu_dtype(d);
}
#endif
}  // namespace autocast

torch::Device resolve_device(DeviceKind kind) {
  if (kind == DeviceKind::Cpu) return torch::kCPU;
  CMEMS_CHECK(torch::cuda::is_available(), "option --device cuda: no CUDA device available");
  return torch::kCUDA;
}

bool autocast_enabled(const torch::Device& device) { return autocast::enabled(device.type()); }

namespace {
// Channels-last strides, also where a dimension of size 1 leaves them ambiguous: contiguous()
// keeps a one-channel NCHW tensor as it is (it is channels-last-contiguous too), and a
// convolution of it then writes NCHW, so the network's first block would run in the other
// layout, with a conversion at each of its backward ops; to() restrides it as Python's
// .to(memory_format=...) does. The values are the same.
torch::Tensor channels_last(const torch::Tensor& x) {
  return x.to(x.options(), /*non_blocking=*/false, /*copy=*/false, torch::MemoryFormat::ChannelsLast);
}
}  // namespace

void to_channels_last(UNet& net) {
  torch::NoGradGuard g;
  for (auto& p : net->parameters())
    if (p.dim() == 4) p.set_data(channels_last(p));
}

torch::Tensor in_format(const torch::Tensor& x, bool channels_last_format) {
  return channels_last_format && x.dim() == 4 ? channels_last(x) : x;
}

void set_cudnn_benchmark(bool on) { at::globalContext().setBenchmarkCuDNN(on); }

AutocastGuard::AutocastGuard(const torch::Device& device, bool enabled)
    : enabled_(enabled), type_(device.type()) {
  if (!enabled_) return;
  previous_ = autocast::enabled(type_);
  previous_dtype_ = autocast::dtype(type_);
  autocast::enable(type_, true);
  autocast::set_dtype(type_, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  autocast::set_dtype(type_, previous_dtype_);
  autocast::enable(type_, previous_);
}
}  // namespace cmems
