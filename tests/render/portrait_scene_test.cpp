// Where the portrait sits in the frame (render/portrait_scene.h), shared by the warp renderer, the
// diffusion renderer and the evaluator: the framing, the one coordinate convention (continuous, pixel
// centres at +0.5) and the head's pivot and width.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "render/portrait_scene.h"

namespace auhead::render {
namespace {

TEST(PortraitScene, SlidesInsideThePhotoAndMapsLandmarks) {
  cv::Mat img(100, 80, CV_8UC3, cv::Scalar(10, 20, 30));
  img(cv::Rect(0, 0, 80, 1)).setTo(cv::Scalar(200, 0, 0));
  std::vector<cv::Point2f> lm = {{30, 10}, {50, 40}};  // box 20 × 30 near the top
  Framing f = frame_portrait(img, lm, 64);
  EXPECT_EQ(f.image.size(), cv::Size(64, 64));
  // The crop (66 px, centred 4.4 px above the top edge) slides down into the photo: no padding,
  // the photo's top row is the frame's.
  EXPECT_NEAR(f.map({0, 0}).y, 0, 1e-6);
  EXPECT_GT(f.image.at<cv::Vec3b>(0, 32)[0], 150);
  cv::Point2f c = f.map({40, 25});
  EXPECT_NEAR(c.x, 32, 1.5);
  EXPECT_NEAR(f.scale, 64.0 / std::lround(30 * 2.2), 1e-9);
}

TEST(PortraitScene, ATightPhotoIsFramedCloserAndItsPaddingHasNoStreaks) {
  // A face that fills a 60 × 60 photo, with sharp vertical stripes along the photo's top edge.
  cv::Mat img(60, 60, CV_8UC3, cv::Scalar(120, 100, 90));
  for (int x = 0; x < 60; x += 4) img(cv::Rect(x, 0, 2, 6)).setTo(cv::Scalar(250, 250, 250));
  std::vector<cv::Point2f> lm = {{12, 10}, {48, 50}};  // box 36 × 40
  Framing f = frame_portrait(img, lm, 128);
  // Not 2.2 × 40 = 88 px of which a third is padding: 60 px, the photo's own size.
  EXPECT_NEAR(f.scale, 128.0 / 60, 0.05);
  // Still too tight for 1.45 ×: what padding remains is smooth far from the photo's edge.
  Framing g = frame_portrait(img, {{2, 2}, {58, 58}}, 128);
  const float photo_top = g.map({0, 0}).y;
  ASSERT_GT(photo_top, 12.f);
  cv::Mat band = g.image(cv::Rect(0, 0, 128, std::max(1, int(photo_top) - 10))), grey, dx;
  cv::cvtColor(band, grey, cv::COLOR_RGB2GRAY);
  cv::Sobel(grey, dx, CV_32F, 1, 0);
  double lo, hi;
  cv::minMaxLoc(cv::abs(dx), &lo, &hi);
  EXPECT_LT(hi, 80) << "the stripes are repeated upward as streaks";  // replicated: several hundred
}

TEST(PortraitScene, ContinuousCoordinatesAndPixelCentresNameTheSamePixel) {
  // One bright pixel in a photo framed at its own size (no scaling): the continuous point at its
  // centre maps to the centre of the frame pixel that shows it, and pixel_centre() gives its index.
  cv::Mat img(64, 64, CV_8UC3, cv::Scalar(20, 20, 20));
  img.at<cv::Vec3b>(37, 21) = cv::Vec3b(255, 255, 255);
  const std::vector<cv::Point2f> box = {{0, 0}, {64, 64}};
  FramingOptions o;
  o.face_scale = o.min_face_scale = 1.0;
  o.center_down = 0;
  const Framing f = frame_portrait(img, box, 64, o);
  ASSERT_NEAR(f.scale, 1.0, 1e-9);
  cv::Point peak;
  cv::Mat grey;
  cv::cvtColor(f.image, grey, cv::COLOR_RGB2GRAY);
  cv::minMaxLoc(grey, nullptr, nullptr, nullptr, &peak);
  const cv::Point2f centre = f.map({21.5f, 37.5f});
  EXPECT_NEAR(centre.x, peak.x + 0.5, 1e-4);
  EXPECT_NEAR(centre.y, peak.y + 0.5, 1e-4);
  const cv::Point2f index = pixel_centre(centre);
  EXPECT_NEAR(index.x, peak.x, 1e-4);
  EXPECT_NEAR(index.y, peak.y, 1e-4);
}

TEST(PortraitScene, PivotInTheNeckBehindTheFace) {
  cv::Mat img(200, 160, CV_8UC3, cv::Scalar(90, 80, 70));
  // A "face": four points spanning 40 × 50 px, at depth 2 (mesh units, scaled like x and y).
  const std::vector<cv::Point3f> face = {{60, 70, 2}, {100, 70, 2}, {60, 120, 2}, {100, 120, 2}};
  const PortraitScene s = place_portrait(img, face, 128);
  ASSERT_EQ(s.face.size(), face.size());
  for (std::size_t i = 0; i < face.size(); ++i) {
    const cv::Point2f q = s.framing.map({face[i].x, face[i].y});
    EXPECT_FLOAT_EQ(s.face[i].x, q.x);
    EXPECT_FLOAT_EQ(s.face[i].y, q.y);
  }
  const float k = float(s.framing.scale);
  EXPECT_NEAR(s.face_width, 40 * k, 1e-3);
  EXPECT_NEAR(s.pivot.x, (s.face[0].x + s.face[1].x) / 2, 1e-3);
  EXPECT_NEAR(s.pivot.y, s.face[0].y + 0.8f * 50 * k, 1e-3);
  EXPECT_NEAR(s.pivot.z, 2 * k + 0.65f * 40 * k, 1e-3);
  // In pixel-centre coordinates the pivot is the same point, half a pixel up and left.
  const cv::Point3f c = pixel_centre(s.pivot);
  EXPECT_FLOAT_EQ(c.x, s.pivot.x - 0.5f);
  EXPECT_FLOAT_EQ(c.y, s.pivot.y - 0.5f);
  EXPECT_FLOAT_EQ(c.z, s.pivot.z);
}

}  // namespace
}  // namespace auhead::render
