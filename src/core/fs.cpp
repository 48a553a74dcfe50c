#include "core/fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/check.hpp"

namespace cmems {

void write_file_atomic(const fs::path& path, const std::string& bytes) {
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CMEMS_CHECK(fd >= 0, path.string(), ": cannot write: ", std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      CMEMS_FAIL(path.string(), ": write failed (", std::strerror(err),
                 "); the previous file is kept");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    CMEMS_FAIL(path.string(), ": flush failed (", std::strerror(err), "); the previous file is kept");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp);
    CMEMS_FAIL(path.string(), ": rename failed (", ec.message(), "); the previous file is kept");
  }
}

std::string read_file(const fs::path& path) {
  require_exists(path, "file");
  std::ifstream in(path, std::ios::binary);
  CMEMS_CHECK(in.good(), path.string(), ": cannot open for reading");
  std::ostringstream s;
  s << in.rdbuf();
  CMEMS_CHECK(!in.bad(), path.string(), ": read error");
  return s.str();
}

void prepare_output_dir(const fs::path& dir, bool force, bool resume) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    CMEMS_CHECK(fs::is_directory(dir, ec), dir.string(), ": exists and is not a folder");
    bool empty = fs::directory_iterator(dir, ec) == fs::directory_iterator();
    CMEMS_CHECK(empty || force || resume, dir.string(),
                ": output folder is not empty (use --force to write into it anyway",
                resume ? "" : ", or --resume for a run folder", ")");
    return;
  }
  fs::create_directories(dir, ec);
  CMEMS_CHECK(!ec, dir.string(), ": cannot create folder: ", ec.message());
}

bool path_is_within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  fs::path a = fs::weakly_canonical(inner, ec);
  fs::path b = fs::weakly_canonical(outer, ec);
  auto ai = a.begin();
  for (auto bi = b.begin(); bi != b.end(); ++bi, ++ai) {
    if (bi->empty()) continue;
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

void require_exists(const fs::path& path, const std::string& what) {
  std::error_code ec;
  CMEMS_CHECK(fs::exists(path, ec), path.string(), ": ", what, " does not exist");
}

}  // namespace cmems
