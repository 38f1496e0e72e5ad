#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "auhead/error.h"
#include "media/image_io.h"
#include "media/media_expect.h"
#include "media/media_test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::media;
using namespace auhead::media::test;

namespace {

// 64x48 BGR image (as OpenCV stores it): left half red, right half blue, a green square.
cv::Mat test_bgr() {
  cv::Mat bgr(48, 64, CV_8UC3, cv::Scalar(0, 0, 255));                       // red
  bgr(cv::Rect(32, 0, 32, 48)).setTo(cv::Scalar(255, 0, 0));                 // blue
  bgr(cv::Rect(8, 8, 16, 16)).setTo(cv::Scalar(0, 255, 0));                  // green
  return bgr;
}

void expect_rgb_near(const cv::Mat& rgb, int x, int y, cv::Vec3b want, int tol) {
  const cv::Vec3b got = rgb.at<cv::Vec3b>(y, x);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], tol) << "pixel " << x << "," << y << " channel " << c;
}

}  // namespace

TEST(MediaImageIo, LoadsPngJpgWebpInRgbOrder) {
  TempDir dir("image_formats");
  for (const char* ext : {".png", ".jpg", ".webp"}) {
    if (!cv::haveImageWriter(std::string("x") + ext)) continue;
    const fs::path file = dir / (std::string("img") + ext);
    ASSERT_TRUE(cv::imwrite(file.string(), test_bgr()));
    const cv::Mat rgb = load_image_rgb(file);
    ASSERT_EQ(rgb.type(), CV_8UC3) << ext;
    ASSERT_EQ(rgb.size(), cv::Size(64, 48)) << ext;
    const int tol = std::string(ext) == ".png" ? 0 : 40;
    expect_rgb_near(rgb, 4, 40, {255, 0, 0}, tol);   // red
    expect_rgb_near(rgb, 50, 24, {0, 0, 255}, tol);  // blue
    expect_rgb_near(rgb, 16, 16, {0, 255, 0}, tol);  // green
  }
}

TEST(MediaImageIo, GreyAndRgbaAreConverted) {
  TempDir dir("image_channels");
  cv::Mat grey(10, 12, CV_8UC1, cv::Scalar(77));
  ASSERT_TRUE(cv::imwrite((dir / "grey.png").string(), grey));
  cv::Mat g = load_image_rgb(dir / "grey.png");
  ASSERT_EQ(g.type(), CV_8UC3);
  expect_rgb_near(g, 3, 3, {77, 77, 77}, 0);

  cv::Mat bgra(10, 12, CV_8UC4, cv::Scalar(255, 0, 0, 255));  // opaque blue
  bgra(cv::Rect(0, 0, 6, 10)).setTo(cv::Scalar(0, 0, 0, 0));  // fully transparent black
  ASSERT_TRUE(cv::imwrite((dir / "rgba.png").string(), bgra));
  cv::Mat a = load_image_rgb(dir / "rgba.png");
  ASSERT_EQ(a.type(), CV_8UC3);
  expect_rgb_near(a, 9, 5, {0, 0, 255}, 0);
  expect_rgb_near(a, 2, 5, {255, 255, 255}, 0);  // composited over white

  cv::Mat deep(10, 12, CV_16UC3, cv::Scalar(0, 65535, 0));
  ASSERT_TRUE(cv::imwrite((dir / "deep.png").string(), deep));
  expect_rgb_near(load_image_rgb(dir / "deep.png"), 1, 1, {0, 255, 0}, 0);
}

TEST(MediaImageIo, BadImages) {
  TempDir dir("image_bad");
  expect_error([&] { load_image_rgb(dir / "missing.png"); }, ExitCode::bad_input, dir / "missing.png", "no such file");
  expect_error([&] { load_image_rgb(dir.path()); }, ExitCode::bad_input, dir.path(), "is a folder");
  write_bytes(dir / "empty.jpg", "");
  expect_error([&] { load_image_rgb(dir / "empty.jpg"); }, ExitCode::bad_input, dir / "empty.jpg", "is empty");
  write_bytes(dir / "text.png", "hello, not a picture\n");
  expect_error([&] { load_image_rgb(dir / "text.png"); }, ExitCode::bad_input, dir / "text.png", "not an image or corrupt");
  write_bytes(dir / "fake.jpg", std::string("\xff\xd8\xff\xe0", 4) + std::string(100, 'x'));
  expect_error([&] { load_image_rgb(dir / "fake.jpg"); }, ExitCode::bad_input, dir / "fake.jpg", "not an image or corrupt");
}

TEST(MediaImageIo, WritePngRoundTripAndErrors) {
  TempDir dir("image_write");
  cv::Mat rgb(20, 30, CV_8UC3, cv::Scalar(10, 200, 30));
  write_png(dir / "out.png", rgb);
  EXPECT_EQ(dir.entries(), 1u);  // no temporary left
  const cv::Mat back = load_image_rgb(dir / "out.png");
  EXPECT_EQ(cv::norm(back, rgb, cv::NORM_INF), 0.0);

  expect_error([&] { write_png(dir / "no-folder" / "x.png", rgb); }, ExitCode::output, dir / "no-folder" / "x.png");
  expect_error([&] { write_png("/proc/auhead-x.png", rgb); }, ExitCode::output, "/proc/auhead-x.png");
  EXPECT_FALSE(fs::exists("/proc/auhead-x.png"));
  EXPECT_EQ(dir.entries(), 1u);
}

// A PNG with a (malformed) ICC profile chunk loads with the same pixels as without it; the chunk is
// dropped before decoding so that libpng has nothing to warn about on stderr.
TEST(MediaImageIo, PngIccProfileIsIgnored) {
  TempDir dir("image_icc");
  std::vector<uchar> png;
  ASSERT_TRUE(cv::imencode(".png", test_bgr(), png));
  // iCCP after IHDR (8-byte signature + 25-byte IHDR chunk): name, NUL, method 0, junk "profile".
  const std::string data = std::string("bogus\0\0", 7) + "not a zlib stream";
  std::vector<uchar> chunk = {0, 0, 0, uchar(data.size()), 'i', 'C', 'C', 'P'};
  chunk.insert(chunk.end(), data.begin(), data.end());
  chunk.insert(chunk.end(), {0, 0, 0, 0});  // CRC (wrong on purpose: the chunk must not be read at all)
  png.insert(png.begin() + 33, chunk.begin(), chunk.end());
  std::ofstream(dir / "icc.png", std::ios::binary).write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
  const cv::Mat rgb = load_image_rgb(dir / "icc.png");
  ASSERT_EQ(rgb.size(), cv::Size(64, 48));
  expect_rgb_near(rgb, 4, 40, {255, 0, 0}, 0);
  expect_rgb_near(rgb, 16, 16, {0, 255, 0}, 0);
}
