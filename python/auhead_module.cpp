// Python bindings of the public API (import auhead): the Stage 1 and Stage 2 handles, portraits,
// AU sequences and the streaming session, with numpy arrays for audio (float32, 16 kHz mono),
// images (uint8 H×W×3 RGB) and AU matrices (float32 frames × 30). The GIL is released while auhead
// works; progress callbacks take it back; Ctrl-C (a pending KeyboardInterrupt) cancels a call.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstring>
#include <optional>
#include <stop_token>

#include "auhead/au_estimation.h"
#include "auhead/au_generator.h"
#include "auhead/error.h"
#include "auhead/renderer.h"
#include "auhead/stream.h"
#include "auhead/version.h"

namespace py = pybind11;
using namespace auhead;

namespace {

using Progress = std::function<void(const std::string&, int64_t, int64_t)>;

// Hooks for one call made with the GIL released: the progress callback (if any) and Ctrl-C both run
// with the GIL taken back; a Python error in either stops the call and is raised after it.
class PyHooks {
 public:
  explicit PyHooks(std::optional<Progress> progress) : progress_(std::move(progress)) {
    hooks_.stop = stop_.get_token();
    hooks_.progress = [this](const std::string& task, int64_t done, int64_t total) {
      py::gil_scoped_acquire gil;
      try {
        if (progress_) (*progress_)(task, done, total);
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      } catch (py::error_already_set& e) {
        if (!error_) error_.emplace(std::move(e));
        stop_.request_stop();
      }
    };
  }
  const RunHooks& hooks() const { return hooks_; }
  // Runs `f` without the GIL; a Python error raised in a callback wins over the Cancelled it caused.
  template <class F>
  auto run(F&& f) {
    try {
      py::gil_scoped_release release;
      return f();
    } catch (const Cancelled&) {
      if (error_) {
        auto e = std::move(*error_);
        error_.reset();
        throw e;
      }
      throw;
    }
  }

