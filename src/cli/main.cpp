// cmems: one-shot (exemplar) medical image segmentation with CMEMS.
#include <c10/util/Exception.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "core/check.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "cmems: train a segmentation model from ONE annotated slice plus unlabeled scans\n"
      "(CMEMS, AISTATS 2024), then segment new scans with it."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cmems 0.1.0");
  std::vector<std::pair<CLI::App*, cmems::Runner>> cmds;
  auto add = [&](const char* name, cmems::Runner (*f)(CLI::App&)) {
    auto r = f(app);
    cmds.emplace_back(app.get_subcommand(name), r);
  };
  add("demo", cmems::add_demo);
  add("phantom", cmems::add_phantom);
  add("prepare", cmems::add_prepare);
  add("train", cmems::add_train);
  add("evaluate", cmems::add_evaluate);
  add("predict", cmems::add_predict);
  add("qc-merge", cmems::add_qc_merge);
  add("suggest", cmems::add_suggest);
  add("synth", cmems::add_synth);
  add("report", cmems::add_report);
  add("bench", cmems::add_bench);
  add("list", cmems::add_list);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "cmems: error: %s (see --help)\n", e.what());
    return 1;
  }
  try {
    for (auto& [cmd, run] : cmds)
      if (cmd->parsed()) return run();
  } catch (const cmems::Error& e) {
    std::fprintf(stderr, "cmems: error: %s\n", e.what());
    return 1;
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    std::fprintf(stderr, "cmems: error: %s\n", msg.substr(0, msg.find('\n')).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cmems: error: %s\n", e.what());
    return 1;
  }
  return 1;
}
