// Portrait neutralisation in appearance: a smiling photo's cheeks keep the smile in their shading
// (the raised cheek's bulge, the nasolabial fold, the creases beside the mouth corners) after the
// landmarks are neutralised, and an expression classifier reads that alone as happy. This smooths
// the cheeks below 0.3 inter-ocular distances in proportion to the portrait's own smile, keeping the
// broad lighting and a little of the finest grain.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

// `framed`: the portrait in the output frame (RGB, changed in place); `face`: its 468 landmarks
// there; `mirror`: the face mesh's left-right vertex map; `smile`: 0 (nothing) .. 1 (full strength).
void relax_cheeks(cv::Mat& framed, const std::vector<cv::Point2f>& face, const std::vector<int>& mirror, float smile);

}  // namespace auhead::render::warp
