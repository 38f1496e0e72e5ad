// Stage 2 interface inside the library: AU sequence + portrait → video frames. Implementations
// (warp, diffusion) are listed in pipeline/implementations.cpp; the public handle auhead::Renderer
// (include/auhead/renderer.h) loads one and runs it many times.
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

namespace auhead::render {

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
  explicit Renderer(RendererOptions options) : options_(std::move(options)) {}
  virtual ~Renderer() = default;
  // The per-call settings of a loaded renderer, for the next prepare()/render(); size, model and
  // sampling stay as loaded.
  void set_call(uint64_t seed, bool still, bool keep_portrait_expression) {
    options_.seed = seed;
    options_.still = still;
    options_.keep_portrait_expression = keep_portrait_expression;
  }
  const RendererOptions& options() const { return options_; }
  // Optional: the work that depends only on the portrait (face analysis, reference features), so
  // that the pipeline can do it while Stage 1 runs. render() with the same portrait reuses it;
  // render() works without it. Errors are those render() would raise for the portrait.
  virtual void prepare(const cv::Mat& portrait_rgb, const std::string& portrait_source) {}
  // Renders every frame of `aus` (at aus.fps) from the RGB portrait, calling `emit` once per frame in
  // order with an RGB CV_8UC3 image of size × size. `portrait_source` names the image in errors.
  virtual void render(const AuSequence& aus, const cv::Mat& portrait_rgb, const std::string& portrait_source,
                      const std::function<void(const cv::Mat&)>& emit) = 0;

 protected:
  RendererOptions options_;
};

using RendererFactory = std::function<std::unique_ptr<Renderer>(const RendererOptions&)>;

// Adds (or replaces) an implementation at run time, e.g. a program's own renderer; call it explicitly.
bool register_renderer(const std::string& name, RendererFactory factory);
// Throws a usage error for an unknown name, an unavailable error for a known one not in this build.
std::unique_ptr<Renderer> make_renderer(const std::string& name, const RendererOptions& options);

}  // namespace auhead::render
