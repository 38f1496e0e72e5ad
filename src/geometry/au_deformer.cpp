// Σ intensity · field + couplings + combinations in the canonical frame, a guard against folds, then
// the lip and eyelid constraints, then the displacement (not the absolute point) is rotated and
// scaled into the image, so that zero AUs reproduce the portrait's landmarks bit for bit.
#include "geometry/au_deformer.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "auhead/error.h"
#include "core/smoothstep.h"
#include "geometry/au_basis.h"

namespace auhead::geometry {

struct AuDeformer::Impl {
  face::FaceResult face;
  AuBasis basis;
  AuFields fields;
  std::vector<cv::Point3f> rest;  // the rest face: face.alignment.aligned or a neutral given
  std::vector<std::array<int, 3>> triangles;  // the upper face's mesh triangles, for the fold guard
  std::vector<float> rest_area;               // their signed areas seen from the front (cm²)
};

namespace {

// Keeps `lower` at or below `upper` in y (or no further above it than the portrait had it).
// move_upper/move_lower: which of the two may move (both: they meet halfway).
void keep_order(std::vector<cv::Point3f>& p, const std::vector<cv::Point3f>& rest, int upper, int lower,
                bool move_upper, bool move_lower) {
  float g0 = rest[upper].y - rest[lower].y;
  float gmin = std::min(0.f, g0);
  float g = p[upper].y - p[lower].y;
  if (g >= gmin) return;
  float fix = gmin - g;
  if (move_upper && move_lower) {
    p[upper].y += fix / 2;
    p[lower].y -= fix / 2;
  } else if (move_upper) {
    p[upper].y += fix;
  } else {
    p[lower].y -= fix;
  }
}

float front_area(const cv::Point3f& a, const cv::Point3f& b, const cv::Point3f& c) {
  return ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)) / 2;
}

// Strong AUs side by side (brows drawn down onto the lids, a lower lip dropped under a raised
// upper one) could turn mesh triangles over: a smear in the frame. Where a triangle, seen from the
// front, would shrink below kMinAreaRatio of its rest area or turn over, its corners' displacements
// are pulled toward their mean, a few rounds, so the skin bunches up instead of folding.
constexpr float kMinAreaRatio = 0.12f;

void guard_folds(const std::vector<cv::Point3f>& rest, const std::vector<std::array<int, 3>>& tris,
                 const std::vector<float>& rest_area, std::vector<cv::Vec3f>& d) {
  auto moved = [&](int v) { return rest[v] + cv::Point3f(d[v][0], d[v][1], d[v][2]); };
  for (int round = 0; round < 24; ++round) {
    bool any = false;
    for (std::size_t t = 0; t < tris.size(); ++t) {
      float a0 = rest_area[t];
      if (std::abs(a0) < 1e-4f) continue;  // edge-on at rest (the nose's sides): nothing to keep
      auto [i, j, k] = tris[t];
      if (d[i] == cv::Vec3f() && d[j] == cv::Vec3f() && d[k] == cv::Vec3f()) continue;
      float ratio = front_area(moved(i), moved(j), moved(k)) / a0;
      if (ratio >= kMinAreaRatio) continue;
      any = true;
      cv::Vec3f mean = (d[i] + d[j] + d[k]) / 3.f;
      for (int v : {i, j, k}) d[v] += 0.5f * (mean - d[v]);
    }
    if (!any) break;
  }
}

}  // namespace

AuDeformer::AuDeformer(const face::FaceResult& face)
    : AuDeformer(face, face::CanonicalFace::standard(), AuBasis::standard()) {}

AuDeformer::AuDeformer(const face::FaceResult& face, const face::CanonicalFace& canonical, const AuBasis& basis)
    : AuDeformer(face, face.alignment.aligned, canonical, basis) {}

AuDeformer::AuDeformer(const face::FaceResult& face, std::vector<cv::Point3f> neutral)
    : AuDeformer(face, std::move(neutral), face::CanonicalFace::standard(), AuBasis::standard()) {}

AuDeformer::AuDeformer(const face::FaceResult& face, std::vector<cv::Point3f> neutral,
                       const face::CanonicalFace& canonical, const AuBasis& basis) {
  if (face.landmarks.size() != size_t(kMeshPoints) || face.alignment.aligned.size() != size_t(kMeshPoints) ||
      neutral.size() != size_t(kMeshPoints))
    throw std::invalid_argument("AuDeformer: the face needs 468 landmarks and its canonical alignment");
  auto impl = std::make_shared<Impl>();
  impl->face = face;
  impl->basis = basis;
  impl->rest = std::move(neutral);
  impl->fields = compute_au_fields(basis, canonical, impl->rest);
  // The guard watches the upper face (above the nose tip, landmark 1): the brows, lids and nose.
  // The mouth keeps its own constraints, and its triangles may rightly thin out as it opens.
  for (const auto& t : canonical.triangles) {
    bool upper = true;
    for (int v : t) {
      if (v < 0 || v >= kMeshPoints) throw std::invalid_argument("AuDeformer: a mesh triangle names a vertex out of range");
      upper = upper && impl->rest[v].y > impl->rest[1].y;
    }
    if (!upper) continue;
    impl->triangles.push_back(t);
    impl->rest_area.push_back(front_area(impl->rest[t[0]], impl->rest[t[1]], impl->rest[t[2]]));
  }
  impl_ = std::move(impl);
}

