// The built-in Stage 2 renderer ("warp"): the portrait itself, moved by the AUs. The portrait is
// analysed and framed once (and, unless its expression is kept, neutralised in shape and
// appearance); per frame the AuDeformer moves its landmarks, head motion turns them, the mesh warper
// resamples the portrait, the AUs' skin folds are shaded, and the mouth interior and eyelids are
// composited.
#pragma once
#include <memory>
#include <string>

#include "render/renderer.h"
#include "render/warp/head_motion.h"

namespace auhead::render::warp {

struct Scene;  // the per-portrait state (analysis, framing, mesh)
class MeshWarper;

// The light zero-phase smoothing render() gives every AU but the blinks ([1 2 1] / 4, against
// frame-to-frame jitter), for one frame from its neighbours; a stream applies it frame by frame.
AuFrame smooth_au_frame(const AuFrame& previous, const AuFrame& frame, const AuFrame& next);

class WarpRenderer : public Renderer {
 public:
  explicit WarpRenderer(const RendererOptions& options);
  ~WarpRenderer() override;

  void prepare(const cv::Mat& portrait_rgb, const std::string& portrait_source) override;
  void render(const AuSequence& aus, const cv::Mat& portrait_rgb, const std::string& portrait_source,
              const std::function<void(const cv::Mat&)>& emit) override;
  // One frame of the prepared portrait (prepare() first): `aus` already smoothed, `pose` the head
  // pose or nullptr for none. What render() does per frame; a stream calls it as frames become final.
  void render_frame(const AuFrame& aus, const HeadMotionPose* pose, cv::Mat& frame);

  // For tests and bench/bench_warp: the last frame's inverse warp map (CV_32FC2, frame pixel →
  // portrait-in-frame position), how much each frame pixel belongs to the person (CV_32F; empty
  // when the background is not held), and a switch for the background hold (on by default).
  const cv::Mat& last_map() const;
  cv::Mat person_weight() const;
  void set_hold_background(bool on) { hold_background_ = on; }
  // The glasses frame found on the portrait (CV_32F 0..1 per frame pixel; empty when none), and a
  // switch for keeping it rigid (on by default; off, the frame bends with the face as it used to).
  cv::Mat glasses_mask() const;
  void set_hold_glasses(bool on) { hold_glasses_ = on; }

 private:
  bool hold_background_ = true;
  bool hold_glasses_ = true;
  std::shared_ptr<Scene> scene_;
  cv::Mat scene_image_;  // the portrait the scene was built from (shares its pixels)
  bool scene_keeps_expression_ = false;
  std::unique_ptr<MeshWarper> warper_;  // for scene_, reused from frame to frame
  const Scene* warper_scene_ = nullptr;
};

}  // namespace auhead::render::warp
