// Checks shared by the media readers before a library sees a path: the file exists, is a file
// (not a folder) and can be read, so that these cases get clear messages naming the file.
#pragma once
#include <cstdint>
#include <filesystem>

namespace auhead::media {

// Throws auhead::input_error: "no such file", "is a folder, not a file", "cannot read: <reason>".
// Returns the file's size in bytes.
std::uintmax_t check_input_file(const std::filesystem::path& file);

}  // namespace auhead::media
