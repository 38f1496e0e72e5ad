// The entry table of a zip archive (names and sizes from its central directory), read before a torch
// checkpoint's records are inflated, so that decompression bombs and odd names are refused up front.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace auhead {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;            // 0 stored, 8 deflated
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
};

// Limits on what a checkpoint archive may hold (README: Hostile input).
struct ZipLimits {
  uint64_t max_entries = 1'000'000;
  double max_ratio = 200.0;                 // uncompressed / compressed, for deflated entries
  uint64_t max_total_uncompressed = 0;      // 0: 64 × the archive's size + 1 MiB
};

// Reads the central directory of the zip in `data` (the whole file) and checks every entry against
// `limits`: sizes within the archive, no absolute or `..` names, no extreme compression ratio. Throws
// input_error(source, ...) naming the first problem.
std::vector<ZipEntry> read_zip_directory(const unsigned char* data, std::size_t size, const std::string& source,
                                         const ZipLimits& limits = {});

// The bytes of a stored (method 0) entry, checked to lie inside `data`; empty when the entry is
// compressed or its local header is bad.
std::string stored_entry_bytes(const unsigned char* data, std::size_t size, const ZipEntry& entry);

}  // namespace auhead
