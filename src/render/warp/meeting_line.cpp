#include "render/warp/meeting_line.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace auhead::render::warp {

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
  const int thick = std::max(1, int(std::lround(length * width)));
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

}  // namespace auhead::render::warp
