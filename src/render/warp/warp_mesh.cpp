#include "render/warp/warp_mesh.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"
#include "render/portrait_scene.h"

namespace auhead::render::warp {

namespace {

using Tri = std::array<int, 3>;

template <std::size_t N>
void close_opening(const Opening<N>& o, std::vector<Tri>& tris) {
  // Strip between the paired upper and lower points; the corners are shared.
  for (std::size_t i = 0; i + 1 < N; ++i) {
    int u0 = o.upper[i], u1 = o.upper[i + 1], l0 = o.lower[i], l1 = o.lower[i + 1];
    if (i == 0) {
      tris.push_back({u0, u1, l1});  // u0 == l0: the corner
    } else if (i + 1 == N - 1) {
      tris.push_back({u0, u1, l0});  // u1 == l1: the other corner
    } else {
      tris.push_back({u0, u1, l1});
      tris.push_back({u0, l1, l0});
    }
  }
}

// True when the canonical triangles already span the opening (some triangle joins an upper
// point to a lower one that is not a corner).
template <std::size_t N>
bool covered(const Opening<N>& o, const std::vector<Tri>& tris) {
  std::set<int> up(o.upper.begin() + 1, o.upper.end() - 1), lo(o.lower.begin() + 1, o.lower.end() - 1);
  for (const Tri& t : tris) {
    bool has_u = false, has_l = false;
    for (int v : t) {
      has_u |= up.count(v) > 0;
      has_l |= lo.count(v) > 0;
    }
    if (has_u && has_l) return true;
  }
  return false;
}

// How much a ring point follows the outline's motion: `k` the ring's nominal scale, `kk` its scale
// toward this outline point, `d` the outline point from the outline's centre. Above and beside the
// face (hair, ears, background) the rings follow far out, so a head turn bends them gently. Under the
// jaw the motion is taken up within a short band, as the skin under a dropping chin bunches up and
// the collar and shoulders stay where they are: linear in the distance below the outline, zero from
// kNeckBand of the centre-to-outline distance on.
float ring_falloff(double k, double kk, cv::Point2f d) {
  constexpr double kNeckBand = 0.42;
  double far = std::max(0.0, 1.0 - (k - 1.0) / 0.95);
  double len = std::max(1e-6, double(cv::norm(d)));
  double below = d.y / len;  // 1 straight under the centre, 0 at the sides, < 0 above
  double t = below <= 0.25 ? 0.0 : std::min(1.0, (below - 0.25) / 0.5);
  t = t * t * (3 - 2 * t);
  double neck = std::max(0.0, 1.0 - (kk - 1.0) / kNeckBand);
  return float(far * (1 - t) + neck * t);
}

}  // namespace

WarpMesh build_warp_mesh(const std::vector<cv::Point2f>& face, const std::vector<Tri>& face_triangles, int size) {
  WarpMesh m;
  m.points = face;
  m.face_points = int(face.size());
  for (const Tri& t : face_triangles)
    if (t[0] < m.face_points && t[1] < m.face_points && t[2] < m.face_points) m.triangles.push_back(t);
  if (m.face_points >= 468) {
    if (!covered(kInnerLips, m.triangles)) close_opening(kInnerLips, m.triangles);
    if (!covered(kRightEye, m.triangles)) close_opening(kRightEye, m.triangles);
    if (!covered(kLeftEye, m.triangles)) close_opening(kLeftEye, m.triangles);
  }

  // The face outline, its centre and extent.
  std::vector<cv::Point2f> oval;
  if (m.face_points >= 468)
    for (int i : kFaceOval) oval.push_back(face[i]);
  if (oval.size() < kFaceOval.size()) {  // not a MediaPipe mesh: its convex hull is the outline
    oval.clear();
    cv::convexHull(face, oval);
  }
  cv::Rect2f box = point_bounds(oval);
  cv::Point2f c(box.x + box.width / 2, box.y + box.height / 2);

  // Rings: ellipses around the outline, reaching further above (hair) than below (neck), kept
  // inside the frame. Each follows the nearest outline points, by inverse distance, with a falloff.
  std::vector<int> outline_idx;
  if (m.face_points >= 468) outline_idx.assign(kFaceOval.begin(), kFaceOval.end());
  else
    for (const auto& o : oval)
      outline_idx.push_back(int(std::find(face.begin(), face.end(), o) - face.begin()));
  std::vector<std::vector<int>> loops{outline_idx};
  m.ring_begin = int(m.points.size());
  const float inset = std::max(2.f, 0.02f * size), lo_r = inset, hi_r = float(size) - 1 - inset;
  for (double k : {1.12, 1.3, 1.55, 1.85}) {
    loops.emplace_back();
    for (int o : outline_idx) {
      // The outline scaled about its centre, more above (hair) than below (neck): nested loops.
      cv::Point2f d = face[o] - c;
      double kk = 1 + (k - 1) * (d.y > 0 ? 0.8 : 1.3);
      float falloff = ring_falloff(k, kk, d);
      cv::Point2f p = c + d * float(kk);
      p.x = std::clamp(p.x, lo_r, hi_r);
      p.y = std::clamp(p.y, lo_r, hi_r);
      std::vector<std::pair<int, float>> w;
      double sum = 0;
      for (int i : outline_idx) {
        double d2 = std::max(1e-6, double((face[i] - p).dot(face[i] - p)));
        double wi = 1.0 / (d2 * d2);
        w.emplace_back(i, float(wi));
        sum += wi;
      }
      for (auto& [i, wi] : w) wi = float(wi / sum * falloff);
      std::erase_if(w, [](const auto& e) { return e.second < 1e-4f; });
      loops.back().push_back(int(m.points.size()));
      m.points.push_back(p);
      m.follow.push_back(std::move(w));
    }
  }
  // Border anchors (corners included).
  m.border_begin = int(m.points.size());
  loops.emplace_back();
  const int per_side = 6;
  float e0 = -0.5f, e1 = float(size) - 0.5f;
  for (int k = 0; k < per_side; ++k) {
    float t = e0 + (e1 - e0) * k / per_side;
    for (cv::Point2f p : {cv::Point2f(t, e0), cv::Point2f(e1, t), cv::Point2f(e1 - (t - e0), e1), cv::Point2f(e0, e1 - (t - e0))}) {
      loops.back().push_back(int(m.points.size()));
      m.points.push_back(p);
    }
  }
  // The outline and the rings have the same points in the same order: quads between them,
  // split along the shorter diagonal; radial scaling keeps them nested, so nothing overlaps.
  for (std::size_t l = 0; l + 2 < loops.size(); ++l) {
    const auto &A = loops[l], &B = loops[l + 1];
    for (std::size_t i = 0; i < A.size(); ++i) {
      std::size_t i1 = (i + 1) % A.size();
      int a0 = A[i], a1 = A[i1], b0 = B[i], b1 = B[i1];
      if (cv::norm(m.points[a0] - m.points[b1]) <= cv::norm(m.points[a1] - m.points[b0])) {
        m.triangles.push_back({a0, a1, b1});
        m.triangles.push_back({a0, b1, b0});
      } else {
        m.triangles.push_back({a0, a1, b0});
        m.triangles.push_back({a1, b1, b0});
      }
    }
  }
  // The outer ring and the border: both star-shaped around the centre, zipped by angle.
  auto angle = [&](int i) { return std::atan2(double(m.points[i].y - c.y), double(m.points[i].x - c.x)); };
  std::vector<int> A = loops[loops.size() - 2], B = loops.back();
  std::sort(A.begin(), A.end(), [&](int a, int b) { return angle(a) < angle(b); });
  std::sort(B.begin(), B.end(), [&](int a, int b) { return angle(a) < angle(b); });
  const std::size_t na = A.size(), nb = B.size();
  auto ang = [&](const std::vector<int>& L, std::size_t i) {
    return i < L.size() ? angle(L[i]) : angle(L[i % L.size()]) + 2 * CV_PI;
  };
  std::size_t i = 0, j = 0;
  while (i < na || j < nb) {
    bool step_a = j == nb || (i < na && ang(A, i + 1) <= ang(B, j + 1));
    if (step_a) {
      m.triangles.push_back({A[i % na], B[j % nb], A[(i + 1) % na]});
      ++i;
    } else {
      m.triangles.push_back({A[i % na], B[j % nb], B[(j + 1) % nb]});
      ++j;
    }
  }
  return m;
}

void mesh_targets(const WarpMesh& mesh, const std::vector<cv::Point2f>& face, std::vector<cv::Point2f>& out) {
  out.resize(mesh.points.size());
  std::copy(face.begin(), face.begin() + mesh.face_points, out.begin());
  for (int r = 0; r < int(mesh.follow.size()); ++r) {
    cv::Point2f d(0, 0);
    for (const auto& [i, w] : mesh.follow[r]) d += (face[i] - mesh.points[i]) * w;
    out[mesh.ring_begin + r] = mesh.points[mesh.ring_begin + r] + d;
  }
  std::copy(mesh.points.begin() + mesh.border_begin, mesh.points.end(), out.begin() + mesh.border_begin);
}

std::vector<cv::Point2f> mesh_targets(const WarpMesh& mesh, const std::vector<cv::Point2f>& face) {
  std::vector<cv::Point2f> out;
  mesh_targets(mesh, face, out);
  return out;
}

}  // namespace auhead::render::warp