 private:
  std::optional<Progress> progress_;
  std::stop_source stop_;
  RunHooks hooks_;
  std::optional<py::error_already_set> error_;
};

py::array_t<float> frames_array(const AuSequence& s) {
  py::array_t<float> a({py::ssize_t(s.frames.size()), py::ssize_t(kNumAus)});
  auto m = a.mutable_unchecked<2>();
  for (std::size_t t = 0; t < s.frames.size(); ++t)
    for (int k = 0; k < kNumAus; ++k) m(py::ssize_t(t), k) = s.frames[t][std::size_t(k)];
  return a;
}

AuSequence sequence_from(py::array_t<float, py::array::c_style | py::array::forcecast> frames, double fps,
                         std::optional<std::string> emotion, float intensity) {
  if (frames.ndim() != 2 || frames.shape(1) != kNumAus)
    throw usage_error("AU frames must be an array of shape (frames, " + std::to_string(kNumAus) + ")");
  AuSequence s;
  s.fps = fps;
  s.frames.resize(std::size_t(frames.shape(0)));
  auto m = frames.unchecked<2>();
  for (py::ssize_t t = 0; t < frames.shape(0); ++t)
    for (int k = 0; k < kNumAus; ++k) s.frames[std::size_t(t)][std::size_t(k)] = m(t, k);
  if (emotion) s.emotion = EmotionState{parse_emotion_or_throw(*emotion), intensity};
  s.validate("AU frames");
  return s;
}

py::array_t<uint8_t> image_array(const ImageView& v) {
  py::array_t<uint8_t> a({py::ssize_t(v.height), py::ssize_t(v.width), py::ssize_t(3)});
  uint8_t* out = a.mutable_data();
  for (int y = 0; y < v.height; ++y) std::memcpy(out + std::size_t(y) * v.width * 3, v.rgb + y * v.stride, std::size_t(v.width) * 3);
  return a;
}

std::vector<float> samples_from(const py::array_t<float, py::array::c_style | py::array::forcecast>& a) {
  if (a.ndim() != 1) throw usage_error("audio must be a 1-D array of 16 kHz mono samples");
  return std::vector<float>(a.data(), a.data() + a.size());
}

AuEdit edit_from(const std::vector<std::string>& set, std::optional<float> emotion_scale) {
  AuEdit e;
  for (const auto& spec : set) e.overrides.push_back(parse_au_override(spec));
  e.emotion_intensity_scale = emotion_scale;
  return e;
}

std::optional<Emotion> emotion_from(const std::optional<std::string>& e) {
  if (!e) return std::nullopt;
  return parse_emotion_or_throw(*e);
}

py::tuple frame_tuple(const StreamFrame& f) {
  py::array_t<float> aus(kNumAus);
  std::memcpy(aus.mutable_data(), f.aus.data(), sizeof(float) * kNumAus);
  return py::make_tuple(f.index, f.time, aus, image_array(f.image));
}

// Runs a streaming call without the GIL, keeping copies of the frames it hands out; returns them as
// (index, time, aus, image) tuples.
template <class Call>
py::list stream_frames(Call&& call) {
  std::vector<StreamFrame> frames;
  std::vector<std::vector<uint8_t>> images;
  {
    py::gil_scoped_release release;
    call([&](const StreamFrame& f) {
      frames.push_back(f);
      images.emplace_back();
      for (int y = 0; y < f.image.height; ++y)
        images.back().insert(images.back().end(), f.image.rgb + y * f.image.stride,
                             f.image.rgb + y * f.image.stride + f.image.width * 3);
    });
  }
  py::list out;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    frames[i].image = {images[i].data(), frames[i].image.width, frames[i].image.height,
                       std::size_t(frames[i].image.width) * 3};
    out.append(frame_tuple(frames[i]));
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(auhead, m) {
  m.doc() = "auhead: speech + portrait -> talking-head video controlled by facial Action Units";
  static py::exception<Error> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object instance = py::reinterpret_borrow<py::object>(error.ptr())(e.what());
      instance.attr("code") = int(e.code());
      PyErr_SetObject(error.ptr(), instance.ptr());
    }
  });
  m.attr("AU_NAMES") = [] {
    py::list names;
    for (const auto& info : au_table()) names.append(std::string(info.name));
    return names;
  }();

  m.def("load_audio", [](const std::filesystem::path& file) {
    std::vector<float> s;
    {
      py::gil_scoped_release release;
      s = load_audio(file);
    }
    py::array_t<float> a(py::ssize_t(s.size()));
    std::memcpy(a.mutable_data(), s.data(), s.size() * sizeof(float));
    return a;
  }, py::arg("file"), "16 kHz mono float32 samples of any audio file FFmpeg reads");

  py::class_<AuSequence>(m, "AuSequence", "AU intensities per frame (frames × 30), a frame rate and an emotion")
      .def(py::init(&sequence_from), py::arg("frames"), py::arg("fps") = 25.0, py::arg("emotion") = py::none(),
           py::arg("emotion_intensity") = 0.f)
      .def_static("load", [](const std::filesystem::path& f) { return read_au_file(f); }, py::arg("file"))
      .def("save", [](const AuSequence& s, const std::filesystem::path& f) { write_au_file(f, s); }, py::arg("file"))
      .def("to_json", &au_to_json)
      .def_readonly("fps", &AuSequence::fps)
      .def_property_readonly("frames", &frames_array)
      .def_property_readonly("emotion", [](const AuSequence& s) -> py::object {
        if (!s.emotion) return py::none();
        return py::make_tuple(std::string(emotion_name(s.emotion->label)), s.emotion->intensity);
      })
      .def("__len__", [](const AuSequence& s) { return s.frames.size(); });

  m.attr("__version__") = std::string(version());
  m.def("read_video_aus", [](const std::filesystem::path& file, int face_index) {
    py::gil_scoped_release release;
    return read_video_aus(file, face_index);
  }, py::arg("file"), py::arg("face_index") = -1,
        "the AUs of the face in a video (fps from the video), relative to the subject's own neutral");
  m.def("read_image_aus", [](const std::filesystem::path& file, int face_index) {
    py::gil_scoped_release release;
    return read_image_aus(file, face_index);
  }, py::arg("file"), py::arg("face_index") = -1, "the AUs of the face in one photo (one frame)");

  py::class_<Portrait>(m, "Portrait", "a portrait photo, decoded once")
      .def_static("load", &Portrait::load, py::arg("file"))
      .def_static("from_array", [](py::array_t<uint8_t, py::array::c_style | py::array::forcecast> a, const std::string& name) {
        if (a.ndim() != 3 || a.shape(2) != 3) throw usage_error("a portrait array must be H × W × 3 RGB uint8");
        return Portrait::from_rgb({a.data(), int(a.shape(1)), int(a.shape(0)), std::size_t(a.shape(1)) * 3}, name);
      }, py::arg("rgb"), py::arg("name") = "portrait")
      .def_property_readonly("array", [](const Portrait& p) { return image_array(p.pixels()); })
      .def_property_readonly("name", &Portrait::name);

  py::class_<AuGenerator>(m, "AuGenerator", "Stage 1, loaded once: speech -> AU sequence")
      .def(py::init([](const std::string& implementation, const std::string& lipsync, std::optional<std::filesystem::path> model_dir,
                       std::optional<float> temperature, std::optional<int> top_k, std::optional<float> top_p) {
             AuGeneratorConfig c{implementation, lipsync, model_dir.value_or(""), temperature, top_k, top_p};
             py::gil_scoped_release release;
             return std::make_unique<AuGenerator>(c);
           }),
           py::arg("implementation") = "phonetic", py::arg("lipsync") = "accurate", py::arg("model_dir") = py::none(),
           py::arg("temperature") = py::none(), py::arg("top_k") = py::none(), py::arg("top_p") = py::none())
      .def("generate", [](const AuGenerator& g, py::object audio, std::optional<std::string> emotion, float intensity,
                          double fps, uint64_t seed, std::vector<std::string> set, std::optional<float> emotion_scale,
                          std::optional<Progress> progress) {
             AuRequest r;
             r.emotion = emotion_from(emotion);
             r.emotion_intensity = intensity;
             r.fps = fps;
             r.seed = seed;
             r.edit = edit_from(set, emotion_scale);
             PyHooks hooks(std::move(progress));
             if (py::isinstance<py::str>(audio) || py::hasattr(audio, "__fspath__")) {
               const auto path = audio.cast<std::filesystem::path>();
               return hooks.run([&] { return g.generate(path, r, hooks.hooks()); });
             }
             const std::vector<float> samples = samples_from(audio.cast<py::array_t<float, py::array::c_style | py::array::forcecast>>());
             return hooks.run([&] { return g.generate(samples, r, hooks.hooks()); });
           },
           py::arg("audio"), py::arg("emotion") = py::none(), py::arg("emotion_intensity") = 0.7f, py::arg("fps") = 25.0,
           py::arg("seed") = 0, py::arg("set") = std::vector<std::string>{}, py::arg("emotion_scale") = py::none(),
           py::arg("progress") = py::none(),
           "audio: a file path or a float32 array of 16 kHz mono samples; set: AU edits such as 'jaw_drop=0.6@1-2'");

  py::class_<Renderer>(m, "Renderer", "Stage 2, loaded once: AU sequence + portrait -> frames or a video")
      .def(py::init([](const std::string& implementation, int size, std::optional<std::filesystem::path> model_dir,
                       std::optional<int> steps, std::optional<std::string> sampler, std::optional<double> guidance_reference,
                       std::optional<double> guidance_au, std::optional<std::string> device) {
             RendererConfig c;
             c.implementation = implementation;
             c.size = size;
             c.model_dir = model_dir.value_or("");
             c.sampling = {steps, sampler, guidance_reference, guidance_au, device};
             py::gil_scoped_release release;
             return std::make_unique<Renderer>(c);
           }),
           py::arg("implementation") = "warp", py::arg("size") = 512, py::arg("model_dir") = py::none(),
           py::arg("steps") = py::none(), py::arg("sampler") = py::none(), py::arg("guidance_reference") = py::none(),
           py::arg("guidance_au") = py::none(), py::arg("device") = py::none())
      .def("prepare", [](const Renderer& r, const Portrait& p, bool keep) {
             RenderRequest q;
             q.keep_portrait_expression = keep;
             py::gil_scoped_release release;
             r.prepare(p, q);
           }, py::arg("portrait"), py::arg("keep_portrait_expression") = false)
      .def("render", [](const Renderer& r, const AuSequence& aus, const Portrait& p, uint64_t seed, bool still, bool keep,
                        std::vector<std::string> set, std::optional<Progress> progress) {
             RenderRequest q{seed, still, keep, edit_from(set, std::nullopt)};
             const int size = r.config().size;
             std::vector<uint8_t> pixels;
             pixels.reserve(aus.frames.size() * std::size_t(size) * size * 3);
             PyHooks hooks(std::move(progress));
             hooks.run([&] {
               r.render(aus, p, [&](const ImageView& v) {
                 for (int y = 0; y < v.height; ++y) pixels.insert(pixels.end(), v.rgb + y * v.stride, v.rgb + y * v.stride + v.width * 3);
               }, q, hooks.hooks());
               return 0;
             });
             const py::ssize_t n = py::ssize_t(pixels.size() / (std::size_t(size) * size * 3));
             py::array_t<uint8_t> a({n, py::ssize_t(size), py::ssize_t(size), py::ssize_t(3)});
             std::memcpy(a.mutable_data(), pixels.data(), pixels.size());
             return a;
           },
           py::arg("aus"), py::arg("portrait"), py::arg("seed") = 0, py::arg("still") = false,
           py::arg("keep_portrait_expression") = false, py::arg("set") = std::vector<std::string>{},
           py::arg("progress") = py::none(), "all frames as a uint8 array (frames, size, size, 3)")
      .def("render_file", [](const Renderer& r, const AuSequence& aus, const Portrait& p,
                             std::optional<std::filesystem::path> output, std::optional<std::filesystem::path> audio,
                             std::optional<std::filesystem::path> frames_dir, uint64_t seed, bool still, bool keep,
                             std::vector<std::string> set, std::optional<Progress> progress) {
             RenderRequest q{seed, still, keep, edit_from(set, std::nullopt)};
             RenderFiles files{output.value_or(""), frames_dir.value_or(""), audio.value_or("")};
             PyHooks hooks(std::move(progress));
             hooks.run([&] {
               r.render_file(aus, p, files, q, hooks.hooks());
               return 0;
             });
           },
           py::arg("aus"), py::arg("portrait"), py::arg("output") = py::none(), py::arg("audio") = py::none(),
           py::arg("frames_dir") = py::none(), py::arg("seed") = 0, py::arg("still") = false,
           py::arg("keep_portrait_expression") = false, py::arg("set") = std::vector<std::string>{},
           py::arg("progress") = py::none());

  py::class_<StreamSession>(m, "StreamSession",
                            "live speech in, frames out: push() returns the frames that became final as "
                            "(index, time, aus[30], image H×W×3) tuples")
      .def(py::init([](const Portrait& p, int size, double fps, uint64_t seed, bool still, bool keep,
                       std::optional<std::string> emotion, float intensity, double context, double lookahead, double ramp,
                       int sample_rate) {
             StreamConfig c{size, fps, seed, still, keep, emotion_from(emotion), intensity, context, lookahead, ramp, sample_rate};
             py::gil_scoped_release release;
             return std::make_unique<StreamSession>(p, c);
           }),
           py::arg("portrait"), py::arg("size") = 512, py::arg("fps") = 25.0, py::arg("seed") = 0, py::arg("still") = false,
           py::arg("keep_portrait_expression") = false, py::arg("emotion") = py::none(), py::arg("emotion_intensity") = 0.7f,
           py::arg("context_seconds") = 2.0, py::arg("lookahead_seconds") = 0.1, py::arg("emotion_ramp_seconds") = 0.2,
           py::arg("sample_rate") = 16000)
      .def("push", [](StreamSession& s, py::array_t<float, py::array::c_style | py::array::forcecast> audio) {
             const std::vector<float> samples = samples_from(audio);
             return stream_frames([&](const StreamFrameCallback& cb) { s.push(samples, cb); });
           }, py::arg("samples"))
      .def("finish", [](StreamSession& s) {
             return stream_frames([&](const StreamFrameCallback& cb) { s.finish(cb); });
           })
      .def("set_emotion", [](StreamSession& s, std::optional<std::string> e, float intensity) {
             s.set_emotion(emotion_from(e), intensity);
           }, py::arg("emotion"), py::arg("emotion_intensity") = 0.7f)
      .def("set_overrides", [](StreamSession& s, const std::vector<std::string>& set) {
             s.set_overrides(edit_from(set, std::nullopt).overrides);
           }, py::arg("set"))
      .def_property_readonly("frames_out", &StreamSession::frames_out)
      .def_property_readonly("seconds_in", &StreamSession::seconds_in);
}
