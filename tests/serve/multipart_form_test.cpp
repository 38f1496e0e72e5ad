// multipart/form-data: what a client writes (write_multipart_form) the service reads back
// (parse_multipart_form) part for part, binary data included; what it refuses.
#include <gtest/gtest.h>

#include "auhead/error.h"
#include "serve/multipart_form.h"

namespace auhead::serve {
namespace {

TEST(MultipartForm, WhatIsWrittenIsReadBack) {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += char(i);
  binary += "\r\n--not the boundary\r\n";
  const std::string body = write_multipart_form(
      {{"audio", {"a.wav", "audio/wav", binary}}, {"options", {"", "", R"({"size": 128})"}}}, "b0und4ry");
  auto parts = parse_multipart_form("multipart/form-data; boundary=b0und4ry", body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts["audio"].filename, "a.wav");
  EXPECT_EQ(parts["audio"].content_type, "audio/wav");
  EXPECT_EQ(parts["audio"].data, binary);
  EXPECT_EQ(parts["options"].filename, "");
  EXPECT_EQ(parts["options"].content_type, "");
  EXPECT_EQ(parts["options"].data, R"({"size": 128})");
}

TEST(MultipartForm, RefusesWhatIsNotAForm) {
  const std::string one = write_multipart_form({{"a", {"", "", "x"}}}, "bb");
  EXPECT_THROW(parse_multipart_form("application/json", one), Error);
  EXPECT_THROW(parse_multipart_form("multipart/form-data", one), Error);  // no boundary
  EXPECT_THROW(parse_multipart_form("multipart/form-data; boundary=bb",
                                    write_multipart_form({{"a", {"", "", "x"}}, {"a", {"", "", "y"}}}, "bb")),
               Error);  // a field twice
  EXPECT_THROW(parse_multipart_form("multipart/form-data; boundary=bb", write_multipart_form({{"", {"", "", "x"}}}, "bb")),
               Error);  // no name
}

}  // namespace
}  // namespace auhead::serve
