// The option schema: each stage declares its options struct (defaults on the fields) and a
// describe(OptionList&) that names every field after its JSON key, with help, range or
// enum choices. One list then drives JSON I/O, CLI flags, range checks, `cmems list` and
// docs/config.md, so a key, its flag and its member cannot drift apart: the member
// `synthesis.outside` is SynthOptions::outside, its flag --synthesis.outside.
// Modes are enum classes; the names JSON and flags use sit beside each enum:
//   enum class Mode { Off, Fast };
//   CMEMS_ENUM_NAMES(Mode, {Mode::Off, "off"}, {Mode::Fast, "fast"})
// Stage: core (torch-free).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/check.hpp"

namespace cmems {

template <class E>
using EnumNames = std::vector<std::pair<E, const char*>>;

/// Declares enum_names(E) (found by argument-dependent lookup) with the given
/// {value, "name"} pairs, in the namespace of E.
#define CMEMS_ENUM_NAMES(E, ...)                                 \
  inline const ::cmems::EnumNames<E>& enum_names(E) {            \
    static const ::cmems::EnumNames<E> names{__VA_ARGS__};       \
    return names;                                                \
  }

/// The name of an enum value (enum_names found by argument-dependent lookup).
template <class E>
std::string enum_name(E v) {
  for (auto& [e, n] : enum_names(E{}))
    if (e == v) return n;
  return "?";
}

/// Every name of an enum, in declaration order.
template <class E>
std::vector<std::string> enum_choices() {
  std::vector<std::string> out;
  for (auto& [e, n] : enum_names(E{})) out.push_back(n);
  return out;
}

/// Parses an enum value; throws "<origin>: 'x' is not one of: a, b".
template <class E>
E parse_enum(const std::string& text, const std::string& origin) {
  std::string all;
  for (auto& [e, n] : enum_names(E{})) {
    if (text == n) return e;
    all += (all.empty() ? "" : ", ") + std::string(n);
  }
  CMEMS_FAIL(origin, ": '", text, "' is not one of: ", all);
}

/// "ORIGIN: option --FLAG", or "option --FLAG" when `origin` (the file a value came from)
/// is empty: how messages about an option's value begin.
std::string option_origin(const std::string& origin, const std::string& flag);

/// One option: its full key (as in config.json), help, what it accepts, and access to the
/// field it is bound to.
struct Option {
  enum class Kind { Int, Real, Bool, Text, Choice };
  std::string key, help;
  Kind kind = Kind::Text;
  std::vector<std::string> choices;  // Choice: the enum's names
  double min = -1e300, max = 1e300;  // Int, Real
  int64_t step = 1;                  // Int: values must be multiples of it
  std::function<nlohmann::json()> get;
  /// Sets the field from a JSON value of the right type; throws naming `origin` (the file,
  /// or "" for a flag) and the option on a wrong type, an out-of-range number or an
  /// unknown choice.
  std::function<void(const nlohmann::json&, const std::string& origin)> set;

  /// "--" + key with '_' -> '-'.
  std::string flag() const;
  /// INT, FLOAT, BOOL, TEXT or {a|b|c}.
  std::string type_name() const;
  /// What the help tables show: a range (and step), the choices, or true/false.
  std::string allowed() const;
  /// Sets the field from a flag's text.
  void parse(const std::string& text) const;
  /// Throws when the field's current value is out of range.
  void check() const;
};

/// The options of one or more stages; section() sets the key prefix of what follows.
class OptionList {
 public:
  OptionList& section(std::string prefix);
  /// An integer in [lo, hi]; with `step`, a multiple of it.
  void add(const char* name, int64_t& v, const char* help, double lo, double hi, int64_t step = 1);
  void add(const char* name, double& v, const char* help, double lo, double hi);
  void add(const char* name, bool& v, const char* help);
  void add(const char* name, std::string& v, const char* help);
  template <class E>
  void add(const char* name, E& v, const char* help) {
    Option o = base(name, help, Option::Kind::Choice);
    o.choices = enum_choices<E>();
    o.get = [&v] { return nlohmann::json(enum_name(v)); };
    o.set = [&v, flag = o.flag()](const nlohmann::json& j, const std::string& origin) {
      CMEMS_CHECK(j.is_string(), option_origin(origin, flag), " must be a string, got ", j.dump());
      v = parse_enum<E>(j.get<std::string>(), option_origin(origin, flag));
    };
    items_.push_back(std::move(o));
  }

  /// Limits the last added text option to `choices` (names known only at run time, such
  /// as the method presets).
  void restrict_last(std::vector<std::string> choices);

  const std::vector<Option>& items() const { return items_; }
  /// The option with this key; throws "unknown option 'k' (see `cmems list`)", after
  /// `origin: ` when given.
  const Option& find(const std::string& key, const std::string& origin = "") const;

  /// Nested JSON ({"synthesis": {"outside": ...}} for key "synthesis.outside").
  nlohmann::json to_json() const;
  /// Applies a (possibly partial) nested JSON object; throws naming `origin` and the key on
  /// an unknown key or a bad value.
  void apply_json(const nlohmann::json& j, const std::string& origin) const;
  /// Range checks of every field (the current values).
  void check() const;
  /// The option table of docs/config.md.
  std::string markdown() const;

 private:
  Option base(const char* name, const char* help, Option::Kind kind) const;
  std::string prefix_;
  std::vector<Option> items_;
};

/// Range checks of one stage's options struct (anything with describe(OptionList&)),
/// its keys under `section` (as the composed configuration names them).
template <class T>
void check_ranges(const T& options, const std::string& section) {
  T copy = options;
  OptionList l;
  l.section(section);
  copy.describe(l);
  l.check();
}
}  // namespace cmems
