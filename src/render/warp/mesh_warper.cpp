#include "render/warp/mesh_warper.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace auhead::render::warp {

MeshWarper::MeshWarper(cv::Size size, std::vector<std::array<int, 3>> triangles)
    : size_(size), triangles_(std::move(triangles)) {
  identity_.create(size_, CV_32FC2);
  for (int y = 0; y < size_.height; ++y) {
    auto* row = identity_.ptr<cv::Vec2f>(y);
    for (int x = 0; x < size_.width; ++x) row[x] = cv::Vec2f(float(x), float(y));
  }
  identity_.copyTo(map_);
}

void MeshWarper::build_map(const std::vector<cv::Point2f>& source, const std::vector<cv::Point2f>& target) {
  CV_Assert(source.size() == target.size());
  identity_.copyTo(map_);
  const int W = size_.width, H = size_.height;
  for (const auto& tri : triangles_) {
    const cv::Point2f &t0 = target[tri[0]], &t1 = target[tri[1]], &t2 = target[tri[2]];
    double area2 = double(t1.x - t0.x) * (t2.y - t0.y) - double(t2.x - t0.x) * (t1.y - t0.y);
    if (std::abs(area2) < 1e-9) continue;
    // Barycentric coordinates as affine functions of the pixel: l_i = a_i x + b_i y + c_i.
    const cv::Point2f* t[3] = {&t0, &t1, &t2};
    double a[3], b[3], c[3];
    for (int i = 0; i < 3; ++i) {
      const cv::Point2f& p = *t[(i + 1) % 3];
      const cv::Point2f& q = *t[(i + 2) % 3];
      a[i] = (p.y - q.y) / area2;
      b[i] = (q.x - p.x) / area2;
      c[i] = (double(p.x) * q.y - double(q.x) * p.y) / area2;
    }
    // Source position = sum l_i s_i: an affine map of the pixel.
    const cv::Point2f &s0 = source[tri[0]], &s1 = source[tri[1]], &s2 = source[tri[2]];
    double mx_a = a[0] * s0.x + a[1] * s1.x + a[2] * s2.x, mx_b = b[0] * s0.x + b[1] * s1.x + b[2] * s2.x,
           mx_c = c[0] * s0.x + c[1] * s1.x + c[2] * s2.x;
    double my_a = a[0] * s0.y + a[1] * s1.y + a[2] * s2.y, my_b = b[0] * s0.y + b[1] * s1.y + b[2] * s2.y,
           my_c = c[0] * s0.y + c[1] * s1.y + c[2] * s2.y;
    float miny = std::min({t0.y, t1.y, t2.y}), maxy = std::max({t0.y, t1.y, t2.y});
    float minx = std::min({t0.x, t1.x, t2.x}), maxx = std::max({t0.x, t1.x, t2.x});
    int y0 = std::max(0, int(std::ceil(miny - 1e-3f))), y1 = std::min(H - 1, int(std::floor(maxy + 1e-3f)));
    const double eps = 1e-5;
    for (int y = y0; y <= y1; ++y) {
      // Interval of x where every l_i >= -eps.
      double xl = std::max(0.0, std::ceil(minx - 1e-3)), xr = std::min(double(W - 1), std::floor(maxx + 1e-3));
      double lo = -1e300, hi = 1e300;
      bool empty = false;
      for (int i = 0; i < 3; ++i) {
        double k = b[i] * y + c[i] + eps;  // l_i + eps = a_i x + k >= 0
        if (a[i] > 1e-12) lo = std::max(lo, -k / a[i]);
        else if (a[i] < -1e-12) hi = std::min(hi, -k / a[i]);
        else if (k < 0) empty = true;
      }
      if (empty) continue;
      int x0 = int(std::max(xl, std::ceil(lo))), x1 = int(std::min(xr, std::floor(hi)));
      if (x0 > x1) continue;
      auto* row = map_.ptr<cv::Vec2f>(y);
      double sx = mx_a * x0 + mx_b * y + mx_c, sy = my_a * x0 + my_b * y + my_c;
      for (int x = x0; x <= x1; ++x, sx += mx_a, sy += my_a) row[x] = cv::Vec2f(float(sx), float(sy));
    }
  }
}

void MeshWarper::apply(const cv::Mat& source_image, cv::Mat& out) const {
  cv::remap(source_image, out, map_, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
}

}  // namespace auhead::render::warp
