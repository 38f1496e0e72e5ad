// Small, smooth head motion for a talking head: seeded slow noise on yaw, pitch and roll, nods
// tied to speech activity (read from the mouth AUs), a gentle drift, all smoothed over time.
// Applied to the landmarks in 3-D around a pivot in the neck; the warp mesh's rings follow them.
#pragma once
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au_sequence.h"

namespace auhead::render::warp {

struct HeadMotionPose {
  double yaw = 0, pitch = 0, roll = 0;  // degrees; pitch > 0: chin down (a nod)
  cv::Point2d shift;                    // in face widths
};

struct HeadMotionOptions {
  double yaw_deg = 2.2, pitch_deg = 1.2, roll_deg = 1.3;  // slow-noise amplitudes
  double nod_deg = 2.5;                                   // nod at full speech emphasis
  double shift = 0.006;                                   // drift, face widths
  double start_time = 0;  // seconds: the time of the first frame (a stream's window), for the noise
};

// One pose per frame of `aus`; the same seed gives the same motion. A sequence that carries its own
// head pose track (AuSequence::head_pose, e.g. read from a driving video) gets exactly that track.
std::vector<HeadMotionPose> head_motion(const AuSequence& aus, uint64_t seed, const HeadMotionOptions& options = {});

// The head motion as a map of points: 3-D rotation about `pivot` (frame pixels, z + away from the
// viewer), orthographic projection, shift scaled by `face_width`.
class HeadTransform {
 public:
  HeadTransform(const HeadMotionPose& pose, const cv::Point3f& pivot, float face_width);
  cv::Point2f apply(const cv::Point3f& p) const;

 private:
  cv::Matx33f r_;
  cv::Point3f pivot_;
  cv::Point2f shift_;
};

}  // namespace auhead::render::warp
