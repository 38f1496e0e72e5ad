// The warp renderer's parts: the mesh and its dense map, head motion (the framing: tests/render/portrait_scene_test.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"
#include "render/warp/head_motion.h"
#include "render/warp/meeting_line.h"
#include "render/warp/mesh_warper.h"
#include "render/warp/light_cast.h"
#include "render/portrait_scene.h"
#include "render/warp/mouth_interior.h"
#include "render/warp/warp_mesh.h"
#include "render/warp/warp_test_util.h"

namespace auhead::render::warp {
namespace {

// A synthetic "face": a grid of points in a disc, Delaunay-triangulated, as the face mesh.
struct Synthetic {
  std::vector<cv::Point2f> face;
  std::vector<std::array<int, 3>> tris;
};

Synthetic synthetic_face(int size) {
  Synthetic s;
  cv::Subdiv2D sub(cv::Rect(0, 0, size, size));
  for (int k = 0; k < 40; ++k) {
    double a = 2 * CV_PI * k / 40;
    for (double r : {0.1, 0.2, 0.3})
      s.face.emplace_back(float(size / 2 + r * size * std::cos(a)), float(size / 2 + r * size * std::sin(a)));
  }
  s.face.emplace_back(size / 2.f, size / 2.f);
  for (auto& p : s.face) sub.insert(p);
  std::vector<cv::Vec6f> list;
  sub.getTriangleList(list);
  for (auto& v : list) {
    std::array<int, 3> t;
    bool ok = true;
    for (int j = 0; j < 3; ++j) {
      auto it = std::find(s.face.begin(), s.face.end(), cv::Point2f(v[2 * j], v[2 * j + 1]));
      if (it == s.face.end()) ok = false;
      else t[j] = int(it - s.face.begin());
    }
    if (ok) s.tris.push_back(t);
  }
  return s;
}

TEST(WarpMesh, CoversTheWholeFrameAndIdentityIsExact) {
  const int size = 128;
  Synthetic s = synthetic_face(size);
  WarpMesh m = build_warp_mesh(s.face, s.tris, size);
  EXPECT_EQ(m.face_points, int(s.face.size()));
  // Every pixel lies in some triangle.
  cv::Mat cover(size, size, CV_8U, cv::Scalar(0));
  for (const auto& t : m.triangles) {
    std::vector<cv::Point> tri;
    for (int i : t) tri.emplace_back(cvRound(m.points[i].x * 16), cvRound(m.points[i].y * 16));
    cv::fillConvexPoly(cover, tri, cv::Scalar(255), cv::LINE_8, 4);
  }
  EXPECT_EQ(cv::countNonZero(cover), size * size);
  MeshWarper w(cv::Size(size, size), m.triangles);
  // Mark the map, then check that the identity rebuilt it everywhere.
  w.build_map(m.points, m.points);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      cv::Vec2f v = w.map().at<cv::Vec2f>(y, x);
      ASSERT_NEAR(v[0], x, 1e-3);
      ASSERT_NEAR(v[1], y, 1e-3);
    }
}

TEST(WarpMesh, MovedFaceMapIsContinuousAndFinite) {
  const int size = 128;
  Synthetic s = synthetic_face(size);
  WarpMesh m = build_warp_mesh(s.face, s.tris, size);
  std::vector<cv::Point2f> moved = s.face;
  for (auto& p : moved) p += cv::Point2f(3, 5);  // the whole face moves; border anchors stay
  MeshWarper w(cv::Size(size, size), m.triangles);
  w.build_map(m.points, mesh_targets(m, moved));
  const cv::Mat& map = w.map();
  // Inside the face the source is 3, 5 back; nowhere does the map jump between neighbours.
  cv::Vec2f c = map.at<cv::Vec2f>(size / 2 + 5, size / 2 + 3);
  EXPECT_NEAR(c[0], size / 2, 1e-3);
  EXPECT_NEAR(c[1], size / 2, 1e-3);
  double worst = 0;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      cv::Vec2f v = map.at<cv::Vec2f>(y, x);
      ASSERT_TRUE(std::isfinite(v[0]) && std::isfinite(v[1]));
      if (x > 0) worst = std::max(worst, cv::norm(v - map.at<cv::Vec2f>(y, x - 1) - cv::Vec2f(1, 0)));
      if (y > 0) worst = std::max(worst, cv::norm(v - map.at<cv::Vec2f>(y - 1, x) - cv::Vec2f(0, 1)));
    }
  // Piecewise affine: the slope may change across edges, but a tear would jump by the motion (~6 px).
  EXPECT_LT(worst, 3.0) << "a seam: neighbouring pixels sample far-apart source points";
}

