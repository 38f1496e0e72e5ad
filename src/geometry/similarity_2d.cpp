#include "geometry/similarity_2d.h"

#include <algorithm>

namespace auhead::geometry {

cv::Matx23d fit_similarity_2d(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to) {
  const size_t n = std::min(from.size(), to.size());
  if (n < 2) return cv::Matx23d(1, 0, 0, 0, 1, 0);
  cv::Point2d mf(0, 0), mt(0, 0);
  for (size_t i = 0; i < n; ++i) mf += cv::Point2d(from[i]), mt += cv::Point2d(to[i]);
  mf /= double(n), mt /= double(n);
  // With complex numbers: to − mt ≈ z · (from − mf), z = Σ conj(f)·t / Σ |f|².
  double re = 0, im = 0, ff = 0;
  for (size_t i = 0; i < n; ++i) {
    const cv::Point2d f = cv::Point2d(from[i]) - mf, t = cv::Point2d(to[i]) - mt;
    re += f.x * t.x + f.y * t.y;
    im += f.x * t.y - f.y * t.x;
    ff += f.x * f.x + f.y * f.y;
  }
  if (ff <= 0) return cv::Matx23d(1, 0, mt.x - mf.x, 0, 1, mt.y - mf.y);
  const double a = re / ff, b = im / ff;
  return cv::Matx23d(a, -b, mt.x - (a * mf.x - b * mf.y), b, a, mt.y - (b * mf.x + a * mf.y));
}

}  // namespace auhead::geometry
