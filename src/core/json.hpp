// "Parse this JSON or fail with one line naming the file". Stage: core.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/fs.hpp"

namespace cmems {
/// Parses `text`; throws Error("<origin>: malformed JSON (...)").
nlohmann::json parse_json(const std::string& text, const std::string& origin);
/// Reads and parses a JSON file; throws Error naming the file when it is missing,
/// unreadable or malformed.
nlohmann::json read_json_file(const fs::path& path);
}  // namespace cmems
