#include <gtest/gtest.h>

#include "core/check.hpp"
#include "core/config.hpp"

namespace cmems {

TEST(Config, JsonRoundTripKeepsEveryField) {
  Config a;
  a.syn_outside = "background";
  a.threshold = 0.8;
  a.iterations = 123;
  a.infer_tta = true;
  Config b;
  apply_json(b, to_json(a), "test");
  EXPECT_EQ(to_json(a), to_json(b));
}

TEST(Config, NestedKeysFollowDottedNames) {
  nlohmann::json j = to_json(Config{});
  EXPECT_EQ(j["synthesis"]["outside"], "ignore");
  EXPECT_EQ(j["pseudo"]["threshold"], 0.95);
  EXPECT_EQ(j["batch"]["labeled"], 12);
}

TEST(Config, UnknownKeyIsRejectedWithItsName) {
  Config c;
  try {
    apply_json(c, {{"synthesis", {{"outsde", "x"}}}}, "cfg.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: unknown option 'synthesis.outsde'"), std::string::npos);
  }
}

TEST(Config, WrongTypeIsRejected) {
  Config c;
  EXPECT_THROW(apply_json(c, {{"iterations", "many"}}, "f"), Error);
  EXPECT_THROW(set_field(c, "iterations", "12x"), Error);
  EXPECT_THROW(set_field(c, "no.such", "1"), Error);
}

TEST(Config, RangesAndChoicesAreValidated) {
  Config c;
  c.threshold = 1.5;
  EXPECT_THROW(validate(c), Error);
  c = Config{};
  c.syn_outside = "elsewhere";
  EXPECT_THROW(validate(c), Error);
  c = Config{};
  c.size = 100;  // not a multiple of 16
  EXPECT_THROW(validate(c), Error);
  c = Config{};
  c.models = 1;  // cross terms need two models
  EXPECT_THROW(validate(c), Error);
  EXPECT_NO_THROW(validate(Config{}));
}

TEST(Config, EveryPresetIsValidAndDistinct) {
  std::set<std::string> seen;
  for (auto& p : method_presets()) {
    Config c;
    apply_json(c, p.patch, p.name);
    c.method = p.name;
    EXPECT_NO_THROW(validate(c)) << p.name;
    c.method = "";
    EXPECT_TRUE(seen.insert(to_json(c).dump()).second) << p.name << " duplicates another preset";
  }
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_THROW(method_preset("nope"), Error);
}

TEST(Config, FlagNamesUseDashes) {
  Config c;
  for (auto& f : fields(c))
    if (f.key == "checkpoint_every") EXPECT_EQ(f.flag(), "--checkpoint-every");
}
}  // namespace cmems
