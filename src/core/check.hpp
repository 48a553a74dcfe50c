// Errors with context. Library code throws cmems::Error; only cli/ catches it,
// prints one line and sets the exit code. Stage: core (no dependencies).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace cmems {

/// The one exception type of the project: its message is a complete, user-facing line
/// (it names the file or option and the problem).
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
template <class... A>
std::string cat(const A&... a) {
  std::ostringstream s;
  (s << ... << a);
  return s.str();
}
}  // namespace detail

}  // namespace cmems

/// Throws cmems::Error with the concatenated message when `cond` is false.
#define CMEMS_CHECK(cond, ...)                                   \
  do {                                                           \
    if (!(cond)) throw ::cmems::Error(::cmems::detail::cat(__VA_ARGS__)); \
  } while (0)
#define CMEMS_FAIL(...) throw ::cmems::Error(::cmems::detail::cat(__VA_ARGS__))
