// Runs a call with the process's stderr sent to a temporary file: libpng and libjpeg print their own
// lines there while decoding or encoding ("Premature end of JPEG file", "libpng error: Write Error"),
// which would break auhead's one-line errors and ignore --quiet. Returns the first line they printed
// (empty: none). Process-wide (file descriptor 2): for calls made while no other thread prints.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <string>

namespace auhead {

template <class F>
std::string with_stderr_captured(F&& call) {
  std::fflush(stderr);
  FILE* sink = std::tmpfile();
  const int saved = sink ? ::dup(2) : -1;
  if (saved < 0) {
    if (sink) std::fclose(sink);
    call();
    return {};
  }
  ::dup2(::fileno(sink), 2);
  try {
    call();
  } catch (...) {
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::fclose(sink);
    throw;
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string text(512, '\0');
  std::rewind(sink);
  text.resize(std::fread(text.data(), 1, text.size(), sink));
  std::fclose(sink);
  return text.substr(0, text.find('\n'));
}

}  // namespace auhead
