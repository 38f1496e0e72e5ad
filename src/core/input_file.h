// Checks every reader makes before a library sees a path: the file exists, is a regular file (not a
// folder, FIFO, socket or device, which could block or never end) and can be read, so that these
// cases get clear one-line messages naming the file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace auhead {

// Throws auhead::input_error: "no such file", "is a folder, not a file", "is not a regular file (a
// FIFO, socket or device)", "cannot read: <reason>". Returns the file's size in bytes.
std::uintmax_t check_input_file(const std::filesystem::path& file);

// Reads a whole file after check_input_file; one larger than `max_bytes` is refused before reading
// (text inputs: AU files, configs, tokenizers; README, Hostile input).
constexpr std::uintmax_t kMaxTextFileBytes = 256ull << 20;
std::string read_input_file(const std::filesystem::path& file, std::uintmax_t max_bytes = kMaxTextFileBytes);

}  // namespace auhead
