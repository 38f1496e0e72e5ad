#include "eval/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace auhead::eval {

double mean(std::span<const double> x) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (double v : x) s += v;
  return s / double(x.size());
}

double nan_mean(std::span<const double> x) {
  double s = 0;
  int n = 0;
  for (double v : x)
    if (!std::isnan(v)) s += v, ++n;
  return n ? s / n : std::numeric_limits<double>::quiet_NaN();
}

double nan_min(std::span<const double> x) {
  double m = std::numeric_limits<double>::quiet_NaN();
  for (double v : x)
    if (!std::isnan(v) && (std::isnan(m) || v < m)) m = v;
  return m;
}

double pearson(std::span<const double> a, std::span<const double> b) {
  const size_t n = std::min(a.size(), b.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (n < 3) return nan;
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= double(n), mb /= double(n);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    const double da = a[i] - ma, db = b[i] - mb;
    sab += da * db, saa += da * da, sbb += db * db;
  }
  // A series whose spread is rounding noise is constant.
  if (saa <= 1e-18 * n || sbb <= 1e-18 * n) return nan;
  return sab / std::sqrt(saa * sbb);
}

LagResult best_lag(std::span<const double> a, std::span<const double> b, int max_lag) {
  LagResult out;
  out.r = std::numeric_limits<double>::quiet_NaN();
  const int n = int(std::min(a.size(), b.size()));
  out.r_at_zero = pearson(a.first(n), b.first(n));
  for (int lag = -max_lag; lag <= max_lag; ++lag) {
    const int a0 = std::max(0, -lag), b0 = std::max(0, lag);
    const int len = std::min(int(a.size()) - a0, int(b.size()) - b0);
    if (len < 3) continue;
    const double r = pearson(a.subspan(a0, len), b.subspan(b0, len));
    if (std::isnan(r)) continue;
    // Ties go to the smaller |lag|.
    if (std::isnan(out.r) || r > out.r + 1e-12 || (std::abs(r - out.r) <= 1e-12 && std::abs(lag) < std::abs(out.lag)))
      out.r = r, out.lag = lag;
  }
  return out;
}

}  // namespace auhead::eval
