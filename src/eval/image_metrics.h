// Identity and stability measures on frames: PSNR and SSIM (Wang et al. 2004, Gaussian 11×11,
// σ 1.5, on luma) restricted to a mask, mean absolute frame differences (flicker), the 2-D similarity
// that maps the portrait onto a frame, and the mask of the animated (face) region.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::eval {

// PSNR in dB of two 8-bit images of the same size and type over the non-zero pixels of `mask`
// (CV_8UC1; empty: all). Identical images give kPsnrCap.
inline constexpr double kPsnrCap = 100.0;
double psnr(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask = {});
// Mean SSIM of the luma (BT.601) over the mask's pixels.
double ssim(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask = {});
// Mean absolute difference (0..255, all channels) over the mask.
double mean_abs_diff(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask = {});

// 255 inside the convex hull of `points` scaled by `grow` about its centroid, 0 elsewhere.
cv::Mat hull_mask(cv::Size size, const std::vector<cv::Point2f>& points, double grow);

// Mean and maximum over t of mean_abs_diff(frame t, frame t−1) inside `mask`.
struct Flicker {
  double mean = 0, max = 0;
};
Flicker flicker(const std::vector<cv::Mat>& frames, const std::vector<cv::Mat>& masks);

// Landmark jitter: mean |p(t+1) − 2 p(t) + p(t−1)| over points and frames (the second difference,
// which ignores steady motion), divided by `scale` (e.g. the inter-ocular distance).
double landmark_jitter(const std::vector<std::vector<cv::Point2f>>& tracks, double scale);

}  // namespace auhead::eval
