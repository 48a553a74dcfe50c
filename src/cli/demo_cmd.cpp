// `cmems demo`: phantom data -> one exemplar -> train -> evaluate -> table, at a CPU-friendly
// preset, into a folder it owns.
#include <cstdio>
#include <unistd.h>

#include "cli/commands.hpp"
#include "core/check.hpp"
#include "core/fs.hpp"
#include "core/progress.hpp"
#include "phantom/phantom.hpp"

namespace cmems {

Runner add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Phantom data -> one exemplar -> train CMEMS -> evaluate -> table. The demo preset (data.size 64, "
      "model.width 8, batches 4 + 4, 1000 iterations) under any option of `cmems train`");
  struct A {
    std::string out = "cmems_demo", config;
    std::map<std::string, std::string> flags;
  };
  auto a = std::make_shared<A>();
  cmd->add_option("--out", a->out, "demo folder (data/, run/, eval.json)")->capture_default_str();
  cmd->add_option("--config", a->config, "JSON file of options (flags override it)");
  add_config_flags(*cmd, a->flags);
  return [a] {
    Progress clock(0, 1, false);
    fs::path root(a->out), marker = root / ".cmems-demo";
    CMEMS_CHECK(!fs::exists(root) || fs::is_empty(root) || fs::exists(marker), a->out,
                ": exists and is not a cmems demo folder; choose another --out");
    fs::remove_all(root / "run");
    fs::create_directories(root);
    write_file_atomic(marker, "cmems demo folder: `cmems demo` may replace its content\n");
    if (!fs::exists(root / "data" / "dataset.json")) {
      std::fprintf(stderr, "cmems demo: writing phantom data to %s\n", (root / "data").c_str());
      fs::remove_all(root / "data");
      fs::create_directories(root / "data");
      write_phantom_dataset((root / "data").string(), PhantomOptions{});
    }
    // The demo preset: CMEMS at a CPU-friendly size (see docs/RESULTS.md for its cost).
    const Config demo = resolve_config({{"data.size", "64"},
                                        {"model.width", "8"},
                                        {"batch.labeled", "4"},
                                        {"batch.unlabeled", "4"},
                                        {"iterations", "1000"},
                                        {"log_every", "10"},
                                        {"checkpoint_every", "100"}},
                                       "");
    const TrainedRun t =
        run_training(resolve_config(a->flags, a->config, &demo), (root / "data").string(), (root / "run").string(), false, false, isatty(2));
    auto ev = evaluate_run((root / "run").string(), (root / "data").string(), "", "");
    write_reports((root / "eval.json").string(), ev);
    std::printf("\nCMEMS demo: %s trained from ONE annotated slice (%s), %lld iterations, %.0f s training\n",
                t.config.run.method.c_str(), t.config.run.exemplar.c_str(), (long long)t.config.run.iterations,
                t.seconds);
    std::printf("%s", evaluation_table(ev).c_str());
    std::printf("run folder: %s\nreport: %s\ntotal time: %s\n", (root / "run").c_str(), (root / "eval.json").c_str(),
                format_duration(clock.seconds()).c_str());
    return 0;
  };
}
}  // namespace cmems
