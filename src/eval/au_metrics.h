// AU accuracy of a predicted (or measured) AU sequence against ground truth: per AU the mean
// absolute error, Pearson correlation, and activation precision/recall at a threshold (0.1).
#pragma once
#include <vector>

#include "auhead/au_sequence.h"

namespace auhead::eval {

struct AuChannelMetrics {
  int au = 0;
  double mae = 0;
  double pearson = 0;     // NaN when either series is constant
  double precision = 0;   // of frames predicted active (>= threshold), the fraction active in truth; NaN if none
  double recall = 0;      // of frames active in truth, the fraction predicted active; NaN if none
  int truth_active = 0;   // frames active in truth
  int pred_active = 0;    // frames predicted active
};

struct AuMetrics {
  int frames = 0;                    // frames compared
  double threshold = 0.1;
  std::vector<AuChannelMetrics> channels;
  // Means over the channels (NaN entries skipped).
  double mean_mae = 0, mean_pearson = 0, mean_precision = 0, mean_recall = 0;
};

// Compares `pred` with `truth` on `channels` (all 30 when empty). A different frame rate is
// resampled to the truth's (monotone cubic); the shorter length is compared.
AuMetrics compare_aus(const AuSequence& truth, const AuSequence& pred, const std::vector<int>& channels = {},
                      double threshold = 0.1);

}  // namespace auhead::eval
