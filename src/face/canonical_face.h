// MediaPipe's canonical face model (face_geometry's geometry_pipeline_metadata_landmarks.binarypb):
// the 468 mesh vertices of a frontal neutral face in centimetres, its triangles, and the weighted
// landmark subset MediaPipe uses for Procrustes fitting. Frame: x to the viewer's right, y up,
// z toward the viewer.
#pragma once
#include <array>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::face {

struct CanonicalFace {
  std::vector<cv::Point3f> vertices;           // 468
  std::vector<std::array<int, 3>> triangles;   // indices into vertices
  std::vector<std::pair<int, float>> procrustes_weights;  // (landmark, weight)

  // Reads the protobuf (a small hand-written wire-format reader); bad files are input errors.
  static CanonicalFace load(const std::filesystem::path& file);
  // The one in face::default_face_models_dir(), loaded once per process; an unavailable error when
  // it is missing (scripts/setup.sh fetches it).
  static const CanonicalFace& standard();
};

}  // namespace auhead::face
