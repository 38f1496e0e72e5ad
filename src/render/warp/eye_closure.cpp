#include "render/warp/eye_closure.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "render/warp/face_regions.h"

namespace auhead::render::warp {

namespace {

template <std::size_t N>
float opening(const Opening<N>& o, const std::vector<cv::Point2f>& f) {
  float s = 0;
  for (std::size_t i = 1; i + 1 < N; ++i) s += float(cv::norm(f[o.upper[i]] - f[o.lower[i]]));
  return s / float(N - 2);
}

template <std::size_t N>
void draw_lash(cv::Mat& frame, const Opening<N>& o, const std::vector<cv::Point2f>& f, float strength,
               const cv::Vec3f& colour) {
  std::vector<cv::Point2f> line;
  for (std::size_t i = 0; i < N; ++i) line.push_back((f[o.upper[i]] + f[o.lower[i]]) * 0.5f);
  cv::Rect box = cv::boundingRect(line);
  box.x -= 3, box.y -= 3, box.width += 6, box.height += 6;
  box &= cv::Rect(0, 0, frame.cols, frame.rows);
  if (box.area() <= 0) return;
  const int shift = 3;
  std::vector<cv::Point> pts;
  for (auto p : line) pts.emplace_back(cvRound((p.x - box.x) * 8), cvRound((p.y - box.y) * 8));
  cv::Mat mask(box.size(), CV_8U, cv::Scalar(0));
  float eye_w = float(cv::norm(line.front() - line.back()));
  int thick = std::max(1, int(std::lround(eye_w * 0.045f)));
  cv::polylines(mask, std::vector<std::vector<cv::Point>>{pts}, false, cv::Scalar(255), thick, cv::LINE_AA, shift);
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

}  // namespace

std::pair<float, float> EyeClosure::openings(const std::vector<cv::Point2f>& face) {
  return {opening(kRightEye, face), opening(kLeftEye, face)};
}

EyeClosure::EyeClosure(const cv::Mat& framed, const std::vector<cv::Point2f>& face) {
  auto [r, l] = openings(face);
  open_[0] = r, open_[1] = l;
  // Lash colour: the darkest tone along the upper lid line, darkened further.
  cv::Vec3f sum(0, 0, 0);
  int n = 0;
  for (int i : kRightEye.upper) {
    cv::Point p(cvRound(face[i].x), cvRound(face[i].y));
    if (p.inside(cv::Rect(0, 0, framed.cols, framed.rows))) {
      cv::Vec3b c = framed.at<cv::Vec3b>(p);
      sum += cv::Vec3f(c[0], c[1], c[2]);
      ++n;
    }
  }
  lash_ = n ? sum * (0.45f / n) : cv::Vec3f(40, 30, 28);
}

void EyeClosure::compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const {
  auto [r, l] = openings(face);
  auto closure = [](float now, float was) {
    if (was < 0.5f) return 0.f;
    float c = 1.f - now / was;
    return std::clamp((c - 0.55f) / 0.4f, 0.f, 1.f);
  };
  float cr = closure(r, open_[0]), cl = closure(l, open_[1]);
  if (cr > 0) draw_lash(frame, kRightEye, face, 0.55f * cr, lash_);
  if (cl > 0) draw_lash(frame, kLeftEye, face, 0.55f * cl, lash_);
}

}  // namespace auhead::render::warp
