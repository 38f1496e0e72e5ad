// The portrait's own upper teeth (issue #14: "when the portrait shows its own teeth, use them").
// A photo whose mouth is open and shows teeth has them sampled once into a strip in mouth
// coordinates — across the mouth from one inner corner to the other, down from the upper inner lip
// in mouth widths — with a weight per pixel (teeth: lighter and greyer than the lips). When the
// mouth opens in a frame, the mouth interior shows this strip bottom-aligned under the upper lip:
// the incisal edges lead and the lip covers the teeth's upper part, as in speech, in the photo's own
// colours and lighting, instead of drawn teeth.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

// How much a pixel looks like teeth beside lips of colour `lip` (both Lab, 8-bit scale as OpenCV
// writes it): lighter than the lips and with less of their hue (teeth under a coloured light keep
// chroma of their own, but not the lips' red); 0..1, 0.5 at 12 levels lighter and 0.6 of the lips'
// chroma. A black-and-white photo (lips without chroma) decides by lightness alone.
float teeth_likeness(const cv::Vec3b& lab, const cv::Scalar& lip);

class OwnTeeth {
 public:
  OwnTeeth() = default;  // none
  // `framed`: the portrait in the output frame (RGB) before any neutralisation; `face`: its 468
  // landmarks there (frame pixels). `white`: the colour of something white in the photo (the eyes'
  // sclera; 0 when unknown), whose cast is divided out before the colours are tested.
  OwnTeeth(const cv::Mat& framed, const std::vector<cv::Point2f>& face, const cv::Vec3f& white = {});

  // True when enough of the mouth's middle shows teeth to use them.
  bool present() const { return present_; }
  // Teeth height at `u` (0..1, corner to corner), in mouth widths (0 where the photo shows none).
  float height(float u) const;
  // The teeth at `u`, `above_edge` mouth widths above their incisal edge: colour (RGB, 0..255) and
  // weight (0..1; 0 outside the teeth).
  void sample(float u, float above_edge, cv::Vec3f& colour, float& weight) const;

  static constexpr int kColumns = 96, kRowsPerWidth = 240, kRows = 72;  // the strip: 0.3 widths deep

 private:
  bool present_ = false;
  cv::Mat colour_;           // CV_32FC3, kRows × kColumns
  cv::Mat weight_;           // CV_32F, same size
  std::vector<float> edge_;  // per column: the incisal edge's row (−1: no teeth)
  std::vector<float> fade_;  // per column: 1 inside the teeth's span, fading to 0 at its ends
};

}  // namespace auhead::render::warp
