// Shared assertion for media tests: an auhead::Error with a given code, one line, naming the file.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "auhead/error.h"

namespace auhead::media::test {

template <class F>
void expect_error(F&& f, ExitCode code, const std::filesystem::path& file, const std::string& text = "") {
  try {
    f();
    ADD_FAILURE() << "no error for " << file;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), code) << msg;
    EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(text), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

}  // namespace auhead::media::test
