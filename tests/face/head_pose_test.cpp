// Similarity fitting and Euler angles on synthetic points (no models needed).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "face/head_pose.h"

using namespace auhead::face;

namespace {
cv::Matx33d rot_x(double a) { return {1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a)}; }
cv::Matx33d rot_y(double a) { return {std::cos(a), 0, std::sin(a), 0, 1, 0, -std::sin(a), 0, std::cos(a)}; }
cv::Matx33d rot_z(double a) { return {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1}; }
const cv::Matx33d kFlip(1, 0, 0, 0, -1, 0, 0, 0, -1);
constexpr double kRad = std::numbers::pi / 180.0;
}  // namespace

TEST(FaceHeadPose, FitRecoversASimilarity) {
  std::mt19937 rng(3);
  std::normal_distribution<double> n(0, 5);
  Similarity3 truth;
  truth.scale = 12.5;
  truth.rotation = rot_z(0.3) * rot_y(-0.4) * rot_x(0.2);
  truth.translation = cv::Vec3d(250, 240, -10);
  std::vector<cv::Point3d> from, to;
  std::vector<double> w;
  for (int i = 0; i < 40; ++i) {
    from.emplace_back(n(rng), n(rng), n(rng));
    to.push_back(truth.apply(from.back()));
    w.push_back(1.0 + i % 3);
  }
  Similarity3 s = fit_similarity(from, to, w);
  EXPECT_NEAR(s.scale, truth.scale, 1e-9);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.translation[i], truth.translation[i], 1e-7);
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(s.rotation(i, j), truth.rotation(i, j), 1e-9);
  }
  cv::Point3d back = s.invert(to[5]);
  EXPECT_NEAR(back.x, from[5].x, 1e-9);
  EXPECT_NEAR(back.z, from[5].z, 1e-9);
}

TEST(FaceHeadPose, EulerAnglesAndSigns) {
  // In canonical axes (x right, y up, z toward the viewer): R = Rz(roll)·Ry(yaw)·Rx(-pitch).
  double yaw = 20, pitch = 10, roll = -15;
  cv::Matx33d r_canon = rot_z(roll * kRad) * rot_y(yaw * kRad) * rot_x(-pitch * kRad);
  HeadPose p = pose_from_rotation(kFlip * r_canon * kFlip);
  EXPECT_NEAR(p.yaw, yaw, 1e-9);
  EXPECT_NEAR(p.pitch, pitch, 1e-9);
  EXPECT_NEAR(p.roll, roll, 1e-9);
  // Yaw > 0 moves the nose (canonical +z) toward the viewer's right (+x).
  cv::Vec3d nose = rot_y(yaw * kRad) * cv::Vec3d(0, 0, 1);
  EXPECT_GT(nose[0], 0);
  // Roll > 0 is counter-clockwise in the image: the image-axes rotation turns +x toward -y (up).
  HeadPose only_roll = pose_from_rotation(kFlip * rot_z(10 * kRad) * kFlip);
  EXPECT_NEAR(only_roll.roll, 10, 1e-9);
  cv::Vec3d x_img = (kFlip * rot_z(10 * kRad) * kFlip) * cv::Vec3d(1, 0, 0);
  EXPECT_LT(x_img[1], 0);
}
