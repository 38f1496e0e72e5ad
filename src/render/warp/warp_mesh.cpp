#include "render/warp/warp_mesh.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"
#include "render/warp/portrait_framing.h"

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

}  // namespace

WarpMesh build_warp_mesh(const std::vector<cv::Point2f>& face, const std::vector<Tri>& face_triangles, int size) {
  WarpMesh m;
  m.points = face;
  m.face_points = int(face.size());
  m.head_weight.assign(face.size(), 1.f);
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
  float rx = box.width / 2, ry = box.height / 2;
  const float lo = 1.f, hi = float(size) - 2.f;

  // Head ring: an ellipse around the outline, larger above (hair) than below (neck).
  m.ring_begin = int(m.points.size());
  const int ring_n = 28;
  for (int k = 0; k < ring_n; ++k) {
    double a = 2 * CV_PI * k / ring_n;
    double s = std::sin(a);  // > 0: below the centre
    double kx = 1.45, ky = s > 0 ? 1.35 : 1.6;
    cv::Point2f p(c.x + float(kx * rx * std::cos(a)), c.y + float(ky * ry * s));
    p.x = std::clamp(p.x, lo, hi);
    p.y = std::clamp(p.y, lo, hi);
    m.points.push_back(p);
    m.head_weight.push_back(float(s > 0 ? 0.75 - 0.45 * s : 0.75));  // the neck follows less
  }
  // Border anchors.
  m.border_begin = int(m.points.size());
  const int per_side = 6;
  float e0 = -0.5f, e1 = float(size) - 0.5f;
  for (int k = 0; k < per_side; ++k) {
    float t = e0 + (e1 - e0) * k / per_side;
    m.points.push_back({t, e0});
    m.points.push_back({e1, t});
    m.points.push_back({e1 - (t - e0), e1});
    m.points.push_back({e0, e1 - (t - e0)});
  }
  m.head_weight.resize(m.points.size(), 0.f);

  // Delaunay over everything; keep the triangles outside the face outline.
  cv::Subdiv2D subdiv(cv::Rect(-4, -4, size + 8, size + 8));
  std::map<std::pair<float, float>, int> index;
  for (int i = 0; i < int(m.points.size()); ++i) {
    const cv::Point2f& p = m.points[i];
    if (index.emplace(std::make_pair(p.x, p.y), i).second) subdiv.insert(p);
  }
  std::vector<cv::Vec6f> list;
  subdiv.getTriangleList(list);
  for (const cv::Vec6f& v : list) {
    Tri t;
    bool ok = true;
    int anchors = 0;
    for (int j = 0; j < 3 && ok; ++j) {
      auto it = index.find({v[2 * j], v[2 * j + 1]});
      if (it == index.end()) ok = false;
      else {
        t[j] = it->second;
        anchors += t[j] >= m.face_points;
      }
    }
    if (!ok) continue;
    if (anchors == 0) {
      cv::Point2f g = (m.points[t[0]] + m.points[t[1]] + m.points[t[2]]) / 3.f;
      if (cv::pointPolygonTest(oval, g, false) >= 0) continue;  // inside: the face mesh covers it
    }
    m.triangles.push_back(t);
  }
  return m;
}

std::vector<cv::Point2f> mesh_points(const WarpMesh& mesh, const std::vector<cv::Point2f>& face) {
  std::vector<cv::Point2f> p = mesh.points;
  std::copy(face.begin(), face.begin() + std::min<std::size_t>(face.size(), mesh.face_points), p.begin());
  return p;
}

}  // namespace auhead::render::warp
