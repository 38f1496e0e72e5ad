// Face analysis of a portrait, the whole pipeline: BlazeFace detection → FaceMesh on a crop rotated
// by the eye keypoints → a second FaceMesh pass cropped from the first mesh → head pose and the
// alignment to the canonical face. Also the result's JSON form and the mesh overlay drawing.
#pragma once
#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core.hpp>

#include "face/canonical_face.h"
#include "face/face_detector.h"
#include "face/face_mesh.h"
#include "face/head_pose.h"

namespace auhead::face {

// Which landmark model places the 468 points. Both give MediaPipe's indexing; the attention mesh
// (face_landmark_with_attention.tflite) re-places the lip and eye contours with its own heads, so
// closed eyes and lips read as closed (FaceMesh v1 keeps a shut eye at two thirds open).
enum class MeshModel { face_mesh, attention };
const char* mesh_model_name(MeshModel m);  // "face_mesh" / "attention"

// All coordinates are image pixels of the original image, origin at its top-left corner
// (continuous: the image spans [0, width] × [0, height]); z is depth relative to the face, in
// pixels, larger = farther from the camera.
struct FaceResult {
  cv::Size image_size;
  std::vector<cv::Point3f> landmarks;    // kMeshPoints (MediaPipe FaceMesh indexing)
  MeshModel mesh_model = MeshModel::face_mesh;  // the model that placed them
  cv::Rect2f box;                        // the detector's face box
  std::array<cv::Point2f, 6> keypoints;  // the detector's keypoints (FaceKeypoint order)
  float detection_score = 0;
  float presence = 0;                    // FaceMesh face-presence probability (second pass)
  float confidence = 0;                  // detection_score × presence
  int faces_found = 0;                   // faces the detector found
  int face_index = 0;                    // which one this is (faces ordered largest first)
  FaceAlignment alignment;               // head pose, similarity to the canonical face
};

// Where the face models are: models_dir()/face (core/data_path.h).
std::filesystem::path default_face_models_dir();


class FaceAnalyzer {
 public:
  // Loads face_detection_short_range.tflite, the landmark model (face_landmark.tflite, or
  // face_landmark_with_attention.tflite) and geometry_pipeline_metadata_landmarks.binarypb from
  // `models_dir` (scripts/setup.sh puts them there); a missing folder or file is an "unavailable" error.
  explicit FaceAnalyzer(const std::filesystem::path& models_dir = default_face_models_dir(),
                        MeshModel mesh = MeshModel::face_mesh);
  ~FaceAnalyzer();
  // One analyzer on the default models folder, loaded on first use, for the whole process (its
  // methods are const and keep no state between calls). This one places the points the renderers
  // warp (FaceMesh v1: a smooth mesh; the refined contours can fold a warp triangle).
  static const FaceAnalyzer& shared();
  // The analyzer that reads expressions (AU estimation from photos and videos, evaluation): the
  // attention mesh when its model is in the models folder, else FaceMesh v1. The environment
  // variable AUHEAD_FACE_MESH=face_mesh keeps FaceMesh v1 for reading too.
  static const FaceAnalyzer& reader();
  // The model reader() uses on this machine.
  static MeshModel reading_mesh_model();

  MeshModel mesh_model() const { return mesh_model_; }

  // All faces the detector finds, largest box first.
  std::vector<FaceDetection> detect(const cv::Mat& rgb) const;

  // Analyses one face of an 8-bit RGB image. face_index < 0: the largest face. `source` names the
  // image in errors: no face → input error "<source>: no face found"; a face_index beyond the
  // faces found → input error.
  FaceResult analyze(const cv::Mat& rgb, const std::string& source, int face_index = -1) const;
  // The same for faces already detected (detect()'s result) and the index of one of them.
  FaceResult analyze(const cv::Mat& rgb, const std::vector<FaceDetection>& faces, int index) const;

  // Video: the face of the next frame from the previous frame's landmarks (one FaceMesh pass on the
  // crop they give, as MediaPipe tracks), with pose; nothing when the mesh says the face is gone
  // (presence below `min_presence`), so that the caller detects again.
  std::optional<FaceResult> track(const cv::Mat& rgb, const FaceResult& previous, float min_presence = 0.5f) const;

  // The landmarks of one detected face (the two FaceMesh passes), without pose.
  MeshResult mesh(const cv::Mat& rgb, const FaceDetection& detection) const;

  const CanonicalFace& canonical() const { return canonical_; }

 private:
  FaceDetector detector_;
  FaceMesh mesh_;
  MeshModel mesh_model_;
  CanonicalFace canonical_;
};

// The result as JSON (schema "auhead.face/1"; numbers rounded to 1/1000 px).
nlohmann::json face_result_to_json(const FaceResult& r);

// Draws the mesh (the canonical face's triangles), the box and the keypoints onto an 8-bit
// 3-channel image in place (colours assume BGR, as cv::imwrite expects).
void draw_face(cv::Mat& bgr, const FaceResult& r, const CanonicalFace& canonical);

}  // namespace auhead::face