const face::FaceResult& AuDeformer::face() const { return impl_->face; }
const std::vector<cv::Point3f>& AuDeformer::rest() const { return impl_->rest; }
const AuBasis& AuDeformer::basis() const { return impl_->basis; }
const AuFields& AuDeformer::fields() const { return impl_->fields; }

std::vector<cv::Point3f> AuDeformer::deform_canonical(const AuFrame& in) const {
  const Impl& m = *impl_;
  AuFrame a;
  for (int k = 0; k < kNumAus; ++k) a[k] = std::clamp(std::isfinite(in[k]) ? in[k] : 0.f, 0.f, 1.f);

  std::vector<cv::Vec3f> d(kMeshPoints, cv::Vec3f(0, 0, 0));
  for (int k = 0; k < kNumAus; ++k) {
    if (a[k] == 0) continue;
    const auto& f = m.fields.au[k];
    for (int v = 0; v < kMeshPoints; ++v) d[v] += a[k] * f[v];
  }
  for (size_t c = 0; c < m.basis.couplings.size(); ++c) {
    const auto& cp = m.basis.couplings[c];
    float w = cp.gain * a[cp.from] * (1 - a[cp.to]);
    if (w == 0) continue;
    const auto& f = m.fields.coupling[c];
    for (int v = 0; v < kMeshPoints; ++v) d[v] += w * f[v];
  }
  for (size_t c = 0; c < m.basis.combinations.size(); ++c) {
    const auto& cb = m.basis.combinations[c];
    float w = std::min(a[cb.a], a[cb.b]);
    if (w == 0) continue;
    const auto& f = m.fields.combination[c];
    for (int v = 0; v < kMeshPoints; ++v) d[v] += w * f[v];
  }
  guard_folds(m.rest, m.triangles, m.rest_area, d);
  std::vector<cv::Point3f> p(m.rest);
  for (int v = 0; v < kMeshPoints; ++v) p[v] += cv::Point3f(d[v][0], d[v][1], d[v][2]);

  const auto& c = m.basis.constraints;
  // Eye closure near 1 brings each lid pair together whatever else moves them.
  for (int s = 0; s < 2; ++s) {
    float t = smoothstep(0.75f, 1.f, a[c.eye_closure[s]]);
    if (t <= 0) continue;
    for (auto [u, l] : c.eyelids[s]) {
      cv::Point3f meet = p[l] + c.eyelid_meet * (p[u] - p[l]);
      p[u] += t * (meet - p[u]);
      p[l] += t * (meet - p[l]);
    }
  }
  for (const auto& side : c.eyelids)
    for (auto [u, l] : side) keep_order(p, m.rest, u, l, true, true);
  // Lips never pass through each other: inner pairs first, then the outer contours stay outside.
  for (auto [u, l] : c.lip_inner) keep_order(p, m.rest, u, l, true, true);
  for (auto [o, i] : c.lip_upper_outer) keep_order(p, m.rest, o, i, true, false);
  for (auto [i, o] : c.lip_lower_outer) keep_order(p, m.rest, i, o, false, true);
  return p;
}

cv::Point3f AuDeformer::canonical_delta_to_image(const cv::Point3f& d) const {
  const auto& s = impl_->face.alignment.canonical_to_image;
  // Canonical (y up, z toward the viewer) → image axes (y down, z away), then rotate and scale.
  cv::Vec3d v = s.scale * (s.rotation * cv::Vec3d(d.x, -d.y, -d.z));
  return {float(v[0]), float(v[1]), float(v[2])};
}

std::vector<cv::Point3f> AuDeformer::deform(const AuFrame& aus) const {
  const Impl& m = *impl_;
  auto p = deform_canonical(aus);
  std::vector<cv::Point3f> out(m.face.landmarks);
  for (int v = 0; v < kMeshPoints; ++v) {
    cv::Point3f d = p[v] - m.face.alignment.aligned[v];
    if (d.x == 0 && d.y == 0 && d.z == 0) continue;
    out[v] += canonical_delta_to_image(d);
  }
  return out;
}

}  // namespace auhead::geometry
