#include "checkpoint/zip_directory.h"

#include <algorithm>

#include "auhead/error.h"

namespace auhead {

namespace {

uint64_t le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(p[k]) << (8 * k);
  return v;
}

constexpr uint32_t kEndSignature = 0x06054b50, kEnd64Signature = 0x06064b50, kLocator64Signature = 0x07064b50,
                   kEntrySignature = 0x02014b50;

}  // namespace

std::vector<ZipEntry> read_zip_directory(const unsigned char* data, std::size_t size, const std::string& source,
                                         const ZipLimits& limits) {
  const auto fail = [&](const std::string& what) -> void { throw input_error(source, "corrupt zip archive: " + what); };
  if (size < 22) fail("shorter than its end record");
  // End of central directory: 22 bytes plus a comment of up to 65535 bytes, searched from the end.
  std::size_t end = size;  // offset of the end record; size = not found
  const std::size_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
  for (std::size_t k = size - 22 + 1; k-- > lowest;)
    if (le(data + k, 4) == kEndSignature) {
      end = k;
      break;
    }
  if (end == size) fail("no end-of-directory record");
  uint64_t count = le(data + end + 10, 2);
  uint64_t dir_size = le(data + end + 12, 4);
  uint64_t dir_offset = le(data + end + 16, 4);
  if (count == 0xffff || dir_size == 0xffffffff || dir_offset == 0xffffffff) {  // zip64
    if (end < 20 || le(data + end - 20, 4) != kLocator64Signature) fail("zip64 locator missing");
    const uint64_t end64 = le(data + end - 20 + 8, 8);
    if (end64 > size || size - end64 < 56 || le(data + end64, 4) != kEnd64Signature) fail("bad zip64 end record");
    count = le(data + end64 + 32, 8);
    dir_size = le(data + end64 + 40, 8);
    dir_offset = le(data + end64 + 48, 8);
  }
  if (dir_offset > size || dir_size > size - dir_offset) fail("central directory lies outside the file");
  if (count > limits.max_entries || count > dir_size / 46)
    fail(std::to_string(count) + " entries claimed (limit " + std::to_string(limits.max_entries) + ")");
  const uint64_t max_total = limits.max_total_uncompressed ? limits.max_total_uncompressed
                                                           : 64 * static_cast<uint64_t>(size) + (1u << 20);
  std::vector<ZipEntry> entries;
  entries.reserve(count);
  uint64_t total = 0;
  std::size_t p = dir_offset;
  const std::size_t dir_end = dir_offset + dir_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (dir_end - p < 46 || le(data + p, 4) != kEntrySignature) fail("bad central directory entry");
    ZipEntry e;
    e.method = static_cast<uint16_t>(le(data + p + 10, 2));
    e.compressed_size = le(data + p + 20, 4);
    e.uncompressed_size = le(data + p + 24, 4);
    const std::size_t name_len = le(data + p + 28, 2), extra_len = le(data + p + 30, 2),
                      comment_len = le(data + p + 32, 2);
    uint64_t local_offset = le(data + p + 42, 4);
    if (dir_end - p - 46 < name_len + extra_len + comment_len) fail("central directory entry runs past its end");
    e.name.assign(reinterpret_cast<const char*>(data + p + 46), name_len);
    // zip64 extended information: the fields that read 0xffffffff follow in this order.
    const unsigned char* x = data + p + 46 + name_len;
    for (std::size_t q = 0; q + 4 <= extra_len;) {
      const uint64_t id = le(x + q, 2), len = le(x + q + 2, 2);
      if (q + 4 + len > extra_len) fail("bad extra field in entry " + std::to_string(i));
      if (id == 1) {
        std::size_t r = q + 4;
        const auto take = [&](uint64_t& field) {
          if (field != 0xffffffff) return;
          if (r + 8 > q + 4 + len) fail("short zip64 field in entry " + std::to_string(i));
          field = le(x + r, 8);
          r += 8;
        };
        take(e.uncompressed_size);
        take(e.compressed_size);
        take(local_offset);
      }
      q += 4 + len;
    }
    if (e.name.empty() || e.name.front() == '/' || e.name.find('\\') != std::string::npos ||
        e.name.find('\0') != std::string::npos || e.name == ".." || e.name.rfind("../", 0) == 0 ||
        e.name.find("/../") != std::string::npos || (e.name.size() >= 3 && e.name.ends_with("/..")))
      fail("entry " + std::to_string(i) + " has an unsafe name");
    if (local_offset > size || e.compressed_size > size - local_offset)
      fail("entry " + e.name + " reaches past the end of the file");
    if (e.method == 0 && e.uncompressed_size != e.compressed_size) fail("stored entry " + e.name + " has two sizes");
    if (e.method != 0 && e.method != 8) fail("entry " + e.name + " uses compression method " + std::to_string(e.method));
    if (e.method == 8 && e.uncompressed_size > (1u << 20) &&
        static_cast<double>(e.uncompressed_size) > limits.max_ratio * std::max<double>(1.0, static_cast<double>(e.compressed_size)))
      fail("entry " + e.name + " expands " + std::to_string(e.compressed_size) + " bytes to " +
           std::to_string(e.uncompressed_size) + " (more than " + std::to_string(static_cast<int>(limits.max_ratio)) +
           ":1; a decompression bomb?)");
    e.local_header_offset = local_offset;
    total += e.uncompressed_size;
    if (total > max_total) fail("entries expand to more than " + std::to_string(max_total) + " bytes");
    entries.push_back(std::move(e));
    p += 46 + name_len + extra_len + comment_len;
  }
  return entries;
}

std::string stored_entry_bytes(const unsigned char* data, std::size_t size, const ZipEntry& e) {
  const uint64_t at = e.local_header_offset;
  if (e.method != 0 || at > size || size - at < 30 || le(data + at, 4) != 0x04034b50) return {};
  const uint64_t start = at + 30 + le(data + at + 26, 2) + le(data + at + 28, 2);
  if (start > size || e.compressed_size > size - start) return {};
  return std::string(reinterpret_cast<const char*>(data + start), e.compressed_size);
}

}  // namespace auhead
