// Orchestration of the two stages (include/auhead/pipeline.h).
#include "auhead/pipeline.h"

#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <utility>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "au_estimation/driving.h"
#include "au_estimation/media_aus.h"
#include "audio2au/au_generator.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/progress.h"
#include "media/audio_decoder.h"
#include "media/image_io.h"
#include "media/png_sequence_writer.h"
#include "media/video_writer.h"
#include "render/renderer.h"

namespace fs = std::filesystem;

namespace auhead {

namespace {

// Stage 1 options that need no file: the frame rate, and sampling settings only for the alm generator.
void check_au_options(const AuOptions& o) {
  if (!(o.fps >= 1 && o.fps <= 120)) throw usage_error("--fps must be between 1 and 120");
  if (o.au_generator != "alm")
    for (const auto& [given, name] : {std::pair{o.temperature.has_value(), "--temperature"},
                                      std::pair{o.top_k.has_value(), "--top-k"}, std::pair{o.top_p.has_value(), "--top-p"}})
      if (given) throw usage_error(std::string(name) + " applies to --au-generator alm");
}

// Fails early, before long work, when the video or frames cannot be written.
void check_outputs(const RenderOptions& o) {
  if (o.output.empty() && o.frames_dir.empty()) throw usage_error("nothing to write: give an output video or a frames folder");
  if (!o.output.empty()) AtomicFile probe(o.output);  // checks the folder; removes nothing real
  if (!o.frames_dir.empty()) {
    fs::path parent = o.frames_dir.parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
      throw output_error(o.frames_dir.string(), "folder " + parent.string() + " does not exist");
  }
}

AuGeneratorOptions generator_options(const AuOptions& o) {
  AuGeneratorOptions g;
  g.emotion = o.emotion;
  g.emotion_intensity = o.emotion_intensity;
  g.fps = o.fps;
  g.seed = o.seed;
  g.lipsync = o.lipsync;
  g.model_dir = o.model_dir;
  g.temperature = o.temperature;
  g.top_k = o.top_k;
  g.top_p = o.top_p;
  return g;
}

AuSequence run_generator(AuGenerator& generator, const media::Audio& audio, const AuOptions& o) {
  AuSequence seq = generator.generate(audio.samples, o.audio.string());
  if (seq.fps != o.fps) seq = resample(seq, o.fps);
  apply_edit(seq, o.edit);
  seq.validate("generated AU sequence");
  if (!o.plot.empty()) write_au_plot(o.plot, seq, generator.timeline());
  return seq;
}

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

void run_renderer(Renderer& renderer, const AuSequence& aus, const cv::Mat& portrait, const RenderOptions& o) {
  AuSequence edited = aus;
  apply_edit(edited, o.edit);
  std::unique_ptr<media::VideoWriter> video;
  std::unique_ptr<media::PngSequenceWriter> frames;
  if (!o.output.empty())
    video = std::make_unique<media::VideoWriter>(o.output, o.size, o.size, media::FrameRate::from_fps(edited.fps), o.audio);
  if (!o.frames_dir.empty()) frames = std::make_unique<media::PngSequenceWriter>(o.frames_dir);
  Progress progress("rendering", int64_t(edited.frames.size()));
  {
    FrameSink sink(video.get(), frames.get());
    renderer.render(edited, portrait, o.image.string(), [&](const cv::Mat& frame) {
      sink.push(frame);
      progress.advance();
    });
    sink.finish();
  }
  if (video) video->finish();
  if (frames) frames->finish();
  progress.finish();
}

RendererOptions renderer_options(const RenderOptions& o) {
  RendererOptions r;
  r.size = o.size;
  r.seed = o.seed;
  r.still = o.still;
  r.keep_portrait_expression = o.keep_portrait_expression;
  r.model_dir = o.model_dir;
  r.sampling = o.sampling;
  return r;
}

}  // namespace

void check_frame_size(int size) {
  if (size < 64 || size > 4096 || size % 2 != 0)
    throw usage_error("--size must be an even number of pixels from 64 to 4096, got " + std::to_string(size));
}

AuSequence generate_au(const AuOptions& options) {
  check_au_options(options);
  if (!options.plot.empty()) AtomicFile probe(options.plot);  // an unwritable plot fails before any work
  media::Audio audio = media::decode_audio(options.audio);
  auto generator = make_au_generator(options.au_generator, generator_options(options));
  return run_generator(*generator, audio, options);
}

void render_video(const AuSequence& aus, const RenderOptions& options) {
  check_frame_size(options.size);
  check_sampling_options(options.sampling, options.renderer);
  check_outputs(options);
  cv::Mat portrait = media::load_image_rgb(options.image);
  auto renderer = make_renderer(options.renderer, renderer_options(options));
  run_renderer(*renderer, aus, portrait, options);
}

namespace {

// generate() with a driving video: its AUs and pose, the speech's mouth when there is speech.
// What both forms of generate() check before reading any file.
void check_generate_options(const GenerateOptions& options) {
  check_au_options(options.au);
  check_frame_size(options.render.size);
  check_sampling_options(options.render.sampling, options.render.renderer);
  check_outputs(options.render);
  if (!options.au_out.empty()) detect_au_format(options.au_out);
}

AuSequence generate_driven(const GenerateOptions& options) {
  const auto mode = au_estimation::parse_drive_mode(options.drive);
  check_generate_options(options);
  if (options.driving_video == options.render.output || options.driving_video == options.render.image)
    throw usage_error("the driving video must not be the output or the portrait");
  cv::Mat portrait = media::load_image_rgb(options.render.image);
  const bool speech = !options.au.audio.empty();
  std::optional<media::Audio> audio;
  if (speech) audio = media::decode_audio(options.au.audio);
  auto renderer = make_renderer(options.render.renderer, renderer_options(options.render));
  renderer->prepare(portrait, options.render.image.string());
  au_estimation::MediaAus driving = au_estimation::estimate_video_aus(options.driving_video, options.driving_face_index);
  AuSequence speech_aus;
  if (speech) {
    AuOptions ao = options.au;
    ao.fps = driving.aus.fps;
    ao.edit = {};
    auto generator = make_au_generator(ao.au_generator, generator_options(ao));
    speech_aus = run_generator(*generator, *audio, ao);
  }
  AuSequence aus = au_estimation::driving_aus(driving.aus, speech ? &speech_aus : nullptr, mode);
  apply_edit(aus, options.au.edit);
  aus.validate("driven AU sequence");
  if (!options.au_out.empty()) write_au_file(options.au_out, aus);
  RenderOptions ro = options.render;
  ro.audio = options.au.audio;
  if (!speech) {
    // The driving video's own sound, when it has a track.
    try {
      media::probe_audio(options.driving_video);
      ro.audio = options.driving_video;
    } catch (const Error& e) {
      if (std::string(e.what()).find("has no audio stream") == std::string::npos) throw;
    }
  }
  run_renderer(*renderer, aus, portrait, ro);
  return aus;
}

}  // namespace

AuSequence generate(const GenerateOptions& options) {
  if (!options.driving_video.empty()) return generate_driven(options);
  if (options.au.audio.empty()) throw usage_error("generate: give --audio (or --driving-video)");
  check_generate_options(options);
  if (!options.au.plot.empty()) AtomicFile probe(options.au.plot);
  // Inputs are read and both stages created before Stage 1 runs, so that a bad portrait or a
  // missing renderer is reported before any long work.
  cv::Mat portrait = media::load_image_rgb(options.render.image);
  media::Audio audio = media::decode_audio(options.au.audio);
  auto generator = make_au_generator(options.au.au_generator, generator_options(options.au));
  auto renderer = make_renderer(options.render.renderer, renderer_options(options.render));
  // The renderer's portrait work (face analysis) also runs first: "no face found" is reported
  // before Stage 1 spends any time.
  renderer->prepare(portrait, options.render.image.string());
  AuSequence aus = run_generator(*generator, audio, options.au);
  if (!options.au_out.empty()) write_au_file(options.au_out, aus);
  run_renderer(*renderer, aus, portrait, options.render);
  return aus;
}

}  // namespace auhead
