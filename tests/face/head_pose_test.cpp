// Similarity fitting and Euler angles on synthetic points (no models needed).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include <filesystem>
#include <fstream>

#include "auhead/error.h"
#include "face/canonical_face.h"
#include "face/face_analyzer.h"
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

TEST(FaceCanonical, LoadsMediaPipeGeometryAndRejectsGarbage) {
  namespace fs = std::filesystem;
  fs::path bad = fs::temp_directory_path() / "auhead_bad_geometry.binarypb";
  std::ofstream(bad, std::ios::binary) << "\x0a\xff\xff\xff\x0f garbage";
  try {
    CanonicalFace::load(bad);
    ADD_FAILURE() << "garbage accepted";
  } catch (const auhead::Error& e) {
    EXPECT_EQ(e.code(), auhead::ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos);
  }
  fs::remove(bad);

  fs::path real = default_face_models_dir() / "geometry_pipeline_metadata_landmarks.binarypb";
  if (!fs::exists(real)) GTEST_SKIP() << real << " missing (run scripts/setup.sh)";
  CanonicalFace cf = CanonicalFace::load(real);
  ASSERT_EQ(cf.vertices.size(), 468u);
  EXPECT_EQ(cf.triangles.size(), 898u);
  EXPECT_EQ(cf.procrustes_weights.size(), 33u);
  // Frame: the subject's right eye corner (33) on the viewer's left, nose tip toward the viewer,
  // chin (152) below the forehead (10).
  EXPECT_LT(cf.vertices[33].x, 0);
  EXPECT_NEAR(cf.vertices[33].x, -cf.vertices[263].x, 1e-4);
  EXPECT_GT(cf.vertices[1].z, cf.vertices[33].z);
  EXPECT_LT(cf.vertices[152].y, cf.vertices[10].y);
}
