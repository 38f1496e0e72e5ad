// Stage 2 as a handle: load a renderer once (the warp default, or a diffusion checkpoint), prepare a
// portrait once, then render any number of AU sequences as frames (a callback) or as a video file.
//
// Thread safety and ownership: a Renderer owns its loaded models; calls on one handle run one at a
// time (a second thread waits), so a handle may be shared between threads; separate handles work in
// parallel. A Portrait is an immutable, shareable image (copies share its pixels); the renderer
// remembers the last portrait it analysed, so rendering the same Portrait again skips face analysis.
// Hooks (run_hooks.h) are per call and used only during it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "auhead/au_edit.h"
#include "auhead/au_sequence.h"
#include "auhead/run_hooks.h"
#include "auhead/sampling_options.h"

namespace auhead {

// 8-bit RGB pixels, row by row; `stride` bytes from one row to the next (at least 3 · width).
struct ImageView {
  const uint8_t* rgb = nullptr;
  int width = 0;
  int height = 0;
  std::size_t stride = 0;
};

// A portrait photo, decoded once.
class Portrait {
 public:
  // png, jpg, webp, ... (input errors name the file).
  static Portrait load(const std::filesystem::path& file);
  // A copy of `pixels`; `name` stands for the image in error messages.
  static Portrait from_rgb(const ImageView& pixels, const std::string& name = "portrait");
  ImageView pixels() const;
  const std::string& name() const;

  struct Data;
  const Data& data() const { return *data_; }

 private:
  explicit Portrait(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

// What is loaded, fixed for the handle's life. Checked when the handle is made (usage errors).
struct RendererConfig {
  std::string implementation = "warp";   // warp | diffusion (or one added with register_renderer)
  int size = 512;                        // output frames are size × size: even, 64 to 4096
  std::filesystem::path model_dir;       // diffusion checkpoint folder
  SamplingOptions sampling;              // diffusion only: overrides DIR/render_config.json
};

// What one call asks for.
struct RenderRequest {
  uint64_t seed = 0;                     // head motion, diffusion noise
  bool still = false;                    // no head motion
  bool keep_portrait_expression = false; // false: the portrait's own expression is taken off first
  AuEdit edit;                           // applied before rendering
};

// Output frames are size × size: an even number of pixels from 64 to 4096 (usage error otherwise).
void check_frame_size(int size);

// Where render_file() writes (atomically: nothing is left behind by an error or a cancellation).
struct RenderFiles {
  std::filesystem::path output;          // .mp4 (or .mov/.mkv); empty: no video
  std::filesystem::path frames_dir;      // PNG frame sequence; empty: none
  std::filesystem::path audio;           // muxed into the video when given
};

class Renderer {
 public:
  // Loads the implementation (a diffusion checkpoint: seconds). Errors: usage (unknown
  // implementation, bad size or sampling options), unavailable (not in this build), input (model).
  explicit Renderer(const RendererConfig& config = {}, const RunHooks& hooks = {});
  ~Renderer();
  Renderer(Renderer&&) noexcept;
  Renderer& operator=(Renderer&&) noexcept;

  // Optional: analyses the portrait now (face found, framing, neutralisation) so that a later
  // render of it starts at once and "no face found" comes before other work.
  void prepare(const Portrait& portrait, const RenderRequest& request = {}, const RunHooks& hooks = {}) const;
  // Calls `frame` once per frame, in order, with size × size RGB pixels valid during the call.
  void render(const AuSequence& aus, const Portrait& portrait, const std::function<void(const ImageView&)>& frame,
              const RenderRequest& request = {}, const RunHooks& hooks = {}) const;
  // Renders into a video and/or a frame folder; encoding overlaps rendering.
  void render_file(const AuSequence& aus, const Portrait& portrait, const RenderFiles& files,
                   const RenderRequest& request = {}, const RunHooks& hooks = {}) const;

  const RendererConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auhead
