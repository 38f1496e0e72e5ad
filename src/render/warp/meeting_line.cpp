#include "render/warp/meeting_line.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace auhead::render::warp {

std::vector<cv::Point2f> smooth_stroke(const std::vector<cv::Point2f>& points, int samples) {
  if (points.size() < 3 || samples < 2) return points;
  const cv::Point2f a = points.front(), b = points.back(), chord = b - a;
  const float len2 = chord.dot(chord);
  if (len2 < 1e-6f) return points;
  const cv::Point2f normal(-chord.y, chord.x);  // length |chord|: offsets in chord lengths
  // Least squares for (a, b) in v = u(1 − u)(a + b u) over the inner points.
  double s11 = 0, s12 = 0, s22 = 0, r1 = 0, r2 = 0;
  for (std::size_t i = 1; i + 1 < points.size(); ++i) {
    cv::Point2f d = points[i] - a;
    double u = d.dot(chord) / len2, v = d.dot(normal) / len2;
    double f1 = u * (1 - u), f2 = f1 * u;
    s11 += f1 * f1, s12 += f1 * f2, s22 += f2 * f2, r1 += f1 * v, r2 += f2 * v;
  }
  double det = s11 * s22 - s12 * s12, ca = 0, cb = 0;
  if (std::abs(det) > 1e-12) {
    ca = (r1 * s22 - r2 * s12) / det;
    cb = (s11 * r2 - s12 * r1) / det;
  } else if (s11 > 1e-12) {
    ca = r1 / s11;
  }
  std::vector<cv::Point2f> out;
  for (int k = 0; k < samples; ++k) {
    double u = double(k) / (samples - 1), v = u * (1 - u) * (ca + cb * u);
    out.push_back(a + chord * float(u) + normal * float(v));
  }
  return out;
}

void draw_meeting_line(cv::Mat& frame, const std::vector<cv::Point2f>& line, float width, const cv::Vec3f& colour,
                       float strength) {
  if (line.size() < 2 || strength <= 0) return;
  cv::Rect box = cv::boundingRect(line);
  box.x -= 3, box.y -= 3, box.width += 6, box.height += 6;
  box &= cv::Rect(0, 0, frame.cols, frame.rows);
  if (box.area() <= 0) return;
  const int shift = 3;
  std::vector<cv::Point> pts;
  for (auto p : line) pts.emplace_back(cvRound((p.x - box.x) * 8), cvRound((p.y - box.y) * 8));
  cv::Mat mask(box.size(), CV_8U, cv::Scalar(0));
  const float length = float(cv::norm(line.front() - line.back()));
  // Full width in the middle, tapering to a third at the corners (lashes and lips thin out there).
  const float full = std::max(1.f, length * width);
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    float u = (float(i) + 0.5f) / float(pts.size() - 1);
    int thick = std::max(1, int(std::lround(full * (0.35f + 0.65f * std::sin(float(CV_PI) * u)))));
    cv::line(mask, pts[i], pts[i + 1], cv::Scalar(255), thick, cv::LINE_AA, shift);
  }
  cv::GaussianBlur(mask, mask, cv::Size(3, 3), 0.7);
  cv::Mat roi = frame(box);
  for (int y = 0; y < roi.rows; ++y)
    for (int x = 0; x < roi.cols; ++x) {
      float a = mask.at<uint8_t>(y, x) / 255.f * strength;
      if (a <= 0) continue;
      auto& px = roi.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) px[k] = cv::saturate_cast<uint8_t>(px[k] * (1 - a) + colour[k] * a);
    }
}

}  // namespace auhead::render::warp
