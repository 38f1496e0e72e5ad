// What shows where the lips part: a dark oral cavity tinted by the portrait's lip colour, the upper
// teeth under the upper lip once the mouth opens (the photo's own when it shows them), a hint of
// lower teeth and tongue when it opens wide; composited inside the warped inner-lip line with a
// feathered edge. Lips that the portrait
// shows apart and the frame brings together get the line where they meet drawn.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

#include "render/warp/own_teeth.h"

namespace auhead::render::warp {

class MouthInterior {
 public:
  // `framed`: the portrait in the output frame (RGB); `face`: its 468 landmarks there (frame pixel
  // coordinates). Samples the colours and measures how far the portrait's own lips are apart.
  // lips_closed_at_rest: the renderer brings the portrait's lips together at rest (neutralisation),
  // so the interior is painted whenever they part, not only beyond the portrait's own opening.
  // own_teeth: the photo's own upper teeth, shown instead of drawn ones when present.
  MouthInterior(const cv::Mat& framed, const std::vector<cv::Point2f>& face, bool lips_closed_at_rest = false,
                OwnTeeth own_teeth = {});

  // For a portrait whose lips will be brought together: its teeth and mouth opening are filled
  // from the surrounding lips (inpainting inside the outer lip line), so that no sliver of teeth
  // shows between the closed lips and the lips keep their colour.
  static void erase_teeth(cv::Mat& framed, const std::vector<cv::Point2f>& face);

  // Paints the interior into `frame` (RGB CV_8UC3) inside the inner lips of `face` (the frame's
  // deformed landmarks), to the extent that they are further apart than in the portrait.
  void compose(cv::Mat& frame, const std::vector<cv::Point2f>& face) const;

  // Mean distance between the paired inner-lip points (pixels).
  static float lip_gap(const std::vector<cv::Point2f>& face);

 private:
  float own_gap_ = 0;     // the portrait's own lips apart (pixels)
  float source_gap_ = 0;  // the opening up to which the warped portrait shows its own mouth
  cv::Vec3f cavity_, teeth_, tongue_, seam_;
  OwnTeeth own_teeth_;
};

}  // namespace auhead::render::warp
