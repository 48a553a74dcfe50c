// The composed configuration (cli/config.hpp): every stage's options under its section.
#include <gtest/gtest.h>

#include <set>

#include "cli/config.hpp"
#include "core/check.hpp"
#include "methods/presets.hpp"

namespace cmems {

TEST(Config, JsonRoundTripKeepsEveryField) {
  Config a;
  a.synthesis.outside = SynthOutside::Background;
  a.pseudo.threshold = 0.8;
  a.run.iterations = 123;
  a.infer.tta = true;
  Config b;
  b.apply_json(a.to_json(), "test");
  EXPECT_EQ(a.to_json(), b.to_json());
  EXPECT_EQ(b.synthesis.outside, SynthOutside::Background);
}

TEST(Config, MembersAreNamedAfterTheirKeys) {
  Config c;
  nlohmann::json j = c.to_json();
  EXPECT_EQ(j["synthesis"]["outside"], "ignore");
  EXPECT_EQ(j["pseudo"]["threshold"], 0.9);
  EXPECT_EQ(j["batch"]["labeled"], 12);
  EXPECT_EQ(j["iterations"], 30000);
  c.set("synthesis.outside", "cross_pseudo");
  c.set("batch.labeled", "3");
  c.set("loss.rampup", "0.5");
  EXPECT_EQ(c.synthesis.outside, SynthOutside::CrossPseudo);
  EXPECT_EQ(c.batch.labeled, 3);
  EXPECT_EQ(c.loss.rampup, 0.5);
}

TEST(Config, UnknownKeyIsRejectedWithItsName) {
  Config c;
  try {
    c.apply_json({{"synthesis", {{"outsde", "x"}}}}, "cfg.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: unknown option 'synthesis.outsde'"), std::string::npos);
  }
}

TEST(Config, WrongTypeIsRejected) {
  Config c;
  EXPECT_THROW(c.apply_json({{"iterations", "many"}}, "f"), Error);
  EXPECT_THROW(c.set("iterations", "12x"), Error);
  EXPECT_THROW(c.set("no.such", "1"), Error);
  EXPECT_THROW(c.set("synthesis.outside", "elsewhere"), Error);
  EXPECT_THROW(c.set("method", "nope"), Error);
}

TEST(Config, RangesAndCrossStageRulesAreValidated) {
  Config c;
  c.pseudo.threshold = 1.5;
  EXPECT_THROW(c.validate(), Error);
  c = Config{};
  c.data.size = 100;  // not a multiple of 16
  EXPECT_THROW(c.validate(), Error);
  c = Config{};
  c.models = 1;  // cross terms need two models
  EXPECT_THROW(c.validate(), Error);
  c = Config{};
  c.synthesis.scale_min = 2, c.synthesis.scale_max = 1;
  EXPECT_THROW(c.validate(), Error);
  EXPECT_NO_THROW(Config{}.validate());
}

TEST(Config, EveryPresetIsValidAndDistinct) {
  std::set<std::string> seen;
  for (auto& p : method_presets()) {
    Config c;
    c.apply_json(p.patch, p.name);
    c.run.method = p.name;
    EXPECT_NO_THROW(c.validate()) << p.name;
    c.run.method = "cmems";
    EXPECT_TRUE(seen.insert(c.to_json().dump()).second) << p.name << " duplicates another preset";
  }
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_THROW(method_preset("nope"), Error);
}

TEST(Config, PrecedenceIsDefaultsPresetFileFlags) {
  Config c = resolve_config({{"method", "unimatch"}, {"pseudo.threshold", "0.7"}}, "");
  EXPECT_EQ(c.run.method, "unimatch");
  EXPECT_EQ(c.models, 1);          // from the preset
  EXPECT_EQ(c.ip.views, 2);            // from the preset
  EXPECT_EQ(c.pseudo.threshold, 0.7);  // from the flag
  EXPECT_EQ(c.optim.lr, 0.01);         // the default
}

// The configuration files the README points users to resolve and validate, for every method,
// with a flag still above the file.
TEST(Config, ShippedConfigFilesResolveForEveryMethod) {
  const std::string dir = std::string(CMEMS_SOURCE_DIR) + "/configs/";
  for (const char* name : {"cpu.json", "acdc_short.json", "acdc_paper.json"}) {
    SCOPED_TRACE(name);
    for (const auto& p : method_presets()) EXPECT_NO_THROW(resolve_config({{"method", p.name}}, dir + name));
  }
  // the CPU preset keeps the largest components at inference (chosen on val, docs/RESULTS.md);
  // the results table's runs pin it off for their training curves (scripts/acdc_cpu_queue.sh)
  EXPECT_TRUE(resolve_config({}, dir + "cpu.json").infer.lcc);
  EXPECT_FALSE(resolve_config({{"infer.lcc", "false"}}, dir + "cpu.json").infer.lcc);
}

