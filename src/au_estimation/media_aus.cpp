#include "au_estimation/media_aus.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <future>
#include <optional>

#include <opencv2/core.hpp>

#include "auhead/au_estimation.h"
#include "auhead/error.h"
#include "core/note.h"
#include "core/progress.h"
#include "core/run_context.h"
#include "face/face_analyzer.h"
#include "geometry/au_basis.h"
#include "media/image_io.h"
#include "media/video_reader.h"

namespace auhead::au_estimation {
namespace {

// Largest face first, or the one asked for; nothing when the frame has no face (or fewer faces).
std::optional<face::FaceResult> detect(const face::FaceAnalyzer& fa, const cv::Mat& rgb, int face_index,
                                       int& faces) {
  auto found = fa.detect(rgb);
  faces = int(found.size());
  int idx = face_index < 0 ? 0 : face_index;
  if (size_t(idx) >= found.size()) return std::nullopt;
  return fa.analyze(rgb, found, idx);
}

// The meshes of consecutive frames: detected at the first frame (and wherever the face is lost),
// tracked from frame to frame otherwise.
struct ChunkMeshes {
  std::vector<MeshFrame> frames;
  std::vector<std::vector<cv::Point3f>> landmarks;  // per frame, image pixels (empty: no face)
  int most_faces = 0;      // the most faces the detector found in a frame of the chunk
  int faces_in_first = 0;  // faces found where the face was first found (0: no face)
};

ChunkMeshes mesh_chunk(const face::FaceAnalyzer& fa, std::vector<cv::Mat> rgb, int face_index) {
  ChunkMeshes out;
  std::optional<face::FaceResult> last;
  for (const cv::Mat& frame : rgb) {
    std::optional<face::FaceResult> now;
    if (last) now = fa.track(frame, *last);
    if (!now) {
      int faces = 0;
      now = detect(fa, frame, face_index, faces);
      out.most_faces = std::max(out.most_faces, faces);
      if (now && out.faces_in_first == 0) out.faces_in_first = faces;
    }
    MeshFrame f;
    if (now) {
      f.aligned = now->alignment.aligned;
      f.pose = now->alignment.pose;
    }
    out.frames.push_back(std::move(f));
    out.landmarks.push_back(now ? now->landmarks : std::vector<cv::Point3f>{});
    last = std::move(now);
  }
  return out;
}

}  // namespace

MediaAus estimate_video_aus(const std::filesystem::path& video, int face_index) {
  const std::string name = video.string();
  media::VideoReader reader(video);
  const media::VideoInfo info = reader.info();
  if (!(info.fps > 0) || !std::isfinite(info.fps)) throw input_error(name, "the video has no frame rate");
  const face::FaceAnalyzer& fa = face::FaceAnalyzer::reader();
  const int expected = info.duration_seconds > 0 ? int(std::lround(info.duration_seconds * info.fps)) : 0;
  Progress progress("reading faces", expected > 0 ? expected : 1);

  // The mesh of a frame is tracked from the previous one, so frames are read in chunks that are
  // meshed on their own (each starts with a detection) by two threads while the next chunk decodes:
  // the result depends only on the chunk size, which depends only on the frame size.
  const int64_t frame_bytes = std::max<int64_t>(1, int64_t(info.width) * info.height * 3);
  const int chunk = int(std::clamp<int64_t>((int64_t{48} << 20) / frame_bytes, 4, 64));
  const int workers = 2;
  std::vector<MeshFrame> frames;
  MediaAus out;
  int most_faces = 0;
  std::deque<std::future<ChunkMeshes>> pending;
  auto collect = [&] {
    ChunkMeshes c = pending.front().get();
    pending.pop_front();
    most_faces = std::max(most_faces, c.most_faces);
    if (out.faces_in_first == 0) out.faces_in_first = c.faces_in_first;
    progress.advance(int64_t(c.frames.size()));
    for (auto& f : c.frames) frames.push_back(std::move(f));
    for (auto& l : c.landmarks) out.landmarks.push_back(std::move(l));
  };
  for (bool more = true; more;) {
    std::vector<cv::Mat> batch;
    cv::Mat rgb;
    while (int(batch.size()) < chunk && (more = reader.read(rgb))) batch.push_back(rgb.clone());
    if (batch.empty()) break;
    pending.push_back(std::async(std::launch::async, mesh_chunk, std::cref(fa), std::move(batch), face_index));
    if (int(pending.size()) >= workers) collect();
  }
  while (!pending.empty()) collect();
  progress.finish();
  if (reader.damaged())
    throw input_error(name, "corrupt video: decoding stopped at damage after " + std::to_string(frames.size()) +
                                " frames");
  if (frames.empty()) throw input_error(name, "contains no video frames");
  // A file cut short keeps the duration its header announced: fewer frames than that is damage.
  if (expected > 0 && double(frames.size()) < 0.9 * expected - 2)
    throw input_error(name, "truncated or corrupt video: " + std::to_string(frames.size()) + " frames decoded of the " +
                                std::to_string(expected) + " its header announces");
  bool any = false;
  for (const auto& f : frames) any = any || !f.aligned.empty();
  if (!any) {
    if (face_index > 0 && most_faces > 0)
      throw input_error(name, "face index " + std::to_string(face_index) + " requested but at most " +
                                  std::to_string(most_faces) + " face(s) found in a frame");
    throw input_error(name, "no face found in any frame");
  }

  SequenceEstimate e = AuEstimator::standard().estimate_sequence(frames, info.fps);
  out.aus.fps = info.fps;
  out.aus.au_set = AuSet::auhead30;
  out.aus.frames = std::move(e.aus);
  out.poses = std::move(e.poses);
  // The head's motion relative to the first frame travels with the AUs (renderers follow it).
  const face::HeadPose first = out.poses.front();
  for (const auto& p : out.poses)
    out.aus.head_pose.push_back({float(p.yaw - first.yaw), float(p.pitch - first.pitch), float(p.roll - first.roll)});
  out.residual_cm = std::move(e.residual_cm);
  out.neutral_frames = std::move(e.neutral_frames);
  out.missing_frames = e.missing;
  if (out.faces_in_first > 1 && face_index < 0)
    print_note(name + ": " + std::to_string(out.faces_in_first) +
               " faces found; reading the largest (--face-index chooses another)");
  if (out.missing_frames > 0)
    print_note(name + ": no face in " + std::to_string(out.missing_frames) + " of " + std::to_string(frames.size()) +
               " frames; their AUs are interpolated from the neighbouring frames");
  return out;
}

MediaAus estimate_image_aus(const std::filesystem::path& image, int face_index) {
  cv::Mat rgb = media::load_image_rgb(image);
  const face::FaceAnalyzer& fa = face::FaceAnalyzer::reader();
  face::FaceResult f = fa.analyze(rgb, image.string(), face_index);
  // FaceMesh is not exactly mirror-symmetric: the mesh of the mirrored photo, mirrored back, is
  // averaged in, so that a photo and its mirror image read as each other's mirror (and noise halves).
  cv::Mat flipped;
  cv::flip(rgb, flipped, 1);
  if (auto faces = fa.detect(flipped); !faces.empty()) {
    const auto& mirror = geometry::mirror_map(fa.canonical());
    // The same face: the detection whose mirrored box centre is nearest to this face's.
    cv::Point2f centre(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2);
    size_t best = 0;
    double best_d = 1e30;
    for (size_t i = 0; i < faces.size(); ++i) {
      cv::Point2f c(float(rgb.cols) - (faces[i].box.x + faces[i].box.width / 2), faces[i].box.y + faces[i].box.height / 2);
      double d = cv::norm(c - centre);
      if (d < best_d) best_d = d, best = i;
    }
    if (best_d < 0.25 * f.box.width) {
      face::MeshResult m = fa.mesh(flipped, faces[best]);
      std::vector<cv::Point3f> avg(f.landmarks.size());
      for (size_t v = 0; v < avg.size(); ++v) {
        const cv::Point3f& q = m.landmarks[mirror[v]];
        avg[v] = 0.5f * (f.landmarks[v] + cv::Point3f(float(rgb.cols) - q.x, q.y, q.z));
      }
      f.landmarks = std::move(avg);
      f.alignment = face::align_to_canonical(f.landmarks, fa.canonical());
    }
  }
  FaceAuEstimate e = AuEstimator::standard().estimate_photo(f.alignment.aligned);
  MediaAus out;
  out.aus.fps = 25;
  out.aus.au_set = AuSet::auhead30;
  out.aus.frames = {e.aus};
  out.poses = {f.alignment.pose};
  out.residual_cm = {e.residual_cm};
  out.faces_in_first = f.faces_found;
  if (f.faces_found > 1 && face_index < 0)
    print_note(image.string() + ": " + std::to_string(f.faces_found) +
               " faces found; reading the largest (--face-index chooses another)");
  return out;
}

}  // namespace auhead::au_estimation

namespace auhead {

AuSequence read_video_aus(const std::filesystem::path& video, int face_index, const RunHooks& hooks) {
  RunScope scope(hooks);
  return au_estimation::estimate_video_aus(video, face_index).aus;
}

AuSequence read_image_aus(const std::filesystem::path& image, int face_index, const RunHooks& hooks) {
  RunScope scope(hooks);
  return au_estimation::estimate_image_aus(image, face_index).aus;
}

}  // namespace auhead
