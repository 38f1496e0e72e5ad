// The public Stage 2 handle (include/auhead/renderer.h) over the library's renderers, and Portrait.
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include <opencv2/core.hpp>

#include "auhead/error.h"
#include "auhead/renderer.h"
#include "core/atomic_file.h"
#include "core/library_messages.h"
#include "core/progress.h"
#include "core/run_context.h"
#include "media/image_io.h"
#include "media/png_sequence_writer.h"
#include "media/video_writer.h"
#include "pipeline/portrait_data.h"
#include "pipeline/render_files.h"
#include "render/renderer.h"

namespace fs = std::filesystem;

namespace auhead {

Portrait Portrait::load(const fs::path& file) {
  auto d = std::make_shared<Data>();
  d->rgb = media::load_image_rgb(file);
  d->name = file.string();
  return Portrait(std::move(d));
}

Portrait Portrait::from_rgb(const ImageView& pixels, const std::string& name) {
  if (!pixels.rgb || pixels.width <= 0 || pixels.height <= 0 || pixels.stride < std::size_t(pixels.width) * 3)
    throw input_error(name, "not an RGB image (no pixels, or a row stride below 3 × width)");
  if (pixels.width > 16384 || pixels.height > 16384 || int64_t(pixels.width) * pixels.height > 64'000'000)
    throw input_error(name, "image too large (" + std::to_string(pixels.width) + "x" + std::to_string(pixels.height) +
                                "; at most 16384 a side and 64 MP)");
  auto d = std::make_shared<Data>();
  d->rgb = cv::Mat(pixels.height, pixels.width, CV_8UC3, const_cast<uint8_t*>(pixels.rgb), pixels.stride).clone();
  d->name = name;
  return Portrait(std::move(d));
}

ImageView Portrait::pixels() const { return {data_->rgb.data, data_->rgb.cols, data_->rgb.rows, data_->rgb.step}; }
const std::string& Portrait::name() const { return data_->name; }

void check_frame_size(int size) {
  if (size < 64 || size > 4096 || size % 2 != 0)
    throw usage_error("--size must be an even number of pixels from 64 to 4096, got " + std::to_string(size));
}

void check_render_files(const RenderFiles& o) {
  if (o.output.empty() && o.frames_dir.empty()) throw usage_error("nothing to write: give an output video or a frames folder");
  if (!o.output.empty()) AtomicFile probe(o.output);  // checks the folder; removes nothing real
  if (!o.frames_dir.empty()) {
    fs::path parent = o.frames_dir.parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
      throw output_error(o.frames_dir.string(), "folder " + parent.string() + " does not exist");
  }
}

namespace {

// Frames go from the renderer to the writers through a short queue served by a second thread, so
// that rendering and encoding overlap. An error on either side stops both and is rethrown here.
class FrameSink {
 public:
  FrameSink(media::VideoWriter* video, media::PngSequenceWriter* frames) : video_(video), frames_(frames) {
    thread_ = std::thread([this] { run(); });
  }
  ~FrameSink() {
    close();
    if (thread_.joinable()) thread_.join();
  }
  void push(const cv::Mat& frame) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return queue_.size() < kDepth || error_; });
    if (error_) std::rethrow_exception(error_);
    queue_.push_back(frame.clone());
    ready_.notify_one();
  }
  // Waits until every frame is written; rethrows a writer error.
  void finish() {
    close();
    thread_.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr std::size_t kDepth = 8;
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_one();
  }
  void run() {
    for (;;) {
      cv::Mat frame;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        frame = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
      }
      try {
        if (video_) video_->write(frame);
        if (frames_) frames_->write(frame);
      } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        queue_.clear();
        space_.notify_all();
        return;
      }
    }
  }
  media::VideoWriter* video_;
  media::PngSequenceWriter* frames_;
  std::deque<cv::Mat> queue_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  bool closed_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace

struct Renderer::Impl {
  RendererConfig config;
  std::unique_ptr<render::Renderer> renderer;
  std::mutex mutex;

  // The call's settings on the loaded renderer; the edited sequence to render.
  AuSequence begin(const AuSequence& aus, const RenderRequest& r) {
    renderer->set_call(r.seed, r.still, r.keep_portrait_expression);
    AuSequence edited = aus;
    apply_edit(edited, r.edit);
    return edited;
  }
};

Renderer::Renderer(const RendererConfig& config, const RunHooks& hooks) : impl_(std::make_unique<Impl>()) {
  route_library_messages();
  RunScope scope(hooks);
  check_frame_size(config.size);
  check_sampling_options(config.sampling, config.implementation);
  impl_->config = config;
  render::RendererOptions o;
  o.size = config.size;
  o.model_dir = config.model_dir;
  o.sampling = config.sampling;
  impl_->renderer = render::make_renderer(config.implementation, o);
}

Renderer::~Renderer() = default;
Renderer::Renderer(Renderer&&) noexcept = default;
Renderer& Renderer::operator=(Renderer&&) noexcept = default;

const RendererConfig& Renderer::config() const { return impl_->config; }

void Renderer::prepare(const Portrait& portrait, const RenderRequest& request, const RunHooks& hooks) const {
  std::lock_guard lock(impl_->mutex);
  RunScope scope(hooks);
  impl_->renderer->set_call(request.seed, request.still, request.keep_portrait_expression);
  impl_->renderer->prepare(portrait.data().rgb, portrait.name());
}

void Renderer::render(const AuSequence& aus, const Portrait& portrait, const std::function<void(const ImageView&)>& frame,
                      const RenderRequest& request, const RunHooks& hooks) const {
  std::lock_guard lock(impl_->mutex);
  RunScope scope(hooks);
  AuSequence edited = impl_->begin(aus, request);
  edited.validate("AU sequence");
  Progress progress("rendering", int64_t(edited.frames.size()));
  impl_->renderer->render(edited, portrait.data().rgb, portrait.name(), [&](const cv::Mat& m) {
    frame(ImageView{m.data, m.cols, m.rows, m.step});
    progress.advance();
  });
  progress.finish();
}

void Renderer::render_file(const AuSequence& aus, const Portrait& portrait, const RenderFiles& files,
                           const RenderRequest& request, const RunHooks& hooks) const {
  std::lock_guard lock(impl_->mutex);
  RunScope scope(hooks);
  check_render_files(files);
  AuSequence edited = impl_->begin(aus, request);
  edited.validate("AU sequence");
  const int size = impl_->config.size;
  std::unique_ptr<media::VideoWriter> video;
  std::unique_ptr<media::PngSequenceWriter> frames;
  if (!files.output.empty())
    video = std::make_unique<media::VideoWriter>(files.output, size, size, media::FrameRate::from_fps(edited.fps), files.audio);
  if (!files.frames_dir.empty()) frames = std::make_unique<media::PngSequenceWriter>(files.frames_dir);
  Progress progress("rendering", int64_t(edited.frames.size()));
  {
    FrameSink sink(video.get(), frames.get());
    impl_->renderer->render(edited, portrait.data().rgb, portrait.name(), [&](const cv::Mat& frame) {
      sink.push(frame);
      progress.advance();
    });
    sink.finish();
  }
  throw_if_cancelled();
  if (video) video->finish();
  if (frames) frames->finish();
  progress.finish();
}

}  // namespace auhead
