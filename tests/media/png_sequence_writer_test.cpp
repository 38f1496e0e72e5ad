#include <gtest/gtest.h>

#include "auhead/error.h"
#include "media/image_io.h"
#include "media/media_expect.h"
#include "media/media_test_util.h"
#include "media/png_sequence_writer.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::media;
using namespace auhead::media::test;

namespace {
cv::Mat solid(int r, int g, int b) { return cv::Mat(8, 10, CV_8UC3, cv::Scalar(r, g, b)); }
}  // namespace

TEST(MediaPngSequence, WritesNumberedFramesOnFinish) {
  TempDir dir("png_seq");
  const fs::path out = dir / "nested" / "frames";  // parent folders are created
  {
    PngSequenceWriter writer(out);
    writer.write(solid(255, 0, 0));
    writer.write(solid(0, 255, 0));
    writer.write(solid(0, 0, 255));
    EXPECT_FALSE(fs::exists(out));
    writer.finish();
    EXPECT_EQ(writer.frames_written(), 3);
  }
  ASSERT_TRUE(fs::is_directory(out));
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 3);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "nested"), fs::directory_iterator()), 1);  // no temporaries
  const cv::Mat first = load_image_rgb(out / "frame_000000.png");
  EXPECT_EQ(first.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 0));
  EXPECT_EQ(load_image_rgb(out / "frame_000002.png").at<cv::Vec3b>(7, 9), cv::Vec3b(0, 0, 255));

  // A second run replaces the earlier sequence as a whole.
  {
    PngSequenceWriter writer(out);
    writer.write(solid(1, 2, 3));
    writer.finish();
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "nested"), fs::directory_iterator()), 1);
}

TEST(MediaPngSequence, NoFinishLeavesNothing) {
  TempDir dir("png_seq_nofinish");
  {
    PngSequenceWriter writer(dir / "frames");
    writer.write(solid(9, 9, 9));
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(MediaPngSequence, OutputErrors) {
  TempDir dir("png_seq_bad");
  write_bytes(dir / "file", "x");
  expect_error([&] { PngSequenceWriter w(dir / "file"); }, ExitCode::output, dir / "file", "not a folder");
  fs::create_directories(dir / "mine");
  write_bytes(dir / "mine" / "notes.txt", "keep me");
  expect_error([&] { PngSequenceWriter w(dir / "mine"); }, ExitCode::output, dir / "mine", "not replacing");
  expect_error([&] { PngSequenceWriter w(dir / "file" / "frames"); }, ExitCode::output, dir / "file" / "frames");
  expect_error([&] { PngSequenceWriter w("/proc/auhead-frames/x"); }, ExitCode::output, "/proc/auhead-frames/x");
  EXPECT_EQ(dir.entries(), 2u);
  PngSequenceWriter w(dir / "frames");
  EXPECT_THROW(w.write(cv::Mat(4, 4, CV_8UC4)), Error);
}
