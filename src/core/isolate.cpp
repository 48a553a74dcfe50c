#include "core/isolate.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstring>

#include "core/check.hpp"

// Sanitizer runtimes (fuzz and sanitizer builds) define this; elsewhere it is null.
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace cmems {
namespace {
extern "C" void child_died() { ::_exit(86); }

// A crash inside the child is the outcome run_isolated() reports, not a finding of the
// host's crash handlers (a fuzzer's, a sanitizer's): the child dies plainly.
void plain_crashes_in_child() {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(child_died);
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t k = ::write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k, n -= size_t(k);
  }
  return true;
}
}  // namespace

std::string run_isolated(const std::function<std::string()>& fn, const std::string& what,
                         const std::string& crash_message) {
  int fds[2];
  CMEMS_CHECK(::pipe(fds) == 0, what, ": cannot create a pipe: ", std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]), ::close(fds[1]);
    CMEMS_FAIL(what, ": cannot fork: ", std::strerror(errno));
  }
  if (pid == 0) {  // child: run, send 'O'+bytes or 'E'+message, leave without cleanup
    ::close(fds[0]);
    plain_crashes_in_child();
    int devnull = ::open("/dev/null", O_WRONLY);  // libraries' own stderr chatter is not ours to show
    if (devnull >= 0) ::dup2(devnull, 2);
    std::string out;
    try {
      out = "O" + fn();
    } catch (const Error& e) {
      out = std::string("E") + e.what();
    } catch (const std::exception& e) {
      out = "E" + what + ": " + e.what();
    }
    bool ok = write_all(fds[1], out.data(), out.size());
    ::close(fds[1]);
    ::_exit(ok ? 0 : 3);
  }
  ::close(fds[1]);
  std::string got;
  char buf[1 << 16];
  for (;;) {
    ssize_t k = ::read(fds[0], buf, sizeof buf);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    got.append(buf, size_t(k));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  CMEMS_CHECK(clean && !got.empty(), what, ": ", crash_message);
  if (got[0] == 'E') throw Error(got.substr(1));
  return got.substr(1);
}
}  // namespace cmems
