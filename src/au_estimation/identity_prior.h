// The shape prior that lets one photo be read: smooth deformations of the canonical face that people
// are born with (eye spacing and size, brow height, nose length and width, mouth width and height,
// lip thickness, chin length, face proportions), each with the spread it has among adults. Fitted
// together with the AUs, they take up how a face is built, so that a neutral face reads near zero
// while a movement that no build explains (a smile's raised corners) still reads as an AU.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "face/canonical_face.h"

namespace auhead::au_estimation {

struct IdentityMode {
  std::string name;
  std::vector<cv::Vec3f> field;  // 468 displacements (canonical cm) at coefficient 1
  float sigma = 1;               // prior standard deviation of the coefficient
};

// The modes, built on the canonical face's vertices (symmetric: both halves move together).
std::vector<IdentityMode> identity_modes(const face::CanonicalFace& canonical);

}  // namespace auhead::au_estimation
