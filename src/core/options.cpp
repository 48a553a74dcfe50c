#include "core/options.hpp"

#include <sstream>

namespace cmems {
using nlohmann::json;

std::string option_origin(const std::string& origin, const std::string& flag) {
  return (origin.empty() ? "" : origin + ": ") + "option " + flag;
}

namespace {
json::json_pointer pointer_of(const std::string& key) {
  std::string p = "/" + key;
  for (auto& ch : p)
    if (ch == '.') ch = '/';
  return json::json_pointer(p);
}

void flatten(const json& j, const std::string& prefix, std::vector<std::pair<std::string, json>>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) flatten(*it, key, out);
    else out.emplace_back(key, *it);
  }
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void check_range(const Option& o, double v, const std::string& origin) {
  CMEMS_CHECK(v >= o.min && v <= o.max && v == v, option_origin(origin, o.flag()), ": ", number_text(v),
              " is out of range [", number_text(o.min), ", ", number_text(o.max), "]");
  CMEMS_CHECK(o.kind != Option::Kind::Int || int64_t(v) % o.step == 0, option_origin(origin, o.flag()), ": ",
              number_text(v), " is not a multiple of ", o.step);
}
}  // namespace

std::string Option::flag() const {
  std::string f = "--" + key;
  for (auto& ch : f)
    if (ch == '_') ch = '-';
  return f;
}

std::string Option::type_name() const {
  switch (kind) {
    case Kind::Int: return "INT";
    case Kind::Real: return "FLOAT";
    case Kind::Bool: return "BOOL";
    case Kind::Text: return "TEXT";
    case Kind::Choice: break;
  }
  std::string s;
  for (auto& c : choices) s += (s.empty() ? "{" : "|") + c;
  return s + "}";
}

std::string Option::allowed() const {
  switch (kind) {
    case Kind::Int:
    case Kind::Real:
      if (max > 1e299) return "";
      return "[" + number_text(min) + ", " + number_text(max) + "]" +
             (step > 1 ? ", multiple of " + std::to_string(step) : "");
    case Kind::Bool: return "true, false";
    case Kind::Text: return "";
    case Kind::Choice: break;
  }
  std::string s;
  for (auto& c : choices) s += (s.empty() ? "" : ", ") + c;
  return s;
}

void Option::parse(const std::string& text) const {
  const std::string origin = "option " + flag();
  json v;
  try {
    size_t used = 0;
    switch (kind) {
      case Kind::Int:
        v = std::stoll(text, &used);
        CMEMS_CHECK(used == text.size(), origin, ": not an integer: '", text, "'");
        break;
      case Kind::Real:
        v = std::stod(text, &used);
        CMEMS_CHECK(used == text.size(), origin, ": not a number: '", text, "'");
        break;
      case Kind::Bool:
        CMEMS_CHECK(text == "true" || text == "false" || text == "1" || text == "0", origin,
                    ": expected true or false, got '", text, "'");
        v = text == "true" || text == "1";
        break;
      case Kind::Text:
      case Kind::Choice: v = text; break;
    }
  } catch (const std::invalid_argument&) {
    CMEMS_FAIL(origin, ": cannot parse '", text, "'");
  } catch (const std::out_of_range&) {
    CMEMS_FAIL(origin, ": value out of range: '", text, "'");
  }
  set(v, "");
}

void Option::check() const {
  if (kind == Kind::Int || kind == Kind::Real) check_range(*this, get().get<double>(), "");
}

OptionList& OptionList::section(std::string prefix) {
  prefix_ = std::move(prefix);
  return *this;
}

Option OptionList::base(const char* name, const char* help, Option::Kind kind) const {
  Option o;
  o.key = prefix_.empty() ? name : prefix_ + "." + name;
  o.help = help;
  o.kind = kind;
  return o;
}

