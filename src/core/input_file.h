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

// Whether something exists at `path`, without throwing: a path that cannot be examined (no
// permission on a folder above it) counts as absent, and the reader's own check then names it.
bool path_exists(const std::filesystem::path& path) noexcept;

// Once a front end calls protect_inputs() (the CLI does, at start-up: one process is one run), every
// file that passes check_input_file is remembered (device and inode), and no output of the run may
// be written over it (AtomicFile refuses such a target). Off by default: a long-lived process that
// embeds the library decides for itself what a run is.
void protect_inputs();
bool is_input_of_this_run(const std::filesystem::path& file);

// Reads a whole file after check_input_file; one larger than `max_bytes` is refused before reading
// (text inputs: AU files, configs, tokenizers; README, Hostile input).
constexpr std::uintmax_t kMaxTextFileBytes = 256ull << 20;
std::string read_input_file(const std::filesystem::path& file, std::uintmax_t max_bytes = kMaxTextFileBytes);

}  // namespace auhead
