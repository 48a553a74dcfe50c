#include "cli/config.hpp"

#include <CLI/CLI.hpp>

#include "core/json.hpp"
#include "methods/presets.hpp"

namespace cmems {

OptionList Config::options() {
  OptionList l;
  run.describe(l, method_names());
  MethodOptions::describe(l);
  optim.describe(l.section("optim"));
  infer.describe(l.section("infer"));
  return l;
}

nlohmann::json Config::to_json() const {
  Config copy = *this;
  return copy.options().to_json();
}

void Config::apply_json(const nlohmann::json& j, const std::string& origin) { options().apply_json(j, origin); }

void Config::set(const std::string& key, const std::string& text) { options().find(key).parse(text); }

void Config::validate() const {
  Config copy = *this;
  copy.options().check();
  MethodOptions::check();
  CMEMS_CHECK(models == 2 || infer.models != InferModels::B, "option --infer.models b needs --models 2");
}

void add_config_flags(CLI::App& cmd, std::map<std::string, std::string>& values, const std::string& prefix) {
  Config c;
  const OptionList options = c.options();  // named: a range-for over a temporary's member dangles
  for (auto& o : options.items())
    if (o.key.compare(0, prefix.size(), prefix) == 0)
      cmd.add_option(o.flag(), values[o.key], o.help)->group("Options (see `cmems list`)")->type_name(o.type_name());
}

Config resolve_config(const std::map<std::string, std::string>& flags, const std::string& config_file,
                      const Config* base) {
  Config c = base ? *base : Config{};
  nlohmann::json file = nlohmann::json::object();
  if (!config_file.empty()) file = read_json_file(config_file);
  CMEMS_CHECK(file.is_object(), config_file, ": expected a JSON object of options");
  std::string method = c.run.method;
  if (file.contains("method") && file["method"].is_string()) method = file["method"].get<std::string>();
  auto it = flags.find("method");
  if (it != flags.end() && !it->second.empty()) method = it->second;
  if (!base || method != c.run.method) c.apply_json(method_preset(method).patch, "method preset " + method);
  c.run.method = method;
  if (!config_file.empty()) c.apply_json(file, config_file);
  for (auto& [k, v] : flags)
    if (!v.empty()) c.set(k, v);
  c.validate();
  return c;
}

Config parse_config(const std::string& json_text, const std::string& origin) {
  Config c;
  nlohmann::json j = parse_json(json_text, origin);
  // A run saved before an option existed keeps the behaviour of its time: a key it lacks takes
  // the value that means "as before" rather than today's default (its networks take the slice
  // alone; its labels were not propagated; its strides were given in planes; its predictions
  // were not opened; each class kept its largest component alone, with no step over all
  // classes together; its synthesis pasted the exemplar's structures in their own proportions).
  auto saved = [&](const char* section, const char* key) {
    return j.contains(section) && j[section].is_object() && j[section].contains(key);
  };
  if (!saved("data", "context")) c.data.context = 0;
  if (!saved("data", "propagate_mm")) c.data.propagate_mm = 0;
  if (!saved("data", "propagate_step_mm")) c.data.propagate_step_mm = 0;
  if (!saved("data", "context_mm")) c.data.context_mm = 0;
  if (!saved("infer", "opening")) c.infer.opening = 0;
  if (!saved("infer", "keep_fraction")) c.infer.keep_fraction = 1.0;
  if (!saved("infer", "assembly")) c.infer.assembly = false;
  if (!saved("synthesis", "structure_scale")) c.synthesis.structure_scale = 0;
  // infer.component (one release: largest, or the component touching the other classes) gave
  // way to infer.keep_fraction: "largest" is a fraction of 1; "contact", withdrawn after it lost
  // on val, is read as today's default
  if (saved("infer", "component")) {
    if (j["infer"]["component"] == "contact") c.infer.keep_fraction = InferOptions{}.keep_fraction;
    j["infer"].erase("component");
  }
  c.apply_json(j, origin);
  return c;
}

std::string config_markdown() {
  Config c;
  std::string s = c.options().markdown();
  s += "\n### Method presets\n\n| method | sets | description |\n|---|---|---|\n";
  for (auto& p : method_presets()) s += "| `" + p.name + "` | `" + p.patch.dump() + "` | " + p.description + " |\n";
  return s;
}
}  // namespace cmems
