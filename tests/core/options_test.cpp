// The option schema of core/options.hpp on a small options struct of its own.
#include <gtest/gtest.h>

#include "core/check.hpp"
#include "core/options.hpp"

namespace cmems {
namespace {
enum class Mode { Off, Fast };
CMEMS_ENUM_NAMES(Mode, {Mode::Off, "off"}, {Mode::Fast, "fast_path"})

struct Demo {
  int64_t count = 3;
  double rate = 0.5;
  bool on = true;
  std::string name = "x";
  Mode mode = Mode::Off;
  void describe(OptionList& l) {
    l.add("count", count, "how many", 1, 10);
    l.add("rate", rate, "how fast", 0, 1);
    l.add("on", on, "whether");
    l.add("name", name, "what");
    l.add("mode", mode, "which");
  }
};

struct Two {
  Demo top, inner;
  OptionList options() {
    OptionList l;
    top.describe(l);
    inner.describe(l.section("inner"));
    return l;
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Options, KeysFlagsAndNestedJsonFollowTheSections) {
  Two t;
  auto l = t.options();
  ASSERT_EQ(l.items().size(), 10u);
  EXPECT_EQ(l.items()[5].key, "inner.count");
  EXPECT_EQ(l.find("inner.mode").flag(), "--inner.mode");
  EXPECT_EQ(l.find("inner.mode").type_name(), "{off|fast_path}");
  auto j = l.to_json();
  EXPECT_EQ(j["inner"]["mode"], "off");
  EXPECT_EQ(j["count"], 3);
}

TEST(Options, JsonAndFlagsSetTheBoundMembers) {
  Two t;
  auto l = t.options();
  l.apply_json({{"inner", {{"mode", "fast_path"}, {"rate", 0.25}}}, {"name", "y"}}, "f.json");
  EXPECT_EQ(t.inner.mode, Mode::Fast);
  EXPECT_EQ(t.inner.rate, 0.25);
  EXPECT_EQ(t.top.name, "y");
  l.find("on").parse("false");
  l.find("inner.count").parse("7");
  EXPECT_FALSE(t.top.on);
  EXPECT_EQ(t.inner.count, 7);
  Two u;
  u.options().apply_json(l.to_json(), "round trip");
  EXPECT_EQ(u.options().to_json(), l.to_json());
}

TEST(Options, BadValuesNameTheOriginAndTheOptionAndChangeNothing) {
  Two t;
  auto l = t.options();
  EXPECT_EQ(error_of([&] { l.apply_json({{"inner", {{"mode", "slow"}}}}, "f.json"); }),
            "f.json: option --inner.mode: 'slow' is not one of: off, fast_path");
  EXPECT_EQ(error_of([&] { l.apply_json({{"count", 11}}, "f.json"); }),
            "f.json: option --count: 11 is out of range [1, 10]");
  EXPECT_EQ(error_of([&] { l.apply_json({{"count", "many"}}, "f.json"); }),
            "f.json: option --count must be an integer, got \"many\"");
  EXPECT_EQ(error_of([&] { l.apply_json({{"inner", {{"cuont", 2}}}}, "f.json"); }),
            "f.json: unknown option 'inner.cuont' (see `cmems list`)");
  EXPECT_EQ(error_of([&] { l.find("rate").parse("2"); }), "option --rate: 2 is out of range [0, 1]");
  EXPECT_EQ(error_of([&] { l.find("rate").parse("0.5x"); }), "option --rate: not a number: '0.5x'");
  EXPECT_EQ(t.top.count, 3);
  EXPECT_EQ(t.inner.mode, Mode::Off);
  EXPECT_EQ(t.top.rate, 0.5);
}

TEST(Options, CheckFindsValuesSetDirectly) {
  Demo d;
  EXPECT_NO_THROW(check_ranges(d, "demo"));
  d.rate = 1.5;
  EXPECT_EQ(error_of([&] { check_ranges(d, "demo"); }), "option --demo.rate: 1.5 is out of range [0, 1]");
}

TEST(Options, StepAcceptsOnlyMultiplesFromJsonFlagsAndDirectSets) {
  int64_t size = 32;
  OptionList l;
  l.add("size", size, "pixels", 16, 4096, 16);
  EXPECT_EQ(l.find("size").allowed(), "[16, 4096], multiple of 16");
  l.find("size").parse("48");
  EXPECT_EQ(size, 48);
  EXPECT_EQ(error_of([&] { l.find("size").parse("100"); }), "option --size: 100 is not a multiple of 16");
  EXPECT_EQ(error_of([&] { l.apply_json({{"size", 40}}, "f.json"); }),
            "f.json: option --size: 40 is not a multiple of 16");
  EXPECT_EQ(size, 48);
  size = 50;
  EXPECT_EQ(error_of([&] { l.check(); }), "option --size: 50 is not a multiple of 16");
  Demo d;
  OptionList plain;
  d.describe(plain);
  EXPECT_EQ(plain.find("count").allowed(), "[1, 10]");
}

TEST(Options, RestrictedTextAcceptsOnlyItsChoices) {
  std::string method = "a";
  OptionList l;
  l.add("method", method, "which method");
  l.restrict_last({"a", "b"});
  l.find("method").parse("b");
  EXPECT_EQ(method, "b");
  EXPECT_EQ(error_of([&] { l.find("method").parse("c"); }), "option --method: 'c' is not one of: a, b");
  EXPECT_EQ(method, "b");
}

TEST(Options, EnumNamesRoundTrip) {
  EXPECT_EQ(enum_name(Mode::Fast), "fast_path");
  EXPECT_EQ(parse_enum<Mode>("off", "x"), Mode::Off);
  EXPECT_THROW(parse_enum<Mode>("on", "x"), Error);
}
}  // namespace cmems