TEST(WarpHeadMotion, SeededSmoothSmallAndTiedToSpeech) {
  AuSequence aus;
  aus.fps = 25;
  aus.frames.assign(250, AuFrame{});
  for (int t = 100; t < 200; ++t) aus.frames[t][8] = (t / 6) % 2 ? 0.7f : 0.1f;  // syllables
  auto a = head_motion(aus, 1), b = head_motion(aus, 1), c = head_motion(aus, 2);
  ASSERT_EQ(a.size(), 250u);
  double diff = 0, max_step = 0, max_angle = 0;
  for (std::size_t t = 0; t < a.size(); ++t) {
    EXPECT_EQ(a[t].yaw, b[t].yaw);
    diff += std::abs(a[t].yaw - c[t].yaw);
    max_angle = std::max({max_angle, std::abs(a[t].yaw), std::abs(a[t].pitch), std::abs(a[t].roll)});
    if (t) max_step = std::max({max_step, std::abs(a[t].yaw - a[t - 1].yaw), std::abs(a[t].pitch - a[t - 1].pitch),
                                std::abs(a[t].roll - a[t - 1].roll)});
  }
  EXPECT_GT(diff, 1.0) << "another seed, another motion";
  EXPECT_LT(max_angle, 6.0);
  EXPECT_LT(max_step, 0.5) << "degrees per frame: jitter";
  // Nods while speaking: more pitch movement in frames 100–200 than in 0–100.
  auto pitch_range = [&](int from, int to) {
    double lo = 1e9, hi = -1e9;
    for (int t = from; t < to; ++t) lo = std::min(lo, a[t].pitch), hi = std::max(hi, a[t].pitch);
    return hi - lo;
  };
  EXPECT_GT(pitch_range(100, 200), pitch_range(0, 100) * 0.8);
}

// The drawn teeth take the cast of the photo's white (the eyes' sclera): a blue-lit sclera gives
// bluish teeth; an unknown or dark reference changes nothing; an extreme cast is bounded.
TEST(LightCast, IsTheColourOfThePhotosWhite) {
  const cv::Vec3f none = light_cast({});
  EXPECT_EQ(none, cv::Vec3f(1, 1, 1));
  EXPECT_EQ(light_cast({20, 20, 30}), cv::Vec3f(1, 1, 1));
  const cv::Vec3f blue = light_cast({150, 175, 220});
  EXPECT_LT(blue[0], 1.f);
  EXPECT_GT(blue[2], 1.f);
  EXPECT_NEAR((blue[0] + blue[1] + blue[2]) / 3, 1.f, 0.02f);
  const cv::Vec3f red = light_cast({255, 40, 40});
  EXPECT_FLOAT_EQ(red[0], 1.25f);
  EXPECT_FLOAT_EQ(red[1], 0.75f);
}

}  // namespace
}  // namespace auhead::render::warp

namespace auhead::render::warp {
namespace {

// On the real face mesh the triangles tile the frame: no gaps, no overlaps (their areas add up to
// the frame's), so every pixel has exactly one source.
TEST(WarpMesh, PortraitMeshTilesTheFrame) {
  if (!test::have_inputs()) GTEST_SKIP() << "face models or sample portrait missing";
  const int size = 512;
  std::vector<cv::Point2f> xy;
  for (const auto& p : test::portrait_face().landmarks) xy.emplace_back(p.x, p.y);
  Framing f = frame_portrait(test::portrait(), xy, size);
  std::vector<cv::Point2f> face;
  for (const auto& p : xy) face.push_back(f.map(p) - cv::Point2f(0.5f, 0.5f));
  WarpMesh m = build_warp_mesh(face, face::FaceAnalyzer().canonical().triangles, size);
  double area = 0, face_area = 0;
  for (const auto& t : m.triangles) {
    cv::Point2f a = m.points[t[0]], b = m.points[t[1]], c = m.points[t[2]];
    double ar = std::abs((b - a).cross(c - a)) / 2;
    area += ar;
    if (t[0] < m.face_points && t[1] < m.face_points && t[2] < m.face_points) face_area += ar;
  }
  std::vector<cv::Point2f> outline;
  for (int i : kFaceOval) outline.push_back(face[i]);
  // The face mesh seen from the front folds a little at the nose's sides (self-occlusion): allow it.
  double outline_area = cv::contourArea(outline);
  EXPECT_NEAR(face_area, outline_area, 0.015 * outline_area);
  EXPECT_NEAR(area - face_area, double(size) * size - outline_area, 0.002 * size * size) << "outside the face";
}

}  // namespace

// The lash line and the lips' seam: a zigzag of paired midpoints becomes one smooth arc through the
// corners, and a stroke that is already an arc of that family comes back unchanged.
TEST(MeetingLine, SmoothStrokeKeepsCornersAndRemovesTheZigzag) {
  std::vector<cv::Point2f> zig;
  for (int i = 0; i <= 8; ++i) zig.emplace_back(10.f + 5.f * i, 20.f + (i % 2 ? 1.5f : -1.5f) * (i > 0 && i < 8));
  auto s = smooth_stroke(zig, 17);
  ASSERT_EQ(s.size(), 17u);
  EXPECT_LT(cv::norm(s.front() - zig.front()), 1e-4);
  EXPECT_LT(cv::norm(s.back() - zig.back()), 1e-4);
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    float second = std::abs(s[i - 1].y - 2 * s[i].y + s[i + 1].y);
    EXPECT_LT(second, 0.2f) << i;  // the input's second differences are 6 px
  }
  std::vector<cv::Point2f> arc;
  for (int i = 0; i <= 10; ++i) {
    float u = i / 10.f;
    arc.emplace_back(100.f * u, 30.f * u * (1 - u) * (0.5f + 0.2f * u));
  }
  auto back = smooth_stroke(arc, 11);
  for (std::size_t i = 0; i < arc.size(); ++i) EXPECT_LT(cv::norm(back[i] - arc[i]), 1e-3) << i;
}

}  // namespace auhead::render::warp