void OptionList::add(const char* name, int64_t& v, const char* help, double lo, double hi, int64_t step) {
  CMEMS_CHECK(step >= 1, "option ", name, ": step ", step, " must be at least 1");
  Option o = base(name, help, Option::Kind::Int);
  o.min = lo, o.max = hi, o.step = step;
  o.get = [&v] { return json(v); };
  o.set = [&v, o](const json& j, const std::string& origin) {
    int64_t x = 0;
    if (j.is_number_integer()) x = j.get<int64_t>();
    else if (j.is_number_float() && j.get<double>() == double(int64_t(j.get<double>()))) x = int64_t(j.get<double>());
    else CMEMS_FAIL(option_origin(origin, o.flag()), " must be an integer, got ", j.dump());
    check_range(o, double(x), origin);
    v = x;
  };
  items_.push_back(std::move(o));
}

void OptionList::add(const char* name, double& v, const char* help, double lo, double hi) {
  Option o = base(name, help, Option::Kind::Real);
  o.min = lo, o.max = hi;
  o.get = [&v] { return json(v); };
  o.set = [&v, o](const json& j, const std::string& origin) {
    CMEMS_CHECK(j.is_number(), option_origin(origin, o.flag()), " must be a number, got ", j.dump());
    check_range(o, j.get<double>(), origin);
    v = j.get<double>();
  };
  items_.push_back(std::move(o));
}

void OptionList::add(const char* name, bool& v, const char* help) {
  Option o = base(name, help, Option::Kind::Bool);
  o.get = [&v] { return json(v); };
  o.set = [&v, flag = o.flag()](const json& j, const std::string& origin) {
    CMEMS_CHECK(j.is_boolean(), option_origin(origin, flag), " must be true or false, got ", j.dump());
    v = j.get<bool>();
  };
  items_.push_back(std::move(o));
}

void OptionList::add(const char* name, std::string& v, const char* help) {
  Option o = base(name, help, Option::Kind::Text);
  o.get = [&v] { return json(v); };
  o.set = [&v, flag = o.flag()](const json& j, const std::string& origin) {
    CMEMS_CHECK(j.is_string(), option_origin(origin, flag), " must be a string, got ", j.dump());
    v = j.get<std::string>();
  };
  items_.push_back(std::move(o));
}

void OptionList::restrict_last(std::vector<std::string> choices) {
  Option& o = items_.back();
  o.kind = Option::Kind::Choice;
  o.choices = std::move(choices);
  o.set = [set = o.set, choices = o.choices, flag = o.flag()](const json& j, const std::string& origin) {
    std::string all;
    bool known = !j.is_string();  // a wrong type is reported by `set`
    for (auto& c : choices) {
      known = known || j.get<std::string>() == c;
      all += (all.empty() ? "" : ", ") + c;
    }
    CMEMS_CHECK(known, option_origin(origin, flag), ": '", j.get<std::string>(), "' is not one of: ", all);
    set(j, origin);
  };
}

const Option& OptionList::find(const std::string& key, const std::string& origin) const {
  for (auto& o : items_)
    if (o.key == key) return o;
  CMEMS_FAIL(origin, origin.empty() ? "" : ": ", "unknown option '", key, "' (see `cmems list`)");
}

json OptionList::to_json() const {
  json j = json::object();
  for (auto& o : items_) j[pointer_of(o.key)] = o.get();
  return j;
}

void OptionList::apply_json(const json& j, const std::string& origin) const {
  CMEMS_CHECK(j.is_object(), origin, ": expected a JSON object of options");
  std::vector<std::pair<std::string, json>> leaves;
  flatten(j, "", leaves);
  for (auto& [key, value] : leaves) find(key, origin).set(value, origin);
}

void OptionList::check() const {
  for (auto& o : items_) o.check();
}

std::string OptionList::markdown() const {
  std::ostringstream s;
  s << "| key | flag | default | allowed | meaning [source] |\n|---|---|---|---|---|\n";
  for (auto& o : items_)
    s << "| `" << o.key << "` | `" << o.flag() << "` | `" << o.get().dump() << "` | " << o.allowed() << " | " << o.help
      << " |\n";
  return s.str();
}
}  // namespace cmems
