// Running a third-party reader in a child process, so that a crash inside it on a malformed
// file becomes a clear error instead of taking the tool down. nifti_clib 3.0.1 and HDF5
// 1.10.8 both crash on some malformed inputs (found by fuzz/); every file they open goes
// through here. Stage: core.
#pragma once
#include <functional>
#include <string>

namespace cmems {

/// Runs `fn` in a forked child and returns the bytes it returned. A cmems::Error thrown in
/// the child is rethrown here with its message; a child that crashes or exits otherwise
/// gives Error("<what>: <crash_message>").
std::string run_isolated(const std::function<std::string()>& fn, const std::string& what,
                         const std::string& crash_message);
}  // namespace cmems
