// Eyes opened wider than in the portrait (fear, surprise: AU5 lid raise, AU1+2 brows). The warp
// stretches the eye opening with the lids, so the iris grows with it and the eye reads as bigger,
// not as wide open. This redraws a widened opening: the portrait's eye moved rigidly with its corners
// (the iris keeps its size and shape), the band the raised lid uncovers filled with the eye's own
// sclera, and the iris circle completed where the portrait's lid had cut it.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

class EyeOpening {
 public:
  // `framed`, `face`: the portrait in the output frame and its 468 landmarks (frame pixels).
  EyeOpening(const cv::Mat& framed, const std::vector<cv::Point2f>& face);
  // Redraws into `frame` the eyes that `face` (deformed landmarks) opens wider than the portrait.
  void compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const;

  struct Eye {
    bool usable = false;
    float opening = 0;          // mean lid distance in the portrait, pixels
    cv::Vec3f sclera, iris;     // colours (frame channel order): the sclera as the portrait shows it
    cv::Vec3f fill;             // the sclera drawn where a raised lid uncovers it (lighter, less coloured)
    cv::Point2f iris_centre;    // portrait frame pixels
    float iris_radius = 0;
  };
  const Eye& eye(int side) const { return eyes_[size_t(side)]; }  // 0: subject's right, 1: left

 private:
  cv::Mat framed_;
  std::vector<cv::Point2f> face_;
  std::array<Eye, 2> eyes_;
};

}  // namespace auhead::render::warp
