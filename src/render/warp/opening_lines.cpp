#include "render/warp/opening_lines.h"

#include <cmath>
#include <limits>

namespace auhead::render::warp {

std::vector<cv::Point> opening_polygon(const std::vector<cv::Point2f>& face, const std::array<int, 11>& forward,
                                       const std::array<int, 11>& back) {
  std::vector<cv::Point> poly;
  for (int i : forward) poly.emplace_back(cvRound(face[std::size_t(i)].x), cvRound(face[std::size_t(i)].y));
  for (auto it = back.rbegin(); it != back.rend(); ++it)
    poly.emplace_back(cvRound(face[std::size_t(*it)].x), cvRound(face[std::size_t(*it)].y));
  return poly;
}

float line_y_at(const std::array<int, 11>& path, const std::vector<cv::Point2f>& face, float x) {
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    const cv::Point2f a = face[std::size_t(path[i])], b = face[std::size_t(path[i + 1])];
    if ((x >= a.x && x <= b.x) || (x >= b.x && x <= a.x)) {
      float t = std::abs(b.x - a.x) > 1e-4f ? (x - a.x) / (b.x - a.x) : 0.5f;
      return a.y + t * (b.y - a.y);
    }
  }
  return std::numeric_limits<float>::quiet_NaN();
}

}  // namespace auhead::render::warp
