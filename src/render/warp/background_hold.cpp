#include "render/warp/background_hold.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>

#include <opencv2/imgproc.hpp>

#include "core/note.h"
#include "core/smoothstep.h"
#include "face/face_analyzer.h"
#include "face/person_segmenter.h"
#include "render/warp/face_regions.h"

namespace auhead::render::warp {

namespace {

constexpr float kBackground = 0.15f, kPerson = 0.6f;  // weights: background up to, person from

// Bilinear sample of a CV_32F image at a continuous pixel position (edges clamped).
float sample(const cv::Mat& m, float x, float y) {
  x = std::clamp(x, 0.f, float(m.cols - 1));
  y = std::clamp(y, 0.f, float(m.rows - 1));
  int x0 = std::min(int(x), std::max(0, m.cols - 2)), y0 = std::min(int(y), std::max(0, m.rows - 2));
  int x1 = std::min(x0 + 1, m.cols - 1), y1 = std::min(y0 + 1, m.rows - 1);
  float fx = x - float(x0), fy = y - float(y0);
  const float *r0 = m.ptr<float>(y0), *r1 = m.ptr<float>(y1);
  return (r0[x0] * (1 - fx) + r0[x1] * fx) * (1 - fy) + (r1[x0] * (1 - fx) + r1[x1] * fx) * fy;
}

}  // namespace

BackgroundHold::BackgroundHold(const cv::Mat& framed_rgb, const std::vector<cv::Point2f>& face) {
  if (face.size() < 468 || framed_rgb.empty()) return;
  // An install from before the segmenter came (its models folder lacks the file) renders as it did,
  // with a note, rather than failing.
  std::error_code ec;
  if (!std::filesystem::exists(face::default_face_models_dir() / "selfie_segmentation.tflite", ec)) {
    static std::once_flag noted;
    std::call_once(noted, [] {
      print_note("the selfie segmentation model is missing (run scripts/setup.sh): the background moves with the head");
    });
    return;
  }
  cv::Mat person = face::PersonSegmenter::shared().segment(framed_rgb);
  cv::Point2f c(0, 0);
  for (int i : kFaceOval) c += face[i] / float(kFaceOval.size());
  std::vector<cv::Point> grown, tight;
  for (int i : kFaceOval) {
    cv::Point2f d = face[i] - c;
    grown.emplace_back(cvRound((c.x + 1.15f * d.x) * 8), cvRound((c.y + 1.15f * d.y) * 8));
    tight.emplace_back(cvRound(face[i].x * 8), cvRound(face[i].y * 8));
  }
  cv::Mat inside(person.size(), CV_8U, cv::Scalar(0));
  cv::fillConvexPoly(inside, tight, cv::Scalar(255), cv::LINE_8, 3);
  if (cv::countNonZero(inside) == 0 || cv::mean(person, inside)[0] < 0.5) return;
  cv::Mat face_area(person.size(), CV_8U, cv::Scalar(0));
  cv::fillConvexPoly(face_area, grown, cv::Scalar(255), cv::LINE_AA, 3);
  cv::Mat f;
  face_area.convertTo(f, CV_32F, 1.0 / 255.0);
  cv::max(person, f, person);
  person_ = person;
  // Clearance: a pixel whose map moves it less than this far still fetches background, so its
  // weight is 0 without sampling the mask at the far end.
  cv::Mat background = person_ <= kBackground;
  cv::distanceTransform(background, clearance_, cv::DIST_L2, cv::DIST_MASK_PRECISE);
  row_has_background_.resize(std::size_t(person_.rows));
  for (int y = 0; y < person_.rows; ++y) {
    const float* p = person_.ptr<float>(y);
    row_has_background_[std::size_t(y)] = std::any_of(p, p + person_.cols, [](float v) { return v < kPerson; });
  }
}

void BackgroundHold::apply(cv::Mat& map) const {
  if (person_.empty() || map.size() != person_.size() || map.type() != CV_32FC2) return;
  for (int y = 0; y < map.rows; ++y) {
    if (!row_has_background_[std::size_t(y)]) continue;
    auto* m = map.ptr<cv::Vec2f>(y);
    const float* p = person_.ptr<float>(y);
    const float* clear = clearance_.ptr<float>(y);
    for (int x = 0; x < map.cols; ++x) {
      if (p[x] >= kPerson) continue;  // the person: the warp as it is
      cv::Vec2f d(m[x][0] - float(x), m[x][1] - float(y));
      float moved = std::abs(d[0]) + std::abs(d[1]);  // ≥ the Euclidean distance
      if (moved < 1e-4f) continue;
      float w = moved < clear[x] - 1.5f ? 0.f : smoothstep(kBackground, kPerson, std::max(p[x], sample(person_, m[x][0], m[x][1])));
      m[x] = cv::Vec2f(float(x) + w * d[0], float(y) + w * d[1]);
    }
  }
}

BackgroundMotion background_motion(const cv::Mat& map, const cv::Mat& person, int band) {
  BackgroundMotion r;
  if (person.empty() || map.size() != person.size() || map.type() != CV_32FC2) return r;
  cv::Mat outside = person < 0.5f, dist;
  cv::distanceTransform(outside, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE);
  double sum = 0;
  for (int y = 0; y < map.rows; ++y) {
    const auto* m = map.ptr<cv::Vec2f>(y);
    const float* d = dist.ptr<float>(y);
    for (int x = 0; x < map.cols; ++x) {
      if (d[x] <= 0 || d[x] > float(band)) continue;
      double moved = std::hypot(double(m[x][0]) - x, double(m[x][1]) - y);
      sum += moved;
      r.max_px = std::max(r.max_px, moved);
      ++r.pixels;
    }
  }
  r.mean_px = r.pixels ? sum / double(r.pixels) : 0;
  return r;
}

}  // namespace auhead::render::warp
