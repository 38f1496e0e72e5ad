// Small statistics shared by the evaluation metrics: mean, Pearson correlation (NaN when a series is
// constant, since correlation is undefined there), and a lagged correlation search.
#pragma once
#include <span>
#include <vector>

namespace auhead::eval {

double mean(std::span<const double> x);
// The mean and the minimum of the values that are not NaN (NaN when there are none).
double nan_mean(std::span<const double> x);
double nan_min(std::span<const double> x);
// Pearson r over the common length of a and b; NaN when fewer than 3 values or a constant series.
double pearson(std::span<const double> a, std::span<const double> b);

struct LagResult {
  int lag = 0;        // frames; > 0: b is late (b[t + lag] best matches a[t])
  double r = 0;       // Pearson r at that lag (NaN when undefined at every lag)
  double r_at_zero = 0;
};
// Pearson r of a[t] against b[t + lag] for |lag| <= max_lag, on the overlap of each shift.
LagResult best_lag(std::span<const double> a, std::span<const double> b, int max_lag);

}  // namespace auhead::eval
