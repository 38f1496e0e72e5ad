// Shared fixture data for the geometry tests: the sample portrait analysed once per process.
#pragma once
#include <filesystem>
#include <memory>

#include "face/face_analyzer.h"

namespace auhead::geometry::test {

struct Portrait {
  face::FaceResult face;
  face::CanonicalFace canonical;
};

// The analysis of grace_hopper.jpg (matplotlib's sample portrait), or nullptr when the face models
// or the image are missing (tests then GTEST_SKIP).
const Portrait* sample_portrait();

}  // namespace auhead::geometry::test
