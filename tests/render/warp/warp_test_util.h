// Shared pieces of the warp renderer tests: the sample portrait, synthetic AU sequences, frame
// measurements.
#pragma once
#include <filesystem>
#include <functional>
#include <vector>

#include <opencv2/core.hpp>

#include "auhead/au_sequence.h"
#include "face/face_analyzer.h"
#include "render/portrait_scene.h"

namespace auhead::render::warp::test {

inline const std::filesystem::path kPortrait = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";

// True when the face models and the sample portrait are there (else the test skips).
bool have_inputs();
const cv::Mat& portrait();
const face::FaceResult& portrait_face();

#define SKIP_WITHOUT_INPUTS() \
  if (!have_inputs()) GTEST_SKIP() << "face models (scripts/setup.sh) or sample portrait missing"

// The sample portrait framed at `size` and its landmarks there (frame pixel coordinates).
struct Framed {
  Framing framing;
  std::vector<cv::Point2f> face;
};
Framed framed(int size = 512);

// Frames of the warp renderer for `aus` at `size`; keep_expression: the portrait as it is is the rest
// face (the renderer's mechanics are tested on it; neutralisation has tests of its own).
std::vector<cv::Mat> render_warp(const AuSequence& aus, int size = 512, bool still = true, uint64_t seed = 0,
                                 bool keep_expression = true);

AuSequence constant_aus(int frames, const AuFrame& value = {});

double psnr(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask = {});
double pearson(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace auhead::render::warp::test
