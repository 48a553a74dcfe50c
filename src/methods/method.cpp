#include "methods/method.hpp"

#include "model/device.hpp"

namespace cmems {

std::unique_ptr<Method> make_ssl_method(const MethodOptions& o, const TrainingData& d, Rng& rng);  // ssl_method.cpp

UNetOptions unet_options(const ModelOptions& o, int64_t num_classes, int64_t m, int64_t in_channels) {
  UNetOptions u;
  u.num_classes = num_classes;
  u.in_channels = in_channels;
  u.width = o.width;
  u.init = o.init == ModelInit::Torch ? UNetOptions::Init::Torch
           : m == 0                   ? UNetOptions::Init::Kaiming
                                      : UNetOptions::Init::Xavier;
  return u;
}

std::vector<UNet> make_models(const ModelOptions& o, int64_t count, int64_t seed, bool channels_last,
                              int64_t num_classes, const torch::Device& dev, int64_t in_channels) {
  std::vector<UNet> nets;
  for (int64_t m = 0; m < count; ++m) {
    const UNetOptions u = unet_options(o, num_classes, m, in_channels);
    torch::manual_seed(static_cast<uint64_t>(seed) * 31 + uint64_t(m) + 1);
    UNet net(u);  // a separate module per model: no shared parameter storage
    initialise(net, u.init);
    net->to(dev);
    if (channels_last) to_channels_last(net);
    nets.push_back(net);
  }
  return nets;
}

std::unique_ptr<Method> make_method(const MethodOptions& o, const TrainingData& d, Rng& rng) {
  // All baselines and ablations share one implementation; they differ by the options that
  // their preset sets (methods/presets.cpp), never by copied code.
  o.check();
  return make_ssl_method(o, d, rng);
}
}  // namespace cmems
