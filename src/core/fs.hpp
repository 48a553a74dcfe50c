// Filesystem helpers that keep the "nothing overwritten or lost" rule: atomic writes
// (temporary file, flush, fsync, rename) and output-folder guards. Stage: core.
#pragma once
#include <filesystem>
#include <string>

namespace cmems {
namespace fs = std::filesystem;

/// Writes `bytes` to `path` atomically: a temporary sibling is written, flushed, fsynced
/// and renamed over `path`. On any failure the previous `path` is untouched and Error is
/// thrown naming the file.
void write_file_atomic(const fs::path& path, const std::string& bytes);

/// Reads a whole file; throws Error naming the file when it is missing or unreadable.
std::string read_file(const fs::path& path);

/// Prepares an output folder: creates it when absent; throws when it exists, is not
/// empty and neither `force` nor `resume` is set.
void prepare_output_dir(const fs::path& dir, bool force, bool resume = false);

/// True when `inner` is `outer` or lies inside it (after resolving both).
bool path_is_within(const fs::path& inner, const fs::path& outer);

/// Throws Error("<what>: <path>: does not exist") when the path is missing.
void require_exists(const fs::path& path, const std::string& what);
}  // namespace cmems
