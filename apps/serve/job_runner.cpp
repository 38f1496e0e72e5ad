#include "serve/job_runner.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/json_text.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace auhead::serve {

std::string random_job_id() {
  static std::mutex m;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(m);
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", (unsigned long long)rng(), (unsigned long long)rng());
  return buf;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) throw output_error(file.filename().string(), "cannot write to the work folder");
}

std::optional<std::string> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

const FormPart& required(const std::map<std::string, FormPart>& form, const std::string& name) {
  auto it = form.find(name);
  if (it == form.end()) throw usage_error("the request needs a '" + name + "' part");
  return it->second;
}

void only_parts(const std::map<std::string, FormPart>& form, std::initializer_list<const char*> names) {
  for (const auto& [name, part] : form)
    if (std::find_if(names.begin(), names.end(), [&](const char* n) { return name == n; }) == names.end())
      throw usage_error("unknown part '" + name + "'");
}

std::string options_text(const std::map<std::string, FormPart>& form) {
  auto it = form.find("options");
  return it == form.end() ? std::string("{}") : it->second.data;
}

nlohmann::json parse_options(const std::string& text) {
  try {
    return parse_json_text(text, "options");
  } catch (const Error& e) {
    throw usage_error(e.what());  // a request's own text: a bad request, not a bad file
  }
}

// An error about our copy of an upload names the request's part instead (no server path in replies).
Error as_part(const Error& e, const fs::path& file, const std::string& part) {
  std::string m = e.what();
  const std::string f = file.string();
  if (m.compare(0, f.size(), f) == 0) m = part + m.substr(f.size());
  return Error(e.code(), m);
}

std::string generator_key(const AuGeneratorConfig& c) {
  std::ostringstream k;
  k << c.implementation << '|' << c.lipsync << '|' << c.model_dir.string() << '|' << c.temperature.value_or(-1) << '|'
    << c.top_k.value_or(-1) << '|' << c.top_p.value_or(-1);
  return k.str();
}

std::string renderer_key(const RendererConfig& c) {
  std::ostringstream k;
  const SamplingOptions& s = c.sampling;
  k << c.implementation << '|' << c.size << '|' << c.model_dir.string() << '|' << s.steps.value_or(-1) << '|'
    << s.sampler.value_or("") << '|' << s.guidance_reference.value_or(-1) << '|' << s.guidance_au.value_or(-1) << '|'
    << s.device.value_or("");
  return k.str();
}

}  // namespace

JobRunner::JobRunner(ServiceLimits limits, ModelNames models) : limits_(limits), models_(std::move(models)) {}

std::vector<float> JobRunner::load_audio_file(const fs::path& file) const {
  std::vector<float> samples;
  try {
    samples = load_audio(file);
  } catch (const Error& e) {
    throw as_part(e, file, "audio");
  }
  if (double(samples.size()) / 16000 > limits_.max_audio_seconds)
    throw input_error("audio", "longer than this server takes (" + std::to_string(int(limits_.max_audio_seconds)) + " s)");
  return samples;
}

Portrait JobRunner::load_portrait_file(const fs::path& file) const {
  std::optional<Portrait> p;
  try {
    p = Portrait::load(file);
  } catch (const Error& e) {
    throw as_part(e, file, "portrait");
  }
  const ImageView v = p->pixels();
  if (int64_t(v.width) * v.height > limits_.max_image_pixels)
    throw input_error("portrait", std::to_string(v.width) + "x" + std::to_string(v.height) +
                                      " is more pixels than this server takes (" + std::to_string(limits_.max_image_pixels) + ")");
  return Portrait::from_rgb(v, "portrait");
}

std::vector<float> JobRunner::load_audio_part(const FormPart& part, const fs::path& folder) const {
  write_bytes(folder / "audio.in", part.data);
  return load_audio_file(folder / "audio.in");
}

Portrait JobRunner::load_portrait(const FormPart& part, const fs::path& folder) const {
  write_bytes(folder / "portrait.in", part.data);
  return load_portrait_file(folder / "portrait.in");
}

