// The built-in Stage 2 renderer ("warp"): the portrait itself, moved by the AUs. The portrait is
// analysed and framed once (and, unless its expression is kept, neutralised in shape and
// appearance); per frame the AuDeformer moves its landmarks, head motion turns them, the mesh warper
// resamples the portrait, the AUs' skin folds are shaded, and the mouth interior and eyelids are
// composited.
#pragma once
#include <memory>
#include <string>

#include "render/renderer.h"

namespace auhead::render::warp {

struct Scene;  // the per-portrait state (analysis, framing, mesh)

class WarpRenderer : public Renderer {
 public:
  explicit WarpRenderer(const RendererOptions& options);
  ~WarpRenderer() override;

  void prepare(const cv::Mat& portrait_rgb, const std::string& portrait_source) override;
  void render(const AuSequence& aus, const cv::Mat& portrait_rgb, const std::string& portrait_source,
              const std::function<void(const cv::Mat&)>& emit) override;

 private:
  std::shared_ptr<Scene> scene_;
  cv::Mat scene_image_;  // the portrait the scene was built from (shares its pixels)
  bool scene_keeps_expression_ = false;
};

}  // namespace auhead::render::warp
