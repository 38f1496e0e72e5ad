#include "geometry/landmark_image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace auhead::geometry {

const std::array<FacePartInfo, kNumFaceParts>& face_parts() {
  // Contours follow MediaPipe FaceMesh's connection lists (oval, brows, eyes, lips) plus the nose
  // bridge and base. Colours are ours: warm for the subject's left, cool for the right.
  static const std::array<FacePartInfo, kNumFaceParts> parts = {{
      {FacePart::oval, "face_oval", {230, 230, 230},
       {{10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
         148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109}},
       true},
      {FacePart::brow_left, "brow_left", {255, 170, 0}, {{300, 293, 334, 296, 336}, {276, 283, 282, 295, 285}}, false},
      {FacePart::brow_right, "brow_right", {0, 170, 255}, {{70, 63, 105, 66, 107}, {46, 53, 52, 65, 55}}, false},
      {FacePart::eye_left, "eye_left", {255, 60, 60},
       {{263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249}}, true},
      {FacePart::eye_right, "eye_right", {60, 90, 255},
       {{33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7}}, true},
      {FacePart::lips_outer, "lips_outer", {255, 40, 200},
       {{61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146}}, true},
      {FacePart::lips_inner, "lips_inner", {255, 255, 0},
       {{78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95}}, true},
      {FacePart::nose, "nose", {0, 220, 120}, {{168, 6, 197, 195, 5, 4, 1}, {98, 97, 2, 326, 327}}, false},
  }};
  return parts;
}

cv::Matx23d face_crop_transform(const std::vector<cv::Point3f>& lm, cv::Size size, double scale) {
  if (lm.empty() || size.width <= 0 || size.height <= 0) throw std::invalid_argument("face_crop_transform: empty input");
  float x0 = lm[0].x, x1 = x0, y0 = lm[0].y, y1 = y0;
  for (const auto& p : lm) {
    x0 = std::min(x0, p.x); x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y); y1 = std::max(y1, p.y);
  }
  double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  double side = scale * std::max(x1 - x0, y1 - y0);
  double s = std::min(size.width, size.height) / std::max(side, 1e-6);
  // Pixel-area coordinates: the crop centre lands on the output centre.
  return {s, 0, size.width / 2.0 - s * cx, 0, s, size.height / 2.0 - s * cy};
}

cv::Matx23d fit_image_transform(cv::Size image, cv::Size size) {
  double s = std::min(double(size.width) / image.width, double(size.height) / image.height);
  return {s, 0, (size.width - s * image.width) / 2, 0, s, (size.height - s * image.height) / 2};
}

cv::Mat draw_landmark_image(const std::vector<cv::Point3f>& lm, const cv::Matx23d& t, cv::Size size, int thickness) {
  cv::Mat img(size, CV_8UC3, cv::Scalar::all(0));
  constexpr int kShift = 4;  // sub-pixel vertex positions
  constexpr double kOne = 1 << kShift;
  for (const auto& part : face_parts()) {
    std::vector<std::vector<cv::Point>> lines;
    for (const auto& poly : part.polylines) {
      std::vector<cv::Point> pts;
      for (int i : poly) {
        if (i >= int(lm.size())) throw std::invalid_argument("draw_landmark_image: 468 landmarks needed");
        // OpenCV's pixel centres are at integers; our coordinates put them at +0.5.
        double x = t(0, 0) * lm[i].x + t(0, 1) * lm[i].y + t(0, 2) - 0.5;
        double y = t(1, 0) * lm[i].x + t(1, 1) * lm[i].y + t(1, 2) - 0.5;
        pts.emplace_back(int(std::lround(x * kOne)), int(std::lround(y * kOne)));
      }
      lines.push_back(std::move(pts));
    }
    cv::polylines(img, lines, part.closed, cv::Scalar(part.rgb[0], part.rgb[1], part.rgb[2]), thickness,
                  cv::LINE_AA, kShift);
  }
  return img;
}

}  // namespace auhead::geometry
