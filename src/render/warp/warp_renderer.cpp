#include "render/warp/warp_renderer.h"

#include <algorithm>
#include <cmath>

#include "auhead/error.h"
#include "au_estimation/portrait_neutral.h"
#include "face/face_analyzer.h"
#include "geometry/au_basis.h"
#include "geometry/au_deformer.h"
#include "render/portrait_scene.h"
#include "render/warp/background_hold.h"
#include "render/warp/cheek_relaxation.h"
#include "render/warp/eye_closure.h"
#include "render/warp/eye_opening.h"
#include "render/warp/fold_shading.h"
#include "render/warp/glasses_hold.h"
#include "render/warp/head_motion.h"
#include "render/warp/mesh_warper.h"
#include "render/warp/mouth_interior.h"
#include "render/warp/warp_mesh.h"

namespace auhead::render::warp {

struct Scene {
  face::FaceResult face;
  AuFrame own{};  // the portrait's own AUs (zero when its expression is kept)
  geometry::AuDeformer deformer;
  PortraitScene placed;  // the framing, the head's pivot and width (continuous frame coordinates)
  std::vector<cv::Point2f> source_face;  // the portrait's landmarks, frame pixel centres
  WarpMesh mesh;
  EyeOpening eyes_open;  // wider than the portrait: iris kept rigid, sclera uncovered
  OwnTeeth own_teeth;    // taken before neutralisation erases them
  MouthInterior mouth;
  EyeClosure eyes;
  FoldShading folds;
  BackgroundHold still;  // keeps the background outside the person where it is
  GlassesHold glasses;   // a frame of glasses, laid rigidly over the warped face
  cv::Point3f pivot;  // head rotation centre, frame pixel centres (z in the landmarks' depth)

  Scene(face::FaceResult f, const face::CanonicalFace& canonical, const cv::Mat& portrait, int size,
        bool keep_expression)
      : face(std::move(f)),
        own(keep_expression ? AuFrame{} : au_estimation::portrait_expression(portrait, face)),
        deformer(keep_expression ? geometry::AuDeformer(face) : au_estimation::portrait_deformer(face, own)),
        placed(place_portrait(portrait, face.landmarks, size)),
        source_face(to_frame(face.landmarks)),
        mesh(build_warp_mesh(source_face, canonical.triangles, size)),
        eyes_open(placed.framing.image, source_face),
        own_teeth(placed.framing.image, source_face, sclera(eyes_open)),
        mouth(prepared(placed.framing.image, source_face, own, canonical, keep_expression, sclera(eyes_open)), source_face,
              !keep_expression, own_teeth, sclera(eyes_open), to_frame(deformer.deform(AuFrame{}))),
        eyes(placed.framing.image, source_face),
        still(placed.framing.image, source_face),
        glasses(placed.framing.image, source_face),
        pivot(pixel_centre(placed.pivot)) {}

  // The framed portrait, neutralised in appearance too when its expression is taken off: its teeth
  // filled from the lips (the lips are closed at rest), its cheeks relaxed in proportion to its own
  // smile and the folds of its own AUs faded.
  static const cv::Mat& prepared(cv::Mat& framed, const std::vector<cv::Point2f>& points, const AuFrame& own,
                                 const face::CanonicalFace& canonical, bool keep_expression, const cv::Vec3f& white) {
    if (keep_expression) return framed;
    MouthInterior::erase_teeth(framed, points, white);
    relax_cheeks(framed, points, geometry::mirror_map(canonical), 0.5f * (own[11] + own[12]));
    FoldShading().flatten(framed, points, own);
    return framed;
  }

  // The eyes' white (the mean of the usable eyes' sclera colours; 0 when neither is usable).
  static cv::Vec3f sclera(const EyeOpening& eyes) {
    cv::Vec3f sum{};
    int n = 0;
    for (int side = 0; side < 2; ++side)
      if (eyes.eye(side).usable) sum += eyes.eye(side).sclera, ++n;
    return n ? sum / float(n) : sum;
  }

