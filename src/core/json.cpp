#include "core/json.hpp"

#include "core/check.hpp"

namespace cmems {
nlohmann::json parse_json(const std::string& text, const std::string& origin) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    CMEMS_FAIL(origin, ": malformed JSON (", e.what(), ")");
  }
}

nlohmann::json read_json_file(const fs::path& path) { return parse_json(read_file(path), path.string()); }
}  // namespace cmems
