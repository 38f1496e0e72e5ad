#include "render/warp/portrait_framing.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace auhead::render::warp {

cv::Point2f Framing::map(const cv::Point2f& p) const {
  const auto& m = portrait_to_frame;
  return {float(m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2)), float(m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2))};
}

cv::Rect2f point_bounds(const std::vector<cv::Point2f>& points) {
  if (points.empty()) return {};
  float x0 = points[0].x, x1 = x0, y0 = points[0].y, y1 = y0;
  for (const auto& p : points) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

Framing frame_portrait(const cv::Mat& portrait_rgb, const std::vector<cv::Point2f>& landmarks, int size,
                       const FramingOptions& options) {
  CV_Assert(portrait_rgb.type() == CV_8UC3 && !landmarks.empty() && size > 0);
  cv::Rect2f box = point_bounds(landmarks);
  double side = std::max(box.width, box.height) * options.face_scale;
  side = std::max(side, 8.0);
  double cx = box.x + box.width * 0.5, cy = box.y + box.height * (0.5 + options.center_down);
  // Integer crop in portrait pixels (padded with the edge colour outside the image).
  int iside = int(std::lround(side));
  int x0 = int(std::lround(cx - iside * 0.5)), y0 = int(std::lround(cy - iside * 0.5));
  int pad_l = std::max(0, -x0), pad_t = std::max(0, -y0);
  int pad_r = std::max(0, x0 + iside - portrait_rgb.cols), pad_b = std::max(0, y0 + iside - portrait_rgb.rows);
  cv::Mat padded;
  if (pad_l || pad_t || pad_r || pad_b)
    cv::copyMakeBorder(portrait_rgb, padded, pad_t, pad_b, pad_l, pad_r, cv::BORDER_REPLICATE);
  else
    padded = portrait_rgb;
  cv::Mat crop = padded(cv::Rect(x0 + pad_l, y0 + pad_t, iside, iside));
  Framing f;
  f.scale = double(size) / iside;
  int interp = iside > size ? cv::INTER_AREA : cv::INTER_CUBIC;
  cv::resize(crop, f.image, cv::Size(size, size), 0, 0, interp);
  f.portrait_to_frame = cv::Matx23d(f.scale, 0, -x0 * f.scale, 0, f.scale, -y0 * f.scale);
  return f;
}

}  // namespace auhead::render::warp
