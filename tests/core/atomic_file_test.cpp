#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "auhead/error.h"
#include "core/atomic_file.h"

namespace fs = std::filesystem;
using namespace auhead;

TEST(AtomicFile, UncommittedLeavesNothing) {
  fs::path dir = fs::temp_directory_path() / "auhead_atomic_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    AtomicFile f(dir / "out.txt");
    std::ofstream(f.temp_path()) << "partial";
  }
  EXPECT_TRUE(fs::is_empty(dir));
  write_text_file_atomic(dir / "out.txt", "whole");
  EXPECT_EQ(read_text_file(dir / "out.txt"), "whole");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(AtomicFile, MissingFolderIsOutputError) {
  try {
    AtomicFile f("/nonexistent-folder-xyz/out.mp4");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::output);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder-xyz/out.mp4"), std::string::npos);
  }
}

TEST(ReadTextFile, MissingFileNamesTheFile) {
  try {
    read_text_file("/no/such/file.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_EQ(std::string(e.what()), "/no/such/file.json: no such file");
  }
}
