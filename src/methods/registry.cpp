#include "methods/method.hpp"

#include "core/check.hpp"
#include "model/device.hpp"

namespace cmems {

std::unique_ptr<Method> make_ssl_method(const Config& c, const TrainingData& d, Rng& rng);  // ssl_method.cpp

std::vector<UNet> make_models(const Config& c, int64_t num_classes, const torch::Device& dev) {
  std::vector<UNet> nets;
  for (int64_t m = 0; m < c.models; ++m) {
    UNetOptions o;
    o.num_classes = num_classes;
    o.width = c.model_width;
    o.init = c.model_init == "torch" ? UNetOptions::Init::Torch
             : m == 0                  ? UNetOptions::Init::Kaiming
                                       : UNetOptions::Init::Xavier;
    torch::manual_seed(static_cast<uint64_t>(c.seed) * 31 + uint64_t(m) + 1);
    UNet net(o);  // a separate module per model: no shared parameter storage
    initialise(net, o.init);
    net->to(dev);
    if (c.channels_last) to_channels_last(net);
    nets.push_back(net);
  }
  return nets;
}

const std::vector<std::pair<std::string, MethodFactory>>& method_registry() {
  // All baselines and ablations share one implementation; they differ by the options that
  // their preset sets (core/config.cpp), never by copied code.
  static const std::vector<std::pair<std::string, MethodFactory>> reg = [] {
    std::vector<std::pair<std::string, MethodFactory>> r;
    for (auto& p : method_presets()) r.emplace_back(p.name, make_ssl_method);
    return r;
  }();
  return reg;
}

std::unique_ptr<Method> make_method(const Config& c, const TrainingData& d, Rng& rng) {
  for (auto& [name, factory] : method_registry())
    if (name == c.method) return factory(c, d, rng);
  method_preset(c.method);  // throws "unknown method ..."
  CMEMS_FAIL("method '", c.method, "' has no implementation");
}
}  // namespace cmems