// The baselines' objectives, as their code writes them. L_ip is the mean over a model's strong
// views (ImagePerturbation test: two views are averaged), so a view's weight is lambda / views.
TEST(Config, BaselinePresetsKeepTheirPublishedWeights) {
  // UniMatch: (L_x + L_s1/4 + L_s2/4 + L_fp/2) / 2, no ramp-up
  Config u = resolve_config({{"method", "unimatch"}}, "");
  EXPECT_EQ(u.loss.sup_weight, 0.5);
  EXPECT_EQ(u.ip.views, 2);
  EXPECT_DOUBLE_EQ(u.ip.lambda / double(u.ip.views), 0.25 / 2);
  EXPECT_EQ(u.fp.lambda, 0.5 / 2);
  EXPECT_EQ(u.loss.rampup, 0.0);
  // FixMatch: L_x + L_s, no ramp-up
  Config f = resolve_config({{"method", "fixmatch"}}, "");
  EXPECT_EQ(f.loss.sup_weight, 1.0);
  EXPECT_EQ(f.ip.views, 1);
  EXPECT_EQ(f.ip.lambda, 1.0);
  EXPECT_EQ(f.loss.rampup, 0.0);
}

TEST(Config, FlagNamesUseDashesAndEveryKeyHasOneOption) {
  Config c;
  std::set<std::string> keys;
  const OptionList options = c.options();
  for (auto& o : options.items()) {
    EXPECT_TRUE(keys.insert(o.key).second) << o.key;
    if (o.key == "checkpoint_every") EXPECT_EQ(o.flag(), "--checkpoint-every");
  }
  EXPECT_EQ(keys.size(), 89u);  // 75 + snapshot_every, perf.producer, infer.amp, perf.cuda_graph (issue 34), data.propagate_mm, data.propagate_step_mm, data.context, data.context_stride, data.context_mm, infer.opening, infer.keep_fraction, synthesis.structure_scale, infer.assembly, pseudo.agree (issue 33)
}

// A run saved before the plane options existed is read as it was trained: its networks take the
// slice alone, its labels were not propagated, its predictions were not opened and kept each
// class's largest component alone and its synthesis kept the exemplar's proportions, whatever
// today's defaults are.
TEST(Config, ARunSavedBeforeThePlaneOptionsKeepsItsBehaviour) {
  Config today;
  ASSERT_GT(today.data.context, 0);
  ASSERT_GT(today.data.propagate_mm, 0);
  ASSERT_GT(today.infer.opening, 0);
  ASSERT_LT(today.infer.keep_fraction, 1.0);
  ASSERT_GT(today.synthesis.structure_scale, 0);
  ASSERT_TRUE(today.infer.assembly);
  Config old = parse_config(R"({"method": "cmems", "data": {"size": 64}})", "old config.json");
  EXPECT_EQ(old.data.size, 64);
  EXPECT_EQ(old.data.context, 0);
  EXPECT_EQ(old.data.propagate_mm, 0);
  EXPECT_EQ(old.data.context_mm, 0);
  EXPECT_EQ(old.data.propagate_step_mm, 0);
  EXPECT_EQ(old.infer.opening, 0);
  EXPECT_EQ(old.infer.keep_fraction, 1.0);
  EXPECT_EQ(old.synthesis.structure_scale, 0);
  EXPECT_FALSE(old.infer.assembly);
  // a run that saved them keeps what it saved
  Config kept = parse_config(today.to_json().dump(), "today's config.json");
  EXPECT_EQ(kept.data.context, today.data.context);
  EXPECT_EQ(kept.data.propagate_mm, today.data.propagate_mm);
  EXPECT_EQ(kept.data.context_mm, today.data.context_mm);
  EXPECT_EQ(kept.data.propagate_step_mm, today.data.propagate_step_mm);
  EXPECT_EQ(kept.infer.opening, today.infer.opening);
  EXPECT_EQ(kept.infer.keep_fraction, today.infer.keep_fraction);
  EXPECT_EQ(kept.synthesis.structure_scale, today.synthesis.structure_scale);
  EXPECT_EQ(kept.infer.assembly, today.infer.assembly);
}

// infer.component, the option infer.keep_fraction replaced: a run that saved "largest" keeps the
// largest alone, one that saved the withdrawn "contact" is read with today's default.
TEST(Config, ARunSavedWithInferComponentStillLoads) {
  Config largest = parse_config(R"({"method": "cmems", "infer": {"component": "largest", "lcc": true}})", "a");
  EXPECT_EQ(largest.infer.keep_fraction, 1.0);
  EXPECT_TRUE(largest.infer.lcc);
  Config contact = parse_config(R"({"method": "cmems", "infer": {"component": "contact"}})", "b");
  EXPECT_EQ(contact.infer.keep_fraction, InferOptions{}.keep_fraction);
}
}  // namespace cmems
