// Landmark image and AU region maps: sizes, colours per part, 2-px lines, masks scaled by intensity
// and placed over their region.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "geometry/au_basis.h"
#include "geometry/au_deformer.h"
#include "geometry/au_region_maps.h"
#include "geometry/geometry_test_util.h"
#include "geometry/landmark_image.h"

namespace auhead::geometry {
namespace {

using test::sample_portrait;

int count_colour(const cv::Mat& img, cv::Vec3b c) {
  int n = 0;
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) n += img.at<cv::Vec3b>(y, x) == c;
  return n;
}

TEST(GeometryLandmarkImage, DrawsEveryPartInItsColourOnBlack) {
  const auto* p = sample_portrait();
  if (!p) GTEST_SKIP() << "face models or sample portrait missing";
  cv::Size size(256, 256);
  auto t = face_crop_transform(p->face.landmarks, size);
  cv::Mat img = draw_landmark_image(p->face.landmarks, t, size);
  ASSERT_EQ(img.type(), CV_8UC3);
  ASSERT_EQ(img.size(), size);
  EXPECT_EQ(img.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
  for (const auto& part : face_parts()) EXPECT_GT(count_colour(img, part.rgb), 10) << part.name;
  // The face fits inside the crop: nothing drawn on the border rows.
  for (int x = 0; x < size.width; ++x) {
    EXPECT_EQ(img.at<cv::Vec3b>(0, x), cv::Vec3b(0, 0, 0));
    EXPECT_EQ(img.at<cv::Vec3b>(size.height - 1, x), cv::Vec3b(0, 0, 0));
  }
  // Lines are about 2 px wide: the oval's drawn area ≈ 2 × its length.
  double len = 0;
  const auto& oval = face_parts()[0].polylines[0];
  for (size_t i = 0; i < oval.size(); ++i) {
    cv::Point3f a = p->face.landmarks[oval[i]], b = p->face.landmarks[oval[(i + 1) % oval.size()]];
    len += cv::norm(cv::Point2f(a.x - b.x, a.y - b.y)) * t(0, 0);
  }
  cv::Mat grey;
  cv::cvtColor(img, grey, cv::COLOR_RGB2GRAY);
  double ink = cv::sum(grey)[0] / 255.0;
  EXPECT_GT(ink, 1.0 * len);
}

TEST(GeometryLandmarkImage, TransformsMapTheFaceIntoTheFrame) {
  cv::Matx23d t = fit_image_transform(cv::Size(200, 100), cv::Size(100, 100));
  EXPECT_DOUBLE_EQ(t(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(t(1, 2), 25);
  std::vector<cv::Point3f> lm = {{10, 20, 0}, {30, 60, 0}};
  cv::Matx23d c = face_crop_transform(lm, cv::Size(80, 80), 2.0);
  EXPECT_DOUBLE_EQ(c(0, 0), 1.0);  // side 2 × 40 = 80 px
  EXPECT_DOUBLE_EQ(c(0, 0) * 20 + c(0, 2), 40);  // centre → centre
  EXPECT_DOUBLE_EQ(c(1, 1) * 40 + c(1, 2), 40);
}

TEST(GeometryRegionMaps, MasksFollowIntensityAndRegion) {
  const auto* p = sample_portrait();
  if (!p) GTEST_SKIP() << "face models or sample portrait missing";
  AuDeformer deformer(p->face, p->canonical, AuBasis::standard());
  AuRegionMapper mapper(deformer);
  ASSERT_EQ(mapper.channels(), 8);
  cv::Size size(128, 128);
  auto t = face_crop_transform(p->face.landmarks, size);
  auto zero = mapper.render(AuFrame{}, p->face.landmarks, t, size);
  ASSERT_EQ(int(zero.size()), 8);
  for (const auto& m : zero) {
    EXPECT_EQ(m.type(), CV_32F);
    EXPECT_EQ(cv::countNonZero(m), 0);
  }
  int jaw = *find_au("jaw_drop"), brow = *find_au("brow_raise_left");
  auto group_of = [&](const char* name) {
    for (int g = 0; g < mapper.channels(); ++g)
      if (mapper.names()[g] == name) return g;
    return -1;
  };
  AuFrame a{};
  a[jaw] = 0.5f;
  a[brow] = 1.0f;
  auto lm = deformer.deform(a);
  auto maps = mapper.render(a, lm, t, size);
  double mx;
  cv::minMaxLoc(maps[group_of("jaw")], nullptr, &mx);
  EXPECT_NEAR(mx, 0.5, 0.05);
  cv::minMaxLoc(maps[group_of("brows")], nullptr, &mx);
  EXPECT_NEAR(mx, 1.0, 0.05);
  cv::minMaxLoc(maps[group_of("eyes")], nullptr, &mx);
  EXPECT_EQ(mx, 0.0);
  // The jaw mask sits at the chin, the brow mask over the subject's left brow (viewer's right).
  auto at = [&](int g, int v) {
    cv::Point2d q(t(0, 0) * lm[v].x + t(0, 2), t(1, 1) * lm[v].y + t(1, 2));
    return maps[g].at<float>(int(q.y), int(q.x));
  };
  EXPECT_GT(at(group_of("jaw"), 17), 0.2f);
  EXPECT_EQ(at(group_of("jaw"), 10), 0.f);
  EXPECT_GT(at(group_of("brows"), 334), 0.5f);
  EXPECT_EQ(at(group_of("brows"), 105), 0.f);
  cv::Mat colour = AuRegionMapper::colorize(maps);
  EXPECT_EQ(colour.type(), CV_8UC3);
  EXPECT_EQ(colour.size(), size);
}

}  // namespace
}  // namespace auhead::geometry
