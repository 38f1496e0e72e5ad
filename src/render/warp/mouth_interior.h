// What shows where the lips part: a dark oral cavity tinted by the portrait's lip colour, a tongue,
// and two rows of teeth with their gums — the upper row fixed to the skull, the lower row moving with
// the jaw (the photo's own upper teeth when it shows them) — composited inside the warped inner-lip
// line with a feathered edge. Lips that the portrait shows apart and the frame brings together get
// the line where they meet drawn.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au_sequence.h"
#include "render/warp/own_teeth.h"

namespace auhead::render::warp {

class MouthInterior {
 public:
  // `framed`: the portrait in the output frame (RGB); `face`: its 468 landmarks there (frame pixel
  // coordinates). Samples the colours and measures how far the portrait's own lips are apart.
  // lips_closed_at_rest: the renderer brings the portrait's lips together at rest (neutralisation),
  // so the interior is painted as they part beyond the rest face's lips, not only beyond the portrait's own opening.
  // own_teeth: the photo's own upper teeth, shown instead of drawn ones when present.
  // white: the colour of something white in the photo (the eyes' sclera; 0 when unknown), whose cast
  // the drawn teeth take, so that they are lit like the face (a blue-lit photo gets bluish teeth, not
  // ivory ones that read olive beside it).
  // rest: the landmarks of the face at rest (no AU; the neutralised face when the portrait's expression
  // is taken off; empty: `face`), from which the teeth's places are taken.
  MouthInterior(const cv::Mat& framed, const std::vector<cv::Point2f>& face, bool lips_closed_at_rest = false,
                OwnTeeth own_teeth = {}, cv::Vec3f white = {}, const std::vector<cv::Point2f>& rest = {});


  // For a portrait whose lips will be brought together: its teeth and mouth opening are filled
  // from the surrounding lips (inpainting inside the outer lip line), so that no sliver of teeth
  // shows between the closed lips and the lips keep their colour.
  // `white`: as for the constructor (the colour test sees the photo under white light).
  static void erase_teeth(cv::Mat& framed, const std::vector<cv::Point2f>& face, const cv::Vec3f& white = {});

  // Paints the interior into `frame` (RGB CV_8UC3) inside the inner lips of `face` (the frame's
  // deformed landmarks), to the extent that they are further apart than in the portrait. `aus`: the
  // frame's AUs (how far the lower lip uncovers the lower teeth).
  void compose(cv::Mat& frame, const std::vector<cv::Point2f>& face, const AuFrame& aus = {}) const;

  // How far apart the paired inner-lip points are, on average (pixels, along the mouth's vertical;
  // 0 for lips that meet or overlap).
  static float lip_gap(const std::vector<cv::Point2f>& face);

  // Where the teeth are in a frame: the incisal edges' midpoints (frame pixels), the face's downward
  // and left-to-right unit vectors, and the inter-ocular distance (pixels, landmarks 33-263). The
  // upper edge follows the skull (the rigid eye corners and nose bridge, from the rest face); the
  // lower edge follows the chin, starting a little above the upper one (the overbite) at rest, and
  // shows above the lower lip no more than that lip uncovers it (a little; more as the lower lip is
  // pulled down, AU16, or stretched, AU20).
  struct TeethPlacement {
    cv::Point2f upper_edge, lower_edge, down, across;
    float iod = 0;
  };
  TeethPlacement place_teeth(const std::vector<cv::Point2f>& face, const AuFrame& aus = {}) const;

  static constexpr float kUpperCrown = 0.11f, kLowerCrown = 0.09f;  // visible crown heights, inter-ocular units

 private:
  float own_gap_ = 0;     // the portrait's own lips apart (pixels)
  float source_gap_ = 0;  // the opening up to which the warped portrait shows its own mouth
  cv::Vec3f cavity_, teeth_, tongue_, seam_, gum_;
  std::vector<cv::Point2f> rest_;  // the rest face's landmarks (frame pixels)
  cv::Point2f rest_upper_edge_;    // the upper incisal edge's midpoint at rest
  cv::Point2f rest_down_;          // the rest face's downward unit vector
  OwnTeeth own_teeth_;
};

}  // namespace auhead::render::warp
