// Stage 2 interface: AU sequence + portrait → video frames. Implementations (warp, diffusion) are
// listed in pipeline/implementations.cpp; the pipeline picks one with --renderer and streams the frames out.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "auhead/au_sequence.h"
#include "auhead/sampling_options.h"

namespace auhead {

struct RendererOptions {
  int size = 512;                      // output frames are size × size
  uint64_t seed = 0;                   // head motion, diffusion noise
  bool still = false;                  // no head motion
  bool keep_portrait_expression = false;  // false: the portrait's own AUs are removed first
  std::filesystem::path model_dir;     // diffusion: checkpoint folder
  SamplingOptions sampling;            // diffusion: overrides render_config.json
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  // Optional: the work that depends only on the portrait (face analysis, reference features), so
  // that the pipeline can do it while Stage 1 runs. render() with the same portrait reuses it;
  // render() works without it. Errors are those render() would raise for the portrait.
  virtual void prepare(const cv::Mat& portrait_rgb, const std::string& portrait_source) {}
  // Renders every frame of `aus` (at aus.fps) from the RGB portrait, calling `emit` once per frame in
  // order with an RGB CV_8UC3 image of size × size. `portrait_source` names the image in errors.
  virtual void render(const AuSequence& aus, const cv::Mat& portrait_rgb, const std::string& portrait_source,
                      const std::function<void(const cv::Mat&)>& emit) = 0;
};

using RendererFactory = std::function<std::unique_ptr<Renderer>(const RendererOptions&)>;

// Adds (or replaces) an implementation at run time, e.g. a program's own renderer; call it explicitly.
bool register_renderer(const std::string& name, RendererFactory factory);
// Throws a usage error for an unknown name, an unavailable error for a known one not in this build.
std::unique_ptr<Renderer> make_renderer(const std::string& name, const RendererOptions& options);

}  // namespace auhead
