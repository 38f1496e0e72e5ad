// The face pipeline (MediaPipe FaceMesh's CPU graph without tracking): detection, two mesh passes,
// pose; plus its JSON form and overlay drawing.
#include "face/face_analyzer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "auhead/error.h"
#include "core/data_path.h"
#include "build_config.h"

namespace auhead::face {

namespace fs = std::filesystem;

namespace {
const char* kDetectorFile = "face_detection_short_range.tflite";
const char* kMeshFile = "face_landmark.tflite";
const char* kAttentionMeshFile = "face_landmark_with_attention.tflite";
const char* kGeometryFile = "geometry_pipeline_metadata_landmarks.binarypb";

fs::path need(const fs::path& dir, const char* name) {
  fs::path p = dir / name;
  if (!fs::exists(p))
    throw unavailable_error("face model " + p.string() + " is missing (run scripts/setup.sh)");
  return p;
}

double r3(double v) { return std::round(v * 1e3) / 1e3; }
double r6(double v) { return std::round(v * 1e6) / 1e6; }
}  // namespace

fs::path default_face_models_dir() {
  return models_dir() / "face";
}

const char* mesh_model_name(MeshModel m) {
  return m == MeshModel::attention ? "attention" : "face_mesh";
}

FaceAnalyzer::FaceAnalyzer(const fs::path& dir, MeshModel mesh)
    : detector_(need(dir, kDetectorFile)),
      mesh_(need(dir, mesh == MeshModel::attention ? kAttentionMeshFile : kMeshFile)),
      mesh_model_(mesh),
      canonical_(CanonicalFace::load(need(dir, kGeometryFile))) {
  if (mesh_.refines() != (mesh == MeshModel::attention))
    throw input_error((dir / (mesh == MeshModel::attention ? kAttentionMeshFile : kMeshFile)).string(),
                      mesh == MeshModel::attention ? "not the attention mesh (no lip and eye outputs)"
                                                   : "has the attention mesh's outputs; expected FaceMesh v1");
}
FaceAnalyzer::~FaceAnalyzer() = default;

const FaceAnalyzer& FaceAnalyzer::shared() {
  static const FaceAnalyzer analyzer;
  return analyzer;
}

MeshModel FaceAnalyzer::reading_mesh_model() {
  const char* choice = std::getenv("AUHEAD_FACE_MESH");
  if (choice && std::string(choice) == "face_mesh") return MeshModel::face_mesh;
  std::error_code ec;
  return fs::is_regular_file(default_face_models_dir() / kAttentionMeshFile, ec) ? MeshModel::attention
                                                                                 : MeshModel::face_mesh;
}

const FaceAnalyzer& FaceAnalyzer::reader() {
  if (reading_mesh_model() == MeshModel::face_mesh) return shared();
  static const FaceAnalyzer analyzer(default_face_models_dir(), MeshModel::attention);
  return analyzer;
}

std::vector<FaceDetection> FaceAnalyzer::detect(const cv::Mat& rgb) const {
  std::vector<FaceDetection> faces = detector_.detect(rgb);
  std::stable_sort(faces.begin(), faces.end(), [](const FaceDetection& a, const FaceDetection& b) {
    return a.box.area() > b.box.area();
  });
  return faces;
}

MeshResult FaceAnalyzer::mesh(const cv::Mat& rgb, const FaceDetection& d) const {
  MeshResult first = mesh_.run(rgb, FaceMesh::roi_from_detection(d));
  return mesh_.run(rgb, FaceMesh::roi_from_landmarks(first.landmarks));
}

FaceResult FaceAnalyzer::analyze(const cv::Mat& rgb, const std::string& source, int face_index) const {
  if (rgb.empty()) throw input_error(source, "the image is empty");
  std::vector<FaceDetection> faces = detect(rgb);
  if (faces.empty()) throw input_error(source, "no face found");
  int idx = face_index < 0 ? 0 : face_index;
  if (size_t(idx) >= faces.size())
    throw input_error(source, "face index " + std::to_string(face_index) + " requested but " +
                                  std::to_string(faces.size()) + " face(s) found");
  return analyze(rgb, faces, idx);
}

FaceResult FaceAnalyzer::analyze(const cv::Mat& rgb, const std::vector<FaceDetection>& faces, int idx) const {
  const FaceDetection& d = faces.at(size_t(idx));
  MeshResult m = mesh(rgb, d);
  FaceResult r;
  r.image_size = rgb.size();
  r.landmarks = std::move(m.landmarks);
  r.mesh_model = mesh_model_;
  r.box = d.box;
  r.keypoints = d.keypoints;
  r.detection_score = d.score;
  r.presence = m.presence;
  r.confidence = d.score * m.presence;
  r.faces_found = int(faces.size());
  r.face_index = idx;
  r.alignment = align_to_canonical(r.landmarks, canonical_);
  return r;
}

std::optional<FaceResult> FaceAnalyzer::track(const cv::Mat& rgb, const FaceResult& previous,
                                             float min_presence) const {
  MeshResult m = mesh_.run(rgb, FaceMesh::roi_from_landmarks(previous.landmarks));
  if (m.presence < min_presence) return std::nullopt;
  FaceResult r = previous;
  r.mesh_model = mesh_model_;
  r.image_size = rgb.size();
  r.landmarks = std::move(m.landmarks);
  r.presence = m.presence;
  r.confidence = previous.detection_score * m.presence;
  r.alignment = align_to_canonical(r.landmarks, canonical_);
  return r;
}

nlohmann::json face_result_to_json(const FaceResult& r) {
  using nlohmann::json;
  static const char* kp_names[6] = {"right_eye", "left_eye", "nose_tip", "mouth_center",
                                    "right_ear_tragion", "left_ear_tragion"};
  json j;
  j["format"] = "auhead.face/1";
  j["coordinates"] =
      "image pixels, origin at the top-left corner; z: depth relative to the face in pixels, "
      "larger is farther";
  j["image"] = {{"width", r.image_size.width}, {"height", r.image_size.height}};
  j["faces_found"] = r.faces_found;
  j["face_index"] = r.face_index;
  j["confidence"] = r3(r.confidence);
  j["detection_score"] = r3(r.detection_score);
  j["presence"] = r3(r.presence);
  j["box"] = {r3(r.box.x), r3(r.box.y), r3(r.box.width), r3(r.box.height)};
  json kp = json::object();
  for (int k = 0; k < 6; ++k) kp[kp_names[k]] = {r3(r.keypoints[k].x), r3(r.keypoints[k].y)};
  j["keypoints"] = kp;
  json lm = json::array();
  for (const auto& p : r.landmarks) lm.push_back({r3(p.x), r3(p.y), r3(p.z)});
  j["landmarks"] = lm;
  j["landmark_model"] = mesh_model_name(r.mesh_model);
  const FaceAlignment& a = r.alignment;
  j["pose"] = {{"yaw", r3(a.pose.yaw)}, {"pitch", r3(a.pose.pitch)}, {"roll", r3(a.pose.roll)},
               {"units", "degrees"}};
  json rot = json::array();
  for (int i = 0; i < 3; ++i)
    rot.push_back({r6(a.canonical_to_image.rotation(i, 0)), r6(a.canonical_to_image.rotation(i, 1)),
                   r6(a.canonical_to_image.rotation(i, 2))});
  j["alignment"] = {
      {"description",
       "image = scale * rotation * canonical + translation; canonical: MediaPipe canonical face "
       "in cm with image axes (x right, y down, z away)"},
      {"scale", r3(a.canonical_to_image.scale)},
      {"rotation", rot},
      {"translation",
       {r3(a.canonical_to_image.translation[0]), r3(a.canonical_to_image.translation[1]),
        r3(a.canonical_to_image.translation[2])}},
      {"rms_cm", r3(a.rms_cm)}};
  json al = json::array();
  for (const auto& p : a.aligned) al.push_back({r3(p.x), r3(p.y), r3(p.z)});
  j["aligned_landmarks"] = al;  // canonical frame: cm, x right, y up, z toward the viewer
  return j;
}

void draw_face(cv::Mat& bgr, const FaceResult& r, const CanonicalFace& canonical) {
  const int shift = 4;  // sub-pixel drawing
  const double one = 1 << shift;
  auto px = [&](float x, float y) {
    // continuous coordinates → OpenCV pixel-centre coordinates
    return cv::Point(int(std::lround((x - 0.5) * one)), int(std::lround((y - 0.5) * one)));
  };
  int thick = std::max(1, int(std::lround(std::max(bgr.cols, bgr.rows) / 800.0)));
  const cv::Scalar mesh_colour(80, 220, 80), box_colour(255, 160, 0), kp_colour(0, 0, 255);
  for (const auto& t : canonical.triangles) {
    for (int e = 0; e < 3; ++e) {
      const auto& a = r.landmarks[t[e]];
      const auto& b = r.landmarks[t[(e + 1) % 3]];
      cv::line(bgr, px(a.x, a.y), px(b.x, b.y), mesh_colour, 1, cv::LINE_AA, shift);
    }
  }
  cv::rectangle(bgr, px(r.box.x, r.box.y), px(r.box.x + r.box.width, r.box.y + r.box.height),
                box_colour, thick, cv::LINE_AA, shift);
  for (const auto& k : r.keypoints)
    cv::circle(bgr, px(k.x, k.y), int((2 + thick) * one), kp_colour, cv::FILLED, cv::LINE_AA, shift);
}

}  // namespace auhead::face
