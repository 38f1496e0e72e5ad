#include "au_estimation/au_estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/data_path.h"
#include "core/json_text.h"

namespace auhead::au_estimation {
namespace {

// One photo: AUs compete with the identity modes, so they pay for being used; those that mostly
// look like a turned head or a build (jaw slides and thrust, dimple, cheek puff, lip sucks) pay more.
AuFitSettings photo_settings() {
  AuFitSettings s;
  s.sparsity = 60.f;
  s.ridge = 20.f;
  for (int k : {9, 10, 17}) s.sparsity_scale[k] = 5.f;
  for (int k : {15, 16, 22, 26}) s.sparsity_scale[k] = 3.f;
  return s;
}

// The photo prior's mean face: the canonical face with FaceMesh's own upper face on photos
// (data/facemesh_upper_face_offset.json, scripts/calibrate-face-prior.py).
std::vector<cv::Point3f> photo_mean_face(const face::CanonicalFace& canonical) {
  std::vector<cv::Point3f> v = canonical.vertices;
  const auto file = data_file("facemesh_upper_face_offset.json");
  nlohmann::json j = parse_json_text(read_text_file(file), file.string());
  const auto& o = j.at("offsets");
  if (!o.is_array() || o.size() != v.size()) throw input_error(file.string(), "offsets: 468 [x, y, z] expected");
  for (size_t i = 0; i < v.size(); ++i) {
    if (!o[i].is_array() || o[i].size() != 3 || !o[i][0].is_number() || !o[i][1].is_number() || !o[i][2].is_number())
      throw input_error(file.string(), "offsets[" + std::to_string(i) + "]: [x, y, z] expected");
    v[i] += cv::Point3f(o[i][0].get<float>(), o[i][1].get<float>(), o[i][2].get<float>());
  }
  return v;
}

// A video against the subject's own neutral: only noise to guard against.
AuFitSettings video_settings() {
  AuFitSettings s;
  s.sparsity = 6.f;
  s.ridge = 4.f;
  return s;
}

// The AUs of the jaw, lips, mouth corners and cheeks (not the eyes, brows, nose or cheek raise),
// which a photo reads with little confusion from identity.
bool is_lower_face(int k) { return (k >= 8 && k <= 22) || k == 26 || k == 27 || k == 28 || k == 29; }

// Per-landmark median (x, y, z separately) of the aligned meshes of frames `which`.
std::vector<cv::Point3f> landmark_median(const std::vector<MeshFrame>& frames, const std::vector<int>& which) {
  const int take = int(which.size());
  std::vector<cv::Point3f> median(geometry::kMeshPoints);
  std::vector<float> xs(take), ys(take), zs(take);
  auto med = [&](std::vector<float>& a) {
    std::nth_element(a.begin(), a.begin() + take / 2, a.end());
    float hi = a[take / 2];
    if (take % 2 == 1) return hi;
    float lo = *std::max_element(a.begin(), a.begin() + take / 2);
    return 0.5f * (lo + hi);
  };
  for (int v = 0; v < geometry::kMeshPoints; ++v) {
    for (int i = 0; i < take; ++i) {
      const auto& p = frames[std::size_t(which[std::size_t(i)])].aligned[std::size_t(v)];
      xs[std::size_t(i)] = p.x;
      ys[std::size_t(i)] = p.y;
      zs[std::size_t(i)] = p.z;
    }
    median[std::size_t(v)] = {med(xs), med(ys), med(zs)};
  }
  return median;
}


}  // namespace

AuEstimator::AuEstimator() : AuEstimator(face::CanonicalFace::standard(), geometry::AuBasis::standard()) {}

AuEstimator::AuEstimator(const face::CanonicalFace& canonical, const geometry::AuBasis& basis)
    : canonical_(canonical), basis_(basis), identity_(identity_modes(canonical)), photo_rest_(photo_mean_face(canonical)) {
  // The canonical face's lips are ~5 mm apart; a photo's neutral has them closed.
  auto fields = geometry::compute_au_fields(basis_, canonical_, photo_rest_);
  close_lips(photo_rest_, basis_.constraints, fields.au[8]);
  fields = geometry::compute_au_fields(basis_, canonical_, photo_rest_);
  photo_fitter_.emplace(photo_rest_, fields, basis_, identity_, photo_settings());
}

const AuEstimator& AuEstimator::standard() {
  static const AuEstimator e;
  return e;
}

std::vector<cv::Point3f> AuEstimator::photo_displacement(const AuFrame& aus) const {
  return photo_fitter_->displacement(aus);
}

namespace {
FaceAuEstimate to_estimate(AuFit f) {
  FaceAuEstimate e;
  e.aus = f.aus;
  e.residual_cm = f.residual_cm;
  e.neutral = std::move(f.neutral);
  return e;
}
}  // namespace

FaceAuEstimate AuEstimator::estimate_photo_extended(const std::vector<cv::Point3f>& aligned) const {
  return to_estimate(photo_fitter_->fit(aligned, 2.f));
}

FaceAuEstimate AuEstimator::estimate_photo(const std::vector<cv::Point3f>& aligned) const {
  return to_estimate(photo_fitter_->fit(aligned));
}

std::vector<cv::Point3f> neutralised(const std::vector<cv::Point3f>& aligned, const FaceAuEstimate& estimate,
                                     const AuEstimator& estimator) {
  // The displacement of the portrait's AUs on the fields they were fitted with.
  auto d = estimator.photo_displacement(estimate.aus);
  std::vector<cv::Point3f> out(aligned);
  for (size_t v = 0; v < out.size(); ++v) out[v] -= d[v];
  close_lips(out, estimator);
  return out;
}

void close_lips(std::vector<cv::Point3f>& face, const AuEstimator& estimator) {
  AuFrame zero{}, jaw{};
  jaw[8] = 1;  // jaw_drop
  auto d0 = estimator.photo_displacement(zero), d1 = estimator.photo_displacement(jaw);
  std::vector<cv::Vec3f> field(d0.size());
  for (std::size_t v = 0; v < d0.size(); ++v) field[v] = cv::Vec3f(d1[v] - d0[v]);
  close_lips(face, estimator.basis().constraints, field);
}

void close_lips(std::vector<cv::Point3f>& face, const geometry::AuConstraints& c, const std::vector<cv::Vec3f>& jaw) {
  const auto& pairs = c.lip_inner;  // [upper inner, lower inner], corner to corner
  if (pairs.size() < 3 || jaw.size() != face.size()) return;
  auto gap = [&](const std::pair<int, int>& p) { return face[p.first].y - face[p.second].y; };  // y up: > 0 open
  // 1. The jaw: what is still open at the middle of the mouth is closed with the jaw's own field
  //    (the chin and the lower lip rise together), measured as its opening per unit.
  const std::size_t mid = pairs.size() / 2;
  float open_per_unit = 0, g = 0;
  for (std::size_t i = mid - 1; i <= mid + 1; ++i) {
    const auto& [u, l] = pairs[i];
    open_per_unit += jaw[u][1] - jaw[l][1];
    g += gap(pairs[i]);
  }
  // Lips pressed through each other (the photo's AUs over-read, so taking them off overshoots) are
  // opened the same way until they meet; an overlap within kOverlap is left (lips that meet).
  constexpr float kOverlap = 0.05f;  // cm
  if ((g > 0 || g < -3 * kOverlap) && open_per_unit > 1e-4f) {
    const float a = g / open_per_unit;
    for (std::size_t v = 0; v < face.size(); ++v) face[v] -= cv::Point3f(jaw[v]) * a;
  }
  // 2. What the jaw leaves (the lips' own shape, e.g. a smile's parted corners): the inner lip
  //    points meet halfway (parted or pressed through), and the outer lip line follows half of its
  //    inner point's move.
  std::vector<float> moved(face.size(), 0.f);
  for (const auto& p : pairs) {
    float h = gap(p);
    if (h <= 0 && h >= -kOverlap) continue;
    face[p.first].y -= h / 2;
    face[p.second].y += h / 2;
    moved[p.first] = -h / 2;
    moved[p.second] = h / 2;
  }
  for (const auto& [outer, inner] : c.lip_upper_outer) face[outer].y += 0.5f * moved[inner];
  for (const auto& [inner, outer] : c.lip_lower_outer) face[outer].y += 0.5f * moved[inner];
}

SequenceEstimate AuEstimator::estimate_sequence(const std::vector<MeshFrame>& frames, double fps) const {
  const int n = int(frames.size());
  std::vector<int> present;
  for (int t = 0; t < n; ++t)
    if (!frames[t].aligned.empty()) present.push_back(t);
  if (present.empty()) throw std::invalid_argument("estimate_sequence: no frame has a face");

  // 1. The typical face: the per-landmark median of every frame. Expressions are brief and varied,
  //    so for the upper face the median is close to its rest (not for the jaw, open about half the
  //    time in speech).
  std::vector<cv::Point3f> typical = landmark_median(frames, present);
  // 2. How expressive each frame is, each part of the face by the reading it can trust: the upper
  //    face (eyes, brows, nose, cheeks) by how far it departs from the typical face; the lower face
  //    (jaw, lips, mouth corners) read as a photo, so that a mouth open half the time, or a smile
  //    held through the whole video, still counts. Read as a photo, the upper face lets identity
  //    pass for expression: a face whose brows sit low read its brow-raising frames as the
  //    quietest, and then its neutral frames as brows lowered by 0.34. The quietest fifth makes
  //    the neutral.
  AuFitter against_typical(typical, geometry::compute_au_fields(basis_, canonical_, typical), basis_, {},
                           video_settings());
  std::vector<std::pair<float, int>> expressiveness;
  for (int t : present) {
    const AuFrame photo = photo_fitter_->fit(frames[t].aligned).aus;
    const AuFrame relative = against_typical.fit(frames[t].aligned).aus;
    float score = 0;
    for (int k = 0; k < kNumAus; ++k) score += is_lower_face(k) ? photo[std::size_t(k)] : relative[std::size_t(k)];
    expressiveness.push_back({score, t});
  }
  std::sort(expressiveness.begin(), expressiveness.end());
  const int take = std::max(1, int(std::ceil(0.2 * double(expressiveness.size()))));
  SequenceEstimate out;
  for (int i = 0; i < take; ++i) out.neutral_frames.push_back(expressiveness[std::size_t(i)].second);
  std::sort(out.neutral_frames.begin(), out.neutral_frames.end());
  std::vector<cv::Point3f> median = landmark_median(frames, out.neutral_frames);
  // The quietest frames are the subject's neutral as they are: a sequence is read relative to its own
  // rest (the photo prior is too coarse to take an expression off a face reliably enough for this).
  SequenceEstimate fitted = fit_sequence(frames, fps, median, video_settings());
  fitted.neutral_frames = std::move(out.neutral_frames);
  return fitted;
}

SequenceEstimate AuEstimator::estimate_sequence(const std::vector<MeshFrame>& frames, double fps,
                                                const std::vector<cv::Point3f>& neutral) const {
  // A neutral from another image (the portrait) differs from the video's own mesh by more than noise:
  // the AUs pay for being used as on a photo.
  return fit_sequence(frames, fps, neutral, photo_settings());
}

SequenceEstimate AuEstimator::fit_sequence(const std::vector<MeshFrame>& frames, double fps,
                                           const std::vector<cv::Point3f>& neutral,
                                           const AuFitSettings& settings) const {
  const int n = int(frames.size());
  std::vector<int> present;
  for (int t = 0; t < n; ++t)
    if (!frames[t].aligned.empty()) present.push_back(t);
  if (present.empty()) throw std::invalid_argument("estimate_sequence: no frame has a face");
  if (neutral.size() != size_t(geometry::kMeshPoints))
    throw std::invalid_argument("estimate_sequence: the neutral face needs " + std::to_string(geometry::kMeshPoints) +
                                " points");
  SequenceEstimate out;
  out.neutral = neutral;

  // 2. Every frame against the subject's neutral.
  AuFitter fitter(out.neutral, geometry::compute_au_fields(basis_, canonical_, out.neutral), basis_, {}, settings);
  std::vector<AuFrame> raw(n);
  out.residual_cm.assign(n, std::numeric_limits<double>::quiet_NaN());
  out.poses.resize(n);
  for (int t : present) {
    AuFit f = fitter.fit(frames[t].aligned);
    raw[t] = f.aus;
    out.residual_cm[t] = f.residual_cm;
    out.poses[t] = frames[t].pose;
  }
  // 3. Frames without a face: linear between the nearest frames that have one (held at the ends).
  out.missing = n - int(present.size());
  for (int t = 0; t < n; ++t) {
    if (!frames[t].aligned.empty()) continue;
    auto after = std::lower_bound(present.begin(), present.end(), t);
    int b = after == present.end() ? present.back() : *after;
    int a = after == present.begin() ? present.front() : *(after - 1);
    float w = (b == a) ? 0.f : float(t - a) / float(b - a);
    for (int k = 0; k < kNumAus; ++k) raw[t][k] = (1 - w) * raw[a][k] + w * raw[b][k];
    const auto &pa = out.poses[a], &pb = out.poses[b];
    out.poses[t] = {pa.yaw + w * (pb.yaw - pa.yaw), pa.pitch + w * (pb.pitch - pa.pitch),
                    pa.roll + w * (pb.roll - pa.roll)};
  }
  out.aus = smooth_in_time(raw, fps);
  return out;
}

std::vector<AuFrame> smooth_in_time(const std::vector<AuFrame>& in, double fps, double time_sigma_s,
                                    double value_sigma) {
  const int n = int(in.size());
  const double st = std::max(1e-6, time_sigma_s * fps);  // in frames
  const int radius = std::max(0, int(std::ceil(2.5 * st)));
  std::vector<double> wt(radius + 1);
  for (int d = 0; d <= radius; ++d) wt[d] = std::exp(-0.5 * d * d / (st * st));
  const double inv2v = 1.0 / (2 * value_sigma * value_sigma);
  std::vector<AuFrame> out(in);
  for (int t = 0; t < n; ++t)
    for (int k = 0; k < kNumAus; ++k) {
      double sum = 0, wsum = 0;
      const double c = in[t][k];
      for (int d = -radius; d <= radius; ++d) {
        int u = t + d;
        if (u < 0 || u >= n) continue;
        double dv = in[u][k] - c;
        double w = wt[std::abs(d)] * std::exp(-dv * dv * inv2v);
        sum += w * in[u][k];
        wsum += w;
      }
      out[t][k] = float(std::clamp(sum / wsum, 0.0, 1.0));
    }
  return out;
}

}  // namespace auhead::au_estimation