JobInputs JobRunner::accept(const std::map<std::string, FormPart>& form, const fs::path& dir) const {
  only_parts(form, {"audio", "portrait", "options"});
  const FormPart& audio = required(form, "audio");
  const FormPart& portrait = required(form, "portrait");
  const std::string options = options_text(form);
  JobInputs job;
  job.request = parse_generate_options(parse_options(options), models_);  // a bad request writes no file
  write_bytes(dir / "options.json", options);
  job.samples = load_audio_part(audio, dir);
  job.portrait = load_portrait(portrait, dir);
  return job;
}

JobInputs JobRunner::reload(const fs::path& dir) const {
  auto options = read_bytes(dir / "options.json");
  if (!options || !fs::exists(dir / "audio.in") || !fs::exists(dir / "portrait.in"))
    throw input_error("job", "its uploads are missing from the shared folder");
  // Reads only: another worker may be reading the same files.
  JobInputs job;
  job.request = parse_generate_options(parse_options(*options), models_);
  job.samples = load_audio_file(dir / "audio.in");
  job.portrait = load_portrait_file(dir / "portrait.in");
  return job;
}

std::string JobRunner::au_now(const std::map<std::string, FormPart>& form, const fs::path& scratch,
                              std::stop_token stop) {
  only_parts(form, {"audio", "options"});
  const FormPart& audio = required(form, "audio");
  GenerateRequest request = parse_generate_options(parse_options(options_text(form)), models_, true);
  std::vector<float> samples = load_audio_part(audio, scratch);
  RunHooks hooks;
  hooks.stop = std::move(stop);
  return au_to_json(generator(request.au_config)->generate(samples, request.au, hooks, "audio"));
}

std::shared_ptr<const AuGenerator> JobRunner::generator(const AuGeneratorConfig& c) {
  std::lock_guard lock(models_mutex_);
  auto& slot = generators_[generator_key(c)];
  if (!slot) slot = std::make_shared<const AuGenerator>(c);
  return slot;
}

std::shared_ptr<const Renderer> JobRunner::renderer(const RendererConfig& c) {
  std::lock_guard lock(models_mutex_);
  auto& slot = renderers_[renderer_key(c)];
  if (!slot) slot = std::make_shared<const Renderer>(c);
  return slot;
}

JobOutcome JobRunner::run(JobInputs& job, const fs::path& out, const fs::path& audio_file, std::stop_source& stop,
                          const std::function<void(double)>& progress) {
  const auto start = Clock::now();
  double base = 0, span = 0.1;  // Stage 1 is the first tenth of the progress, rendering the rest
  bool timed_out = false;
  RunHooks hooks;
  hooks.stop = stop.get_token();
  hooks.progress = [&](const std::string&, int64_t done, int64_t total) {
    progress(std::min(1.0, base + span * double(done) / double(std::max<int64_t>(total, 1))));
    if (std::chrono::duration<double>(Clock::now() - start).count() > limits_.job_seconds && !timed_out) {
      timed_out = true;
      stop.request_stop();
    }
  };
  JobOutcome o;
  try {
    AuSequence aus = generator(job.request.au_config)->generate(job.samples, job.request.au, hooks, "audio");
    job.samples = {};
    write_au_file(out / "au.json", aus);
    base = 0.1, span = 0.9;
    renderer(job.request.render_config)
        ->render_file(aus, *job.portrait, {out / "video.mp4", {}, audio_file}, job.request.render, hooks);
  } catch (const Cancelled&) {
    o.state = timed_out ? "failed" : "cancelled";
    if (timed_out) {
      o.error = "the job ran past this server's time limit (" + std::to_string(int(limits_.job_seconds)) + " s)";
      o.code = int(ExitCode::unavailable);
    }
  } catch (const Error& e) {
    o = {"failed", e.what(), int(e.code())};
  } catch (const std::exception& e) {
    o = {"failed", std::string("internal error: ") + e.what(), int(ExitCode::internal)};
  }
  job.samples = {};
  job.portrait.reset();
  if (o.state == "done") progress(1);
  return o;
}

}  // namespace auhead::serve
