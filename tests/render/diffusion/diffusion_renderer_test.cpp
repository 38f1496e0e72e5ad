// The diffusion renderer end to end through `auhead render`, on a model folder assembled from the
// shared tiny fixtures (random weights: checks plumbing, sizes, determinism and errors, not looks).
// Non-finite latents make the renderer fail, so exit code 0 also means finite values.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "build_config.h"
#include "cli/cli_test_util.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"
#include "render/renderer.h"
#include "render/diffusion/context_windows.h"
#include "auhead/renderer.h"
#include "render/diffusion/diffusion_model_dir.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

namespace {

fs::path fixtures() { return fs::path(AUHEAD_FIXTURES_DIR) / "diffusion"; }

// vae/, reference_unet/, denoising_unet/, pose_guider/ from the fixtures (+ the tiny CLIP as image_encoder/:
// its 32-wide projection matches the UNets' cross-attention), 2 DDIM steps, 3-frame windows overlapping
// by 1 (so 4 frames take two windows).
void assemble_model(const fs::path& dir, bool with_image_encoder) {
  fs::create_directories(dir);
  for (const char* part : {"vae", "reference_unet", "denoising_unet", "pose_guider"})
    fs::copy(fixtures() / part, dir / part, fs::copy_options::recursive);
  if (with_image_encoder) {
    fs::create_directories(dir / "image_encoder");
    for (const char* file : {"config.json", "model.safetensors"})
      fs::copy_file(fs::path(AUHEAD_FIXTURES_DIR) / "clip_vision_tiny" / file, dir / "image_encoder" / file);
  }
  std::ofstream(dir / "render_config.json")
      << R"({"steps": 2, "sampler": "ddim", "context_frames": 3, "context_overlap": 1, "device": "cpu"})";
}

void write_aus(const fs::path& file, int frames) {
  std::ostringstream s;
  s << R"({"fps":25,"frames":[)";
  for (int t = 0; t < frames; ++t) {
    s << (t ? "," : "") << "[";
    for (int k = 0; k < 30; ++k) s << (k ? "," : "") << ((k * 7 + t * 3) % 10) / 10.0;
    s << "]";
  }
  s << "]}";
  std::ofstream(file) << s.str();
}

std::vector<cv::Mat> read_frames(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".png") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<cv::Mat> frames;
  for (const auto& f : files) frames.push_back(cv::imread(f.string(), cv::IMREAD_UNCHANGED));
  return frames;
}

bool have_face_models() { return fs::exists(face::default_face_models_dir() / "face_landmark.tflite"); }

}  // namespace

TEST(DiffusionContextWindows, CoverAndOverlap) {
  auto w = context_windows(6, 16, 4);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].begin, 0);
  EXPECT_EQ(w[0].end, 6);
  w = context_windows(40, 16, 4);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].begin, 0);
  EXPECT_EQ(w[1].begin, 12);
  EXPECT_EQ(w[2].begin, 24);
  EXPECT_EQ(w[2].end, 40);
  w = context_windows(30, 16, 4);  // {0,16} {12,28} {14,30}: every overlap at least 4
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[2].begin, 14);
  EXPECT_EQ(w[2].end, 30);
  EXPECT_TRUE(context_windows(0, 16, 4).empty());
}

TEST(DiffusionRenderer, TinyModelsEndToEnd) {
  if (!have_face_models()) GTEST_SKIP() << "face models missing (scripts/setup.sh)";
  test::TempDir dir("diffusion_e2e");
  assemble_model(dir / "model", true);
  write_aus(dir / "aus.json", 4);
  const std::string base = "render --au " + (dir / "aus.json").string() + " --image " + test::example("portrait.jpg") +
                           " --renderer diffusion --render-model " + (dir / "model").string() + " --size 64";
  auto a = test::run_cli(base + " --seed 7 --frames " + (dir / "a").string());
  ASSERT_EQ(a.code, 0) << a.output;
  EXPECT_EQ(a.output.find("zero image embedding"), std::string::npos) << a.output;
  auto b = test::run_cli(base + " --seed 7 --frames " + (dir / "b").string());
  ASSERT_EQ(b.code, 0) << b.output;
  std::vector<cv::Mat> fa = read_frames(dir / "a"), fb = read_frames(dir / "b");
  ASSERT_EQ(fa.size(), 4u);
  ASSERT_EQ(fb.size(), 4u);
  for (std::size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i].rows, 64);
    EXPECT_EQ(fa[i].cols, 64);
    EXPECT_EQ(fa[i].channels(), 3);
    EXPECT_EQ(cv::norm(fa[i], fb[i], cv::NORM_INF), 0) << "frame " << i << " differs with the same seed";
  }
}

TEST(DiffusionRenderer, ErrorsNameTheProblem) {
  test::TempDir dir("diffusion_errors");
  assemble_model(dir / "model", false);
  write_aus(dir / "aus.json", 2);
  fs::remove(dir / "model" / "pose_guider" / "diffusion_pytorch_model.safetensors");
  const std::string base = "render --au " + (dir / "aus.json").string() + " --image " + test::example("portrait.jpg") +
                           " --renderer diffusion --frames " + (dir / "f").string();
  auto r = test::run_cli(base + " --render-model " + (dir / "model").string() + " --size 64");
  EXPECT_TRUE(r.code == 5 || r.code == 3) << r.code << " " << r.output;
  EXPECT_NE(r.output.find((dir / "model" / "pose_guider" / "diffusion_pytorch_model.safetensors").string()), std::string::npos)
      << r.output;
  r = test::run_cli(base + " --render-model " + (dir / "model").string() + " --size 96");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("multiple of 64"), std::string::npos) << r.output;
  r = test::run_cli(base + " --render-model " + (dir / "nowhere").string() + " --size 64");
  EXPECT_EQ(r.code, 5) << r.output;
  EXPECT_NE(r.output.find("nowhere"), std::string::npos) << r.output;
}

