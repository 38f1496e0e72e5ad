// AUs read from image and video files: decoding, the face mesh of every frame (detected, then
// tracked from frame to frame as MediaPipe does and detected again when the face is lost; a video is
// meshed in chunks of up to 64 frames on two threads, each chunk starting with a detection), and the
// AuEstimator. What `auhead au --video/--image` and `generate --driving-video` run.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "au_estimation/au_estimator.h"
#include "auhead/au_sequence.h"
#include "face/head_pose.h"

namespace auhead::au_estimation {

struct MediaAus {
  AuSequence aus;                    // fps from the video (1 frame, fps 25 for an image)
  std::vector<face::HeadPose> poses; // per frame
  std::vector<double> residual_cm;   // per frame (NaN where no face was found)
  // Video: per frame the face's 468 landmarks in image pixels (z as FaceResult's); empty where no
  // face was found.
  std::vector<std::vector<cv::Point3f>> landmarks;
  std::vector<int> neutral_frames;   // video: the frames the subject's neutral came from
  int missing_frames = 0;            // frames without a face (bridged by interpolation)
  int faces_in_first = 0;            // faces the detector found where the face was first found
};

// Errors (auhead::Error, bad_input, naming the file): not a video, corrupt or truncated (fewer frames
// than the container announces, or decoding stopped at damage), no face in any frame, a face_index
// beyond the faces found.
MediaAus estimate_video_aus(const std::filesystem::path& video, int face_index = -1);
// One photo: AUs under the shape prior. Errors: those of image loading, no face found.
MediaAus estimate_image_aus(const std::filesystem::path& image, int face_index = -1);

}  // namespace auhead::au_estimation
