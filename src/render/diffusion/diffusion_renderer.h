// The Stage 2 renderer "diffusion" (docs/design.md §7.3): AniPortrait-class latent video diffusion driven by the
// AU-deformed landmark image (pose guider) and the AU vector (AU adapter), with three-branch AU guidance.
#pragma once
#include <memory>
#include <string>

#include "render/renderer.h"

namespace auhead::render::diffusion {

struct DiffusionModels;
struct DiffusionReference;  // per-portrait state: framing, landmarks, reference tokens, image embedding

// Loads every model from options.model_dir when constructed (errors: see load_diffusion_models), so a
// missing file is reported before any work. options.size must be a multiple of 64 (usage error).
// Per video: the framed portrait is VAE-encoded and run through the ReferenceNet once (timestep 0);
// the CLIP image embedding (or zeros) conditions cross-attention; per frame the landmark image drawn
// from AuDeformer's landmarks (turned by the warp renderer's seeded head motion unless `still`) feeds
// the pose guider; seeded noise is sampled with DDIM or DPM-Solver++ (render_config.json: default 20 DDIM steps, s_ref 3.5, s_au 2.0) in 16-frame windows
// overlapping by 4, and every frame is VAE-decoded and emitted in order.
class DiffusionRenderer : public render::Renderer {
 public:
  explicit DiffusionRenderer(const render::RendererOptions& options);
  ~DiffusionRenderer() override;

  void prepare(const cv::Mat& portrait_rgb, const std::string& portrait_source) override;
  void render(const AuSequence& aus, const cv::Mat& portrait_rgb, const std::string& portrait_source,
              const std::function<void(const cv::Mat&)>& emit) override;

  const DiffusionModels& models() const { return *models_; }

 private:
  std::shared_ptr<DiffusionModels> models_;
  std::shared_ptr<DiffusionReference> reference_;
  cv::Mat reference_image_;  // the portrait the reference was built from (shares its pixels)
  bool reference_keeps_expression_ = false;
};

}  // namespace auhead::render::diffusion
