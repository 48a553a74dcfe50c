#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "test_util.hpp"

namespace cmems {

TEST(WriteFileAtomic, ReplacesTheFileWhole) {
  test::TempDir d;
  write_file_atomic(d.path / "f", "one");
  write_file_atomic(d.path / "f", "two");
  EXPECT_EQ(read_file(d.path / "f"), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(d.path), fs::directory_iterator()), 1);  // no temporaries left
}

TEST(WriteFileAtomic, AFailedWriteKeepsThePreviousFile) {
  // Simulate a full disk: a file-size limit makes write() fail with EFBIG.
  test::TempDir d;
  write_file_atomic(d.path / "ckpt", "previous good checkpoint");
  struct rlimit old {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  try {
    write_file_atomic(d.path / "ckpt", std::string(1 << 20, 'x'));
  } catch (const Error& e) {
    threw = true;
    EXPECT_NE(std::string(e.what()).find("previous file is kept"), std::string::npos) << e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw);
  EXPECT_EQ(read_file(d.path / "ckpt"), "previous good checkpoint");
  EXPECT_EQ(std::distance(fs::directory_iterator(d.path), fs::directory_iterator()), 1);
}

TEST(PrepareOutputDir, RefusesNonEmptyFoldersUnlessForced) {
  test::TempDir d;
  write_file_atomic(d.path / "x", "keep me");
  EXPECT_THROW(prepare_output_dir(d.path, false), Error);
  EXPECT_NO_THROW(prepare_output_dir(d.path, true));
  EXPECT_NO_THROW(prepare_output_dir(d.path, false, true));
  EXPECT_EQ(read_file(d.path / "x"), "keep me");
  EXPECT_NO_THROW(prepare_output_dir(d.path / "new" / "sub", false));
  EXPECT_TRUE(fs::is_directory(d.path / "new" / "sub"));
}

TEST(PathIsWithin, DetectsNestedPaths) {
  EXPECT_TRUE(path_is_within("/a/b/c", "/a/b"));
  EXPECT_TRUE(path_is_within("/a/b", "/a/b"));
  EXPECT_FALSE(path_is_within("/a/bc", "/a/b"));
  EXPECT_FALSE(path_is_within("/x", "/a"));
}
}  // namespace cmems