  // Continuous portrait coordinates → frame pixel coordinates (pixel centres at integers).
  cv::Point2f to_frame(const cv::Point3f& p) const { return pixel_centre(placed.framing.map({p.x, p.y})); }
  std::vector<cv::Point2f> to_frame(const std::vector<cv::Point3f>& p) const {
    std::vector<cv::Point2f> r;
    for (const auto& q : p) r.push_back(to_frame(q));
    return r;
  }
};

namespace {

const face::FaceAnalyzer& analyzer() {
  return face::FaceAnalyzer::shared();  // loads the face models once per process
}

AuSequence smooth_aus(const AuSequence& in) {
  AuSequence out = in;
  const int n = int(in.frames.size());
  for (int t = 0; t < n; ++t)
    out.frames[t] = smooth_au_frame(in.frames[std::max(0, t - 1)], in.frames[t], in.frames[std::min(n - 1, t + 1)]);
  return out;
}

// The head's rigid motion where the glasses sit: the portrait's own anchor landmarks (no expression,
// no neutralisation) moved by the pose alone; the identity without head motion.
cv::Matx23f glasses_motion(const Scene& s, const HeadMotionPose* pose) {
  if (!pose) return cv::Matx23f(1, 0, 0, 0, 1, 0);
  HeadTransform head(*pose, s.pivot, s.placed.face_width);
  const float zscale = float(s.placed.framing.scale);
  std::vector<cv::Point2f> from, to;
  for (int i : GlassesHold::anchor_landmarks()) {
    from.push_back(s.source_face[std::size_t(i)]);
    to.push_back(head.apply(cv::Point3f(from.back().x, from.back().y, s.face.landmarks[std::size_t(i)].z * zscale)));
  }
  return fit_affine(from, to);
}

}  // namespace

AuFrame smooth_au_frame(const AuFrame& previous, const AuFrame& frame, const AuFrame& next) {
  AuFrame out = frame;
  for (int k = 2; k < kNumAus; ++k) out[k] = 0.25f * previous[k] + 0.5f * frame[k] + 0.25f * next[k];
  return out;
}

WarpRenderer::WarpRenderer(const RendererOptions& options) : Renderer(options) {}
WarpRenderer::~WarpRenderer() = default;

void WarpRenderer::prepare(const cv::Mat& portrait_rgb, const std::string& portrait_source) {
  if (scene_ && scene_image_.data == portrait_rgb.data && scene_image_.size() == portrait_rgb.size() &&
      scene_keeps_expression_ == options_.keep_portrait_expression)
    return;
  face::FaceResult f = analyzer().analyze(portrait_rgb, portrait_source);
  scene_ = std::make_shared<Scene>(std::move(f), analyzer().canonical(), portrait_rgb, options_.size,
                                   options_.keep_portrait_expression);
  scene_image_ = portrait_rgb;
  scene_keeps_expression_ = options_.keep_portrait_expression;
}

void WarpRenderer::render(const AuSequence& aus, const cv::Mat& portrait_rgb, const std::string& portrait_source,
                          const std::function<void(const cv::Mat&)>& emit) {
  prepare(portrait_rgb, portrait_source);
  AuSequence smoothed = smooth_aus(aus);
  std::vector<HeadMotionPose> poses;
  if (!options_.still) poses = head_motion(smoothed, options_.seed);
  cv::Mat frame;
  for (std::size_t t = 0; t < smoothed.frames.size(); ++t) {
    render_frame(smoothed.frames[t], poses.empty() ? nullptr : &poses[t], frame);
    emit(frame);
  }
}

void WarpRenderer::render_frame(const AuFrame& aus, const HeadMotionPose* pose, cv::Mat& frame) {
  if (!scene_) throw Error(ExitCode::internal, "warp renderer: render_frame before prepare");
  const Scene& s = *scene_;
  const int size = options_.size;
  if (!warper_ || warper_scene_ != scene_.get()) {
    warper_ = std::make_unique<MeshWarper>(cv::Size(size, size), s.mesh.triangles);
    warper_scene_ = scene_.get();
  }
  std::vector<cv::Point2f> target = s.mesh.points, face_t(s.source_face.size());
  const float zscale = float(s.placed.framing.scale);
  std::vector<cv::Point3f> lm = s.deformer.deform(aus);
  if (!pose) {
    for (std::size_t i = 0; i < lm.size(); ++i) face_t[i] = s.to_frame(lm[i]);
  } else {
    HeadTransform head(*pose, s.pivot, s.placed.face_width);
    for (std::size_t i = 0; i < lm.size(); ++i) {
      cv::Point2f p = s.to_frame(lm[i]);
      face_t[i] = head.apply(cv::Point3f(p.x, p.y, lm[i].z * zscale));
    }
  }
  mesh_targets(s.mesh, face_t, target);
  warper_->build_map(s.mesh.points, target);
  if (hold_background_) s.still.apply(warper_->map());
  const bool glasses = hold_glasses_ && s.glasses.active();
  warper_->apply(glasses ? s.glasses.bare() : s.placed.framing.image, frame);
  s.folds.compose(frame, face_t, aus);
  s.mouth.compose(frame, face_t, aus);
  s.eyes_open.compose(frame, face_t);
  s.eyes.compose(frame, face_t);
  if (glasses) s.glasses.compose(frame, glasses_motion(s, pose));
}

const cv::Mat& WarpRenderer::last_map() const {
  static const cv::Mat none;
  return warper_ ? warper_->map() : none;
}

cv::Mat WarpRenderer::person_weight() const { return scene_ ? scene_->still.person() : cv::Mat(); }

cv::Mat WarpRenderer::glasses_mask() const { return scene_ ? scene_->glasses.mask() : cv::Mat(); }

}  // namespace auhead::render::warp
