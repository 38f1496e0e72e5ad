#include "eval/au_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "eval/stats.h"

namespace auhead::eval {

namespace {
double mean_skip_nan(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v)
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / n : std::numeric_limits<double>::quiet_NaN();
}
}  // namespace

AuMetrics compare_aus(const AuSequence& truth, const AuSequence& pred_in, const std::vector<int>& channels_in,
                      double threshold) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  AuSequence pred = std::abs(pred_in.fps - truth.fps) > 1e-6 ? resample(pred_in, truth.fps) : pred_in;
  std::vector<int> channels = channels_in;
  if (channels.empty()) {
    channels.resize(kNumAus);
    std::iota(channels.begin(), channels.end(), 0);
  }
  AuMetrics m;
  m.threshold = threshold;
  m.frames = int(std::min(truth.frames.size(), pred.frames.size()));
  std::vector<double> maes, rs, ps, recs;
  for (int au : channels) {
    AuChannelMetrics c;
    c.au = au;
    std::vector<double> t(m.frames), p(m.frames);
    int tp = 0;
    double err = 0;
    for (int i = 0; i < m.frames; ++i) {
      t[i] = truth.frames[i][au], p[i] = pred.frames[i][au];
      err += std::abs(t[i] - p[i]);
      const bool ta = t[i] >= threshold, pa = p[i] >= threshold;
      c.truth_active += ta, c.pred_active += pa, tp += ta && pa;
    }
    c.mae = m.frames ? err / m.frames : nan;
    c.pearson = pearson(t, p);
    c.precision = c.pred_active ? double(tp) / c.pred_active : nan;
    c.recall = c.truth_active ? double(tp) / c.truth_active : nan;
    maes.push_back(c.mae), rs.push_back(c.pearson), ps.push_back(c.precision), recs.push_back(c.recall);
    m.channels.push_back(c);
  }
  m.mean_mae = mean_skip_nan(maes);
  m.mean_pearson = mean_skip_nan(rs);
  m.mean_precision = mean_skip_nan(ps);
  m.mean_recall = mean_skip_nan(recs);
  return m;
}

}  // namespace auhead::eval
