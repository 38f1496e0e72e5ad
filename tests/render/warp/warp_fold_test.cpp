// The warp mesh does not fold over: for every AU at full intensity, every emotion at full intensity and
// every emotion with the mouth wide open, the 512×512 warp mesh's triangles that turn over stay
// small (a fold shows as a smear, or as the portrait's unmoved pixels in the hole the folded
// triangles leave; a jaw drop of 1 used to fold 1600 px² under the lower lip). Tuning aid:
// AUHEAD_FOLD_REPORT=1 prints the folded area per case, AUHEAD_FOLD_LIST=1 the folded triangles.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "auhead/au.h"
#include "auhead/au_edit.h"
#include "geometry/au_deformer.h"
#include "render/portrait_scene.h"
#include "render/warp/warp_mesh.h"
#include "render/warp/warp_test_util.h"

namespace auhead::render::warp {
namespace {

struct FoldProbe {
  Framing framing;
  std::vector<cv::Point2f> rest_face;
  WarpMesh mesh;
  geometry::AuDeformer deformer;
  std::vector<double> rest_area;
  int face_sign = 1;  // the orientation of (nearly all) the face's triangles at rest

  FoldProbe()
      : framing(frame_portrait(test::portrait(), xy(test::portrait_face().landmarks), 512)),
        rest_face(to_frame(test::portrait_face().landmarks)),
        mesh(build_warp_mesh(rest_face, face::FaceAnalyzer().canonical().triangles, 512)),
        deformer(test::portrait_face()) {
    rest_area = areas(mesh.points);
    double face_sum = 0;
    for (std::size_t i = 0; i < mesh.triangles.size(); ++i)
      if (is_face(mesh.triangles[i])) face_sum += rest_area[i];
    face_sign = face_sum > 0 ? 1 : -1;
  }
  bool is_face(const std::array<int, 3>& t) const {
    return t[0] < mesh.face_points && t[1] < mesh.face_points && t[2] < mesh.face_points;
  }
  static std::vector<cv::Point2f> xy(const std::vector<cv::Point3f>& p) {
    std::vector<cv::Point2f> r;
    for (const auto& q : p) r.emplace_back(q.x, q.y);
    return r;
  }
  std::vector<cv::Point2f> to_frame(const std::vector<cv::Point3f>& p) const {
    std::vector<cv::Point2f> r;
    for (const auto& q : p) r.push_back(framing.map({q.x, q.y}) - cv::Point2f(0.5f, 0.5f));
    return r;
  }
  std::vector<double> areas(const std::vector<cv::Point2f>& pts) const {
    std::vector<double> a;
    for (const auto& t : mesh.triangles) a.push_back(double((pts[t[1]] - pts[t[0]]).cross(pts[t[2]] - pts[t[0]])) / 2);
    return a;
  }
  // Area (px²) of the triangles that turn over against their rest orientation, plus the growth of
  // the face triangles that are folded at rest (the nose's sides, seen from the front).
  double folded_area(const AuFrame& aus, double* largest = nullptr) const {
    auto target = mesh_targets(mesh, to_frame(deformer.deform(aus)));
    auto a = areas(target);
    double folded = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      double r = rest_area[i];
      if (a[i] * r < 0) {
        folded += std::abs(a[i]);
        if (largest) *largest = std::max(*largest, std::abs(a[i]));
        if (std::getenv("AUHEAD_FOLD_LIST")) {
          auto& t = mesh.triangles[i];
          std::printf("    [%d %d %d] %.1f (rest %.1f) at %.0f,%.0f\n", t[0], t[1], t[2], a[i], r, target[t[0]].x, target[t[0]].y);
        }
      }
      else if (is_face(mesh.triangles[i]) && r * face_sign < 0) folded += std::max(0.0, std::abs(a[i]) - std::abs(r));
    }
    return folded;
  }
};

const FoldProbe& probe() {
  static const FoldProbe p;
  return p;
}

// What is left are slivers along the lip and jaw lines, a few pixels wide: under 150 px² in all
// (the face is ~60000 px²), no triangle over 35 px².
void expect_no_fold(const AuFrame& aus, const std::string& what) {
  double largest = 0;
  double f = probe().folded_area(aus, &largest);
  if (std::getenv("AUHEAD_FOLD_REPORT")) std::printf("  fold %-40s %8.2f px^2, largest %6.2f\n", what.c_str(), f, largest);
  EXPECT_LT(f, 150.0) << what << " folds " << f << " px² of the mesh over";
  EXPECT_LT(largest, 35.0) << what << " turns a triangle of " << largest << " px² over";
}

TEST(WarpFold, NoAuFoldsTheMesh) {
  if (!test::have_inputs()) GTEST_SKIP() << "face models or sample portrait missing";
  for (int k = 0; k < kNumAus; ++k) {
    AuFrame a{};
    a[k] = 1;
    expect_no_fold(a, std::string(au_info(k).name) + " 1");
  }
}

TEST(WarpFold, NoEmotionFoldsTheMeshEvenWithTheMouthOpen) {
  if (!test::have_inputs()) GTEST_SKIP() << "face models or sample portrait missing";
  for (int e = 0; e < kNumEmotions; ++e) {
    AuFrame a = emotion_prototype(Emotion(e));
    std::string name(emotion_name(Emotion(e)));
    expect_no_fold(a, name + " 1");
    a[*find_au("jaw_drop")] = 1;
    a[*find_au("lips_part")] = 1;
    expect_no_fold(a, name + " 1 + jaw_drop 1 + lips_part 1");
  }
}

}  // namespace
}  // namespace auhead::render::warp
