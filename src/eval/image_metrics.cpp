#include "eval/image_metrics.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "auhead/error.h"

namespace auhead::eval {

namespace {

void check_pair(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  if (a.size() != b.size() || a.type() != b.type() || a.depth() != CV_8U)
    throw Error(ExitCode::internal, "image metrics: images differ in size or type, or are not 8-bit");
  if (!mask.empty() && (mask.size() != a.size() || mask.type() != CV_8UC1))
    throw Error(ExitCode::internal, "image metrics: mask is not CV_8UC1 of the image size");
}

cv::Mat luma(const cv::Mat& img) {
  cv::Mat g;
  if (img.channels() == 3) cv::cvtColor(img, g, cv::COLOR_RGB2GRAY);
  else g = img;
  g.convertTo(g, CV_64F);
  return g;
}

}  // namespace

double psnr(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  check_pair(a, b, mask);
  cv::Mat d;
  cv::absdiff(a, b, d);
  d.convertTo(d, CV_64F);
  d = d.mul(d);
  const int n = mask.empty() ? a.rows * a.cols : cv::countNonZero(mask);
  if (n == 0) return std::nan("");
  const cv::Scalar s = cv::sum(mask.empty() ? d : [&] { cv::Mat m; d.copyTo(m, mask); return m; }());
  const double mse = (s[0] + s[1] + s[2] + s[3]) / (double(n) * a.channels());
  if (mse <= 0) return kPsnrCap;
  return std::min(kPsnrCap, 10.0 * std::log10(255.0 * 255.0 / mse));
}

double ssim(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  check_pair(a, b, mask);
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  cv::Mat x = luma(a), y = luma(b);
  auto blur = [](const cv::Mat& m) {
    cv::Mat o;
    cv::GaussianBlur(m, o, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REFLECT);
    return o;
  };
  cv::Mat mx = blur(x), my = blur(y);
  cv::Mat sxx = blur(x.mul(x)) - mx.mul(mx), syy = blur(y.mul(y)) - my.mul(my), sxy = blur(x.mul(y)) - mx.mul(my);
  cv::Mat num = (2 * mx.mul(my) + c1).mul(2 * sxy + c2);
  cv::Mat den = (mx.mul(mx) + my.mul(my) + c1).mul(sxx + syy + c2);
  cv::Mat map;
  cv::divide(num, den, map);
  if (mask.empty()) return cv::mean(map)[0];
  if (cv::countNonZero(mask) == 0) return std::nan("");
  return cv::mean(map, mask)[0];
}

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  check_pair(a, b, mask);
  cv::Mat d;
  cv::absdiff(a, b, d);
  if (!mask.empty() && cv::countNonZero(mask) == 0) return std::nan("");
  const cv::Scalar s = mask.empty() ? cv::mean(d) : cv::mean(d, mask);
  double t = 0;
  for (int c = 0; c < a.channels(); ++c) t += s[c];
  return t / a.channels();
}

cv::Mat hull_mask(cv::Size size, const std::vector<cv::Point2f>& points, double grow) {
  cv::Mat m = cv::Mat::zeros(size, CV_8UC1);
  if (points.size() < 3) return m;
  cv::Point2f c(0, 0);
  for (const auto& p : points) c += p;
  c *= 1.0f / float(points.size());
  std::vector<cv::Point2f> grown;
  for (const auto& p : points) grown.push_back(c + (p - c) * float(grow));
  std::vector<cv::Point2f> hull;
  cv::convexHull(grown, hull);
  std::vector<cv::Point> ip;
  for (const auto& p : hull) ip.emplace_back(int(std::lround(p.x)), int(std::lround(p.y)));
  cv::fillConvexPoly(m, ip, cv::Scalar(255), cv::LINE_8);
  return m;
}

Flicker flicker(const std::vector<cv::Mat>& frames, const std::vector<cv::Mat>& masks) {
  Flicker f;
  int n = 0;
  for (size_t t = 1; t < frames.size(); ++t) {
    const cv::Mat& m = t < masks.size() ? masks[t] : (masks.empty() ? cv::Mat() : masks.back());
    const double d = mean_abs_diff(frames[t], frames[t - 1], m);
    if (std::isnan(d)) continue;
    f.mean += d, f.max = std::max(f.max, d), ++n;
  }
  if (n) f.mean /= n;
  return f;
}

double landmark_jitter(const std::vector<std::vector<cv::Point2f>>& tracks, double scale) {
  double s = 0;
  long n = 0;
  for (size_t t = 1; t + 1 < tracks.size(); ++t) {
    const auto &a = tracks[t - 1], &b = tracks[t], &c = tracks[t + 1];
    if (a.empty() || b.empty() || c.empty()) continue;
    for (size_t i = 0; i < b.size() && i < a.size() && i < c.size(); ++i) {
      const cv::Point2f d = c[i] - 2 * b[i] + a[i];
      s += std::hypot(d.x, d.y), ++n;
    }
  }
  return n && scale > 0 ? s / n / scale : 0.0;
}

}  // namespace auhead::eval