// The library API (make_renderer, prepare once, render twice) with DPM-Solver++: the second render
// reuses the portrait's reference and gives the same frames.
TEST(DiffusionRenderer, LibraryApiWithDpmSolver) {
  if (!have_face_models()) GTEST_SKIP() << "face models missing (scripts/setup.sh)";
  test::TempDir dir("diffusion_api");
  assemble_model(dir / "model", false);
  std::ofstream(dir / "model" / "render_config.json") << R"({"steps": 2, "sampler": "dpmsolver++", "device": "cpu"})";
  render::RendererOptions o;
  o.size = 64;
  o.seed = 3;
  o.still = true;
  o.model_dir = dir / "model";
  auto renderer = render::make_renderer("diffusion", o);
  const cv::Mat portrait = media::load_image_rgb(test::example("portrait.jpg"));
  renderer->prepare(portrait, "portrait.jpg");
  AuSequence aus;
  aus.fps = 25;
  aus.frames.resize(2);
  aus.frames[1][8] = 0.8f;  // jaw drop in the second frame
  std::vector<cv::Mat> first, second;
  renderer->render(aus, portrait, "portrait.jpg", [&](const cv::Mat& f) { first.push_back(f.clone()); });
  renderer->render(aus, portrait, "portrait.jpg", [&](const cv::Mat& f) { second.push_back(f.clone()); });
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(first[i].type(), CV_8UC3);
    EXPECT_EQ(first[i].size(), cv::Size(64, 64));
    EXPECT_EQ(cv::norm(first[i], second[i], cv::NORM_INF), 0) << "frame " << i;
  }
}

// The public handle's notes go to its RunHooks::log (and nowhere else), one line each.
TEST(DiffusionRenderer, PublicHandleNotesGoToTheLogHook) {
  test::TempDir dir("diffusion_log");
  assemble_model(dir / "model", false);
  std::ofstream(dir / "model" / "render_config.json") << R"({"steps": 1, "device": "cpu"})";
  RendererConfig c;
  c.implementation = "diffusion";
  c.size = 64;
  c.model_dir = dir / "model";
  std::vector<std::pair<LogLevel, std::string>> lines;
  RunHooks hooks;
  hooks.log = [&](LogLevel level, const std::string& line) { lines.emplace_back(level, line); };
  const Renderer renderer(c, hooks);
  bool device_note = false;
  for (const auto& [level, line] : lines) {
    EXPECT_EQ(line.find('\n'), std::string::npos);
    device_note |= level == LogLevel::note && line.find("diffusion renderer: cpu") != std::string::npos;
  }
  EXPECT_TRUE(device_note) << lines.size() << " lines";
}

// Command-line sampling settings override render_config.json (the renderer's note says what it runs),
// and -q silences the notes but not the error. The note runs use a faceless image: the notes come when
// the models load, the error right after.
TEST(DiffusionRenderer, SamplingOptionsAndQuiet) {
  if (!have_face_models()) GTEST_SKIP() << "face models missing (scripts/setup.sh)";
  test::TempDir dir("diffusion_options");
  assemble_model(dir / "model", false);
  write_aus(dir / "aus.json", 2);
  cv::imwrite((dir / "blank.png").string(), cv::Mat(64, 64, CV_8UC3, cv::Scalar(128, 128, 128)));
  const std::string options = " --au " + (dir / "aus.json").string() + " --renderer diffusion --render-model " +
                              (dir / "model").string() +
                              " --size 64 --steps 1 --sampler dpmsolver++ --guidance-reference 1.5 --guidance-au 0 --device cpu";
  const std::string blank = "render --image " + (dir / "blank.png").string() + options + " --frames " + (dir / "x").string();
  auto r = test::run_cli(blank);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("auhead: note: diffusion renderer: cpu fp32, 1 dpmsolver++ steps, guidance reference 1.5, AU 0"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("auhead: note: diffusion renderer: no " + (dir / "model" / "image_encoder").string()), std::string::npos)
      << r.output;
  r = test::run_cli("-q " + blank);
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_EQ(r.output, "auhead: error: " + (dir / "blank.png").string() + ": no face found\n");
  r = test::run_cli("render -q --image " + test::example("portrait.jpg") + options + " --frames " + (dir / "f").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_EQ(read_frames(dir / "f").size(), 2u);
}

// The library's overrides: each given value replaces render_config.json's; a bad one is a usage error.
TEST(DiffusionRenderer, OverridesReplaceRenderConfig) {
  test::TempDir dir("diffusion_overrides");
  assemble_model(dir / "model", false);
  SamplingOptions o;
  o.steps = 7;
  o.guidance_au = 0.5;
  DiffusionModels m = load_diffusion_models(dir / "model", o);
  EXPECT_EQ(m.settings.steps, 7);
  EXPECT_EQ(m.settings.sampler, "ddim");  // from the file
  EXPECT_EQ(m.settings.guidance_reference, 3.5);  // the default
  EXPECT_EQ(m.settings.guidance_au, 0.5);
  EXPECT_EQ(m.settings.context_frames, 3);
  o.sampler = "heun";
  try {
    load_diffusion_models(dir / "model", o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("--sampler must be ddim or dpmsolver++"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "model" / "render_config.json") << R"({"guidance_au": -2})";
  try {
    load_diffusion_models(dir / "model");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("render_config.json: bad render settings: guidance_au must be a number >= 0"),
              std::string::npos)
        << e.what();
  }
}
