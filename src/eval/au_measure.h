// AUs measured back from a video frame's face mesh, so that a rendered video can be scored against
// the AUs it was asked to show. Geometry is read in the pose-free canonical frame (cm) and calibrated
// with the project's own AU basis: the feature change that AU = 1 produces on the reference face.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au_sequence.h"
#include "face/face_analyzer.h"

namespace auhead::eval {

// The AUs this module measures (README "Evaluation"):
//   0/1   eye closure L/R     — upper/lower lid gap, 386–374 (left) and 159–145 (right), closing
//   6/7   brow raise L/R      — mean height of brow points (336 296 334 293 300 / mirrors) above the nose tip 1
//   8     jaw drop            — inner-lip gap 13–14 (lips part adds ~0.3 of its own)
//   11/12 lip-corner raise L/R — height of the corner 291 (left) / 61 (right) above the nose tip 1
const std::vector<int>& measured_aus();

// One scalar per measured AU read from canonical landmarks (cm, y up); indexed by AU, others 0.
using AuFeatures = std::array<double, kNumAus>;
AuFeatures au_features(const std::vector<cv::Point3f>& aligned);

class AuMeasurer {
 public:
  // `reference`: the neutral face (the portrait, or the first frame), analysed. The feature change at
  // AU = 1 comes from deforming it with the AU basis (geometry::AuDeformer), one AU at a time.
  explicit AuMeasurer(const face::FaceResult& reference);
  // Direct form (tests): features of the neutral face and of each AU at intensity 1.
  AuMeasurer(const AuFeatures& neutral, const AuFeatures& at_one);

  // AU intensities in [0, 1] of a face (FaceAlignment::aligned landmarks); unmeasured AUs are 0.
  AuFrame measure(const std::vector<cv::Point3f>& aligned) const;
  AuFrame measure_features(const AuFeatures& f) const;
  // Inner-lip gap in cm: the mouth opening that lip sync is measured on.
  static double mouth_opening(const std::vector<cv::Point3f>& aligned);

  const AuFeatures& neutral() const { return neutral_; }
  const AuFeatures& at_one() const { return at_one_; }

 private:
  AuFeatures neutral_{}, at_one_{};
};

}  // namespace auhead::eval
