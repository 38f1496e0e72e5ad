// The zip entry table read before a torch checkpoint is inflated: sizes, names and ratios are checked
// up front (issue #17: decompression bombs, `../` names, directories pointing outside the file).
#include "checkpoint/zip_directory.h"

#include <gtest/gtest.h>

#include <string>

#include "auhead/error.h"

using namespace auhead;

namespace {

void le(std::string& b, uint64_t v, int n) {
  for (int k = 0; k < n; ++k) b.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}

struct FakeEntry {
  std::string name;
  uint16_t method = 0;
  uint32_t compressed = 4, uncompressed = 4;
};

// A zip whose entries hold `compressed` bytes of data each; only the directory is meaningful.
std::string make_zip(const std::vector<FakeEntry>& entries) {
  std::string b, dir;
  for (const auto& e : entries) {
    const uint64_t offset = b.size();
    le(b, 0x04034b50, 4);
    b.append(22, '\0');
    le(b, e.name.size(), 2);
    le(b, 0, 2);
    b += e.name;
    b.append(e.compressed, 'x');
    le(dir, 0x02014b50, 4);
    le(dir, 20, 2);  // made by
    le(dir, 20, 2);  // needed
    le(dir, 0, 2);   // flags
    le(dir, e.method, 2);
    le(dir, 0, 4);   // time, date
    le(dir, 0, 4);   // crc
    le(dir, e.compressed, 4);
    le(dir, e.uncompressed, 4);
    le(dir, e.name.size(), 2);
    le(dir, 0, 2);
    le(dir, 0, 2);
    le(dir, 0, 2);
    le(dir, 0, 2);
    le(dir, 0, 4);
    le(dir, offset, 4);
    dir += e.name;
  }
  const uint64_t dir_offset = b.size();
  b += dir;
  le(b, 0x06054b50, 4);
  le(b, 0, 4);
  le(b, entries.size(), 2);
  le(b, entries.size(), 2);
  le(b, dir.size(), 4);
  le(b, dir_offset, 4);
  le(b, 0, 2);
  return b;
}

std::string error_of(const std::string& zip) {
  try {
    read_zip_directory(reinterpret_cast<const unsigned char*>(zip.data()), zip.size(), "ckpt.pth");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ZipDirectory, ReadsNamesAndSizes) {
  const std::string zip = make_zip({{"archive/data.pkl", 0, 10, 10}, {"archive/data/0", 8, 100, 300}});
  auto entries = read_zip_directory(reinterpret_cast<const unsigned char*>(zip.data()), zip.size(), "ckpt.pth");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "archive/data.pkl");
  EXPECT_EQ(entries[1].method, 8);
  EXPECT_EQ(entries[1].uncompressed_size, 300u);
}

TEST(ZipDirectory, RefusesBombsUnsafeNamesAndBrokenDirectories) {
  // 100 bytes that claim to inflate to 1 GiB.
  EXPECT_NE(error_of(make_zip({{"archive/data.pkl", 8, 100, 1u << 30}})).find("decompression bomb"), std::string::npos);
  EXPECT_NE(error_of(make_zip({{"../../etc/passwd", 0, 4, 4}})).find("unsafe name"), std::string::npos);
  EXPECT_NE(error_of(make_zip({{"archive/../x", 0, 4, 4}})).find("unsafe name"), std::string::npos);
  EXPECT_NE(error_of(make_zip({{"/abs", 0, 4, 4}})).find("unsafe name"), std::string::npos);
  EXPECT_NE(error_of(make_zip({{"a", 0, 4, 8}})).find("two sizes"), std::string::npos);
  EXPECT_NE(error_of(make_zip({{"a", 12, 4, 4}})).find("compression method 12"), std::string::npos);
  EXPECT_NE(error_of("PK\x03\x04 short").find("shorter than its end record"), std::string::npos);
  EXPECT_NE(error_of(std::string(100, 'x')).find("no end-of-directory record"), std::string::npos);
  // An entry count larger than the directory can hold.
  std::string zip = make_zip({{"a", 0, 4, 4}});
  zip[zip.size() - 12] = '\x7f';  // entries on this disk / total: low byte of the total
  zip[zip.size() - 14] = '\x7f';
  EXPECT_NE(error_of(zip).find("entries claimed"), std::string::npos) << error_of(zip);
  // A directory offset past the end of the file.
  zip = make_zip({{"a", 0, 4, 4}});
  zip[zip.size() - 4] = '\x7f';
  EXPECT_NE(error_of(zip).find("outside the file"), std::string::npos) << error_of(zip);
  // Every message is one line naming the file.
  EXPECT_EQ(error_of(make_zip({{"/abs", 0, 4, 4}})).rfind("ckpt.pth: ", 0), 0u);
}
