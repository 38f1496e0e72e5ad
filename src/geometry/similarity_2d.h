// Least-squares 2-D similarity (scale, rotation, translation; Umeyama), for following a rigid part
// of a face from one set of landmarks to another: the portrait onto a video frame (eval), the skull
// from the rest face onto a frame (the warp renderer's teeth).
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::geometry {

// The similarity mapping `from` onto `to` (the first min(sizes) pairs); the identity for fewer than 2
// pairs, a translation when `from` has no spread.
cv::Matx23d fit_similarity_2d(const std::vector<cv::Point2f>& from, const std::vector<cv::Point2f>& to);

}  // namespace auhead::geometry
