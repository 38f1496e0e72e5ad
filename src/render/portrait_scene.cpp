#include "render/portrait_scene.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace auhead::render {

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
  // A tight crop (a face that fills the photo) would leave most of the frame to padding: the crop
  // shrinks toward the largest square the photo holds, down to options.min_face_scale, and may slide
  // off the face's centre by up to 15 % of its side to stay inside the photo.
  const double W = portrait_rgb.cols, H = portrait_rgb.rows;
  auto fits = [&](double s) {
    double need_x = std::max(0.0, std::max(-(cx - s / 2), cx + s / 2 - W));
    double need_y = std::max(0.0, std::max(-(cy - s / 2), cy + s / 2 - H));
    return s <= W && s <= H && need_x <= 0.15 * s && need_y <= 0.15 * s;
  };
  if (!fits(side)) {
    const double smallest = std::max(8.0, std::max(box.width, box.height) * options.min_face_scale);
    double s = side;
    while (s > smallest && !fits(s)) s = std::max(smallest, s * 0.97);
    side = s;
  }
  // Slide toward the inside of the photo, by 15 % of the side at most.
  auto slide = [&](double c, double extent) {
    double inside = side <= extent ? std::clamp(c, side / 2, extent - side / 2) : extent / 2;
    return c + std::clamp(inside - c, -0.15 * side, 0.15 * side);
  };
  cx = slide(cx, W);
  cy = slide(cy, H);
  // Integer crop in portrait pixels (padded with the edge colour outside the image).
  int iside = int(std::lround(side));
  int x0 = int(std::lround(cx - iside * 0.5)), y0 = int(std::lround(cy - iside * 0.5));
  int pad_l = std::max(0, -x0), pad_t = std::max(0, -y0);
  int pad_r = std::max(0, x0 + iside - portrait_rgb.cols), pad_b = std::max(0, y0 + iside - portrait_rgb.rows);
  cv::Mat padded;
  if (pad_l || pad_t || pad_r || pad_b) {
    // The edge colour repeated outward makes streaks wherever the edge is not flat (a cropped ear,
    // hair, a collar). Away from the photo's edge it fades into blurs of itself, a light one within
    // 3 % of the frame and a heavy one by 12 %, so what lies beyond is a soft continuation of the
    // colours there.
    cv::copyMakeBorder(portrait_rgb, padded, pad_t, pad_b, pad_l, pad_r, cv::BORDER_REPLICATE);
    const double near = std::max(1.0, 0.03 * iside), far = std::max(2.0, 0.12 * iside);
    cv::Mat light, heavy;
    cv::GaussianBlur(padded, light, cv::Size(0, 0), std::max(1.0, 0.015 * iside));
    cv::GaussianBlur(padded, heavy, cv::Size(0, 0), std::max(1.0, 0.08 * iside));
    const cv::Rect photo(pad_l, pad_t, portrait_rgb.cols, portrait_rgb.rows);
    auto smooth = [](double t) {
      t = std::clamp(t, 0.0, 1.0);
      return t * t * (3 - 2 * t);
    };
    for (int y = 0; y < padded.rows; ++y) {
      const int dy = y < photo.y ? photo.y - y : std::max(0, y - (photo.y + photo.height - 1));
      auto* row = padded.ptr<cv::Vec3b>(y);
      const auto *a = light.ptr<cv::Vec3b>(y), *b = heavy.ptr<cv::Vec3b>(y);
      for (int x = 0; x < padded.cols; ++x) {
        const int dx = x < photo.x ? photo.x - x : std::max(0, x - (photo.x + photo.width - 1));
        if (!dx && !dy) continue;
        const double d = std::hypot(double(dx), double(dy));
        const double w1 = smooth(d / near), w2 = smooth((d - near) / (far - near));
        for (int k = 0; k < 3; ++k) {
          double v = row[x][k] * (1 - w1) + a[x][k] * w1;
          row[x][k] = cv::saturate_cast<uint8_t>(v * (1 - w2) + b[x][k] * w2);
        }
      }
    }
  } else {
    padded = portrait_rgb;
  }
  cv::Mat crop = padded(cv::Rect(x0 + pad_l, y0 + pad_t, iside, iside));
  Framing f;
  f.scale = double(size) / iside;
  int interp = iside > size ? cv::INTER_AREA : cv::INTER_CUBIC;
  cv::resize(crop, f.image, cv::Size(size, size), 0, 0, interp);
  f.portrait_to_frame = cv::Matx23d(f.scale, 0, -x0 * f.scale, 0, f.scale, -y0 * f.scale);
  return f;
}

PortraitScene place_portrait(const cv::Mat& portrait_rgb, const std::vector<cv::Point3f>& landmarks, int size,
                             const FramingOptions& options) {
  std::vector<cv::Point2f> xy;
  xy.reserve(landmarks.size());
  for (const auto& p : landmarks) xy.emplace_back(p.x, p.y);
  PortraitScene s;
  s.framing = frame_portrait(portrait_rgb, xy, size, options);
  double z = 0;
  for (const auto& p : landmarks) {
    s.face.push_back(s.framing.map({p.x, p.y}));
    z += p.z;
  }
  const cv::Rect2f box = point_bounds(s.face);
  s.face_width = box.width;
  z = z / double(landmarks.size()) * s.framing.scale;
  s.pivot = {box.x + box.width / 2, box.y + box.height * 0.8f, float(z + 0.65 * box.width)};
  return s;
}

}  // namespace auhead::render
