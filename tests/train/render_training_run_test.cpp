// `auhead train render` as a library (train_render): the fixtures' tiny AniPortrait-class models trained
// on a synthetic Stage 2 set for a few steps; the output folder loads as a diffusion model with the
// trained adapter; a resumed run ends bit-identical to an uninterrupted one; bad sets and checkpoints
// are input errors naming the file; the command `auhead train render` end to end.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "auhead/au.h"
#include "auhead/training.h"
#include "build_config.h"
#include "checkpoint/safetensors.h"
#include "cli/cli_test_util.h"
#include "render/diffusion/diffusion_model_dir.h"
#include "test_util.h"
#include "train/render_frame_set.h"
#include "train/render_test_set.h"

using namespace auhead;
using namespace auhead::train;
using auhead::test::assemble_diffusion_base;
using auhead::test::write_stage2_clip;
namespace fs = std::filesystem;

namespace {

RenderTrainOptions options(const fs::path& dir) {
  RenderTrainOptions o;
  o.model_dir = dir / "base";
  o.data = dir / "set";
  o.output_dir = dir / "out";
  o.max_steps = 4;
  o.batch_size = 2;
  o.grad_accum = 2;
  o.save_every = 2;
  o.adamw.lr = 1e-3;
  o.device = "cpu";
  return o;
}

class RenderTraining : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("render_training");
    assemble_diffusion_base(dir_->path() / "base");
    write_stage2_clip(dir_->path() / "set" / "stage2", "clip_a", 7, 64);
    write_stage2_clip(dir_->path() / "set" / "stage2", "clip_b", 5, 64);
  }
  static void TearDownTestSuite() { delete dir_; }
  static test::TempDir* dir_;
};
test::TempDir* RenderTraining::dir_ = nullptr;

}  // namespace

TEST_F(RenderTraining, ReadsTheStage2Set) {
  RenderFrameSet set(dir_->path() / "set");
  EXPECT_EQ(set.clips(), 2);
  EXPECT_EQ(set.frames(), 12);
  EXPECT_EQ(set.size(), 64);
  EXPECT_EQ(set.locate(8), std::make_pair(1, 1));
  RenderFrame f = set.frame(0, 4);  // second shard, second frame: jaw 4 % 5 / 4 = 1
  EXPECT_FLOAT_EQ(f.aus[8].item<float>(), 1.f);
  EXPECT_EQ(f.image.sizes(), (std::vector<int64_t>{3, 64, 64}));
  EXPECT_NEAR(f.image[1][32][32].item<float>(), (80 + 32 + 120) / 255.f, 1e-6);
  EXPECT_FLOAT_EQ(f.landmarks[0][32][32].item<float>(), 1.f);
}

TEST_F(RenderTraining, TrainsTheAdapterThatTheRendererLoadsAndResumesExactly) {
  const fs::path dir = dir_->path();
  RenderTrainOptions o = options(dir);
  RenderTrainReport r = train_render(o);
  EXPECT_EQ(r.steps, 4);
  EXPECT_EQ(r.samples, 16);
  ASSERT_EQ(r.log.size(), 4u);
  for (const auto& e : r.log) EXPECT_TRUE(std::isfinite(e.loss) && std::isfinite(e.grad_norm) && e.grad_norm > 0);
  for (const char* f : {"au_adapter.safetensors", "train_log.jsonl", "checkpoint-2/training_state.pt", "checkpoint-4/au_adapter.safetensors",
                        "vae", "reference_unet", "denoising_unet", "pose_guider", "render_config.json"})
    EXPECT_TRUE(fs::exists(dir / "out" / f)) << f;
  EXPECT_GT(r.adapter_parameters, 0);
  EXPECT_EQ(r.adapter_parameters, r.trained_parameters);

  // The output is a model folder with the trained adapter (the base had none), the rest the base's.
  render::diffusion::DiffusionModels trained = render::diffusion::load_diffusion_models(dir / "out");
  ASSERT_TRUE(trained.denoising_unet->has_au_adapter());
  const TensorMap adapter = load_safetensors(dir / "out" / "au_adapter.safetensors");
  render::diffusion::DiffusionModels base = render::diffusion::load_diffusion_models(dir / "base");
  EXPECT_FALSE(base.denoising_unet->has_au_adapter());
  auto base_params = base.denoising_unet->named_parameters(true);
  int checked_adapter = 0, checked_base = 0;
  for (const auto& item : trained.denoising_unet->named_parameters(true)) {
    if (render::diffusion::is_au_adapter_key(item.key())) {
      ASSERT_TRUE(adapter.count(item.key())) << item.key();
      EXPECT_TRUE(torch::equal(adapter.at(item.key()), item.value())) << item.key();
      ++checked_adapter;
    } else {
      EXPECT_TRUE(torch::equal(*base_params.find(item.key()), item.value())) << item.key() << " changed";
      ++checked_base;
    }
  }
  EXPECT_EQ(checked_adapter, int(adapter.size()));
  EXPECT_GT(checked_base, 100);
  // The adapter learned something: its output projections left their zero initialisation.
  double moved = 0;
  for (const auto& [k, v] : adapter)
    if (k.find("attn_au.to_out.0.weight") != std::string::npos) moved += v.abs().sum().item<double>();
  EXPECT_GT(moved, 0);

  // Interrupted after step 2 and resumed: the same adapter, bit for bit, and the same log.
  fs::remove_all(dir / "out" / "checkpoint-4");
  RenderTrainOptions again = o;
  again.resume = "latest";
  RenderTrainReport resumed = train_render(again);
  EXPECT_EQ(resumed.first_step, 2);
  EXPECT_EQ(resumed.steps, 2);
  const TensorMap second = load_safetensors(dir / "out" / "au_adapter.safetensors");
  ASSERT_EQ(second.size(), adapter.size());
  for (const auto& [k, v] : adapter) EXPECT_TRUE(torch::equal(second.at(k), v)) << k;
  ASSERT_EQ(resumed.log.size(), 4u);
  EXPECT_EQ(resumed.log[3].loss, r.log[3].loss);

  // Resuming with other options is refused, naming the option.
  fs::remove_all(dir / "out" / "checkpoint-4");
  again.adamw.lr = 2e-3;
  const std::string msg = test::error_of([&] { train_render(again); });
  EXPECT_NE(msg.find("lr"), std::string::npos) << msg;
}

TEST_F(RenderTraining, TrainsThePoseGuiderInBf16) {
  const fs::path dir = dir_->path();
  RenderTrainOptions o = options(dir);
  o.output_dir = dir / "out_guider";
  o.max_steps = 2;
  o.save_every = 0;
  o.train_pose_guider = true;
  o.precision = TrainPrecision::bf16;
  RenderTrainReport r = train_render(o);
  EXPECT_GT(r.trained_parameters, r.adapter_parameters);
  EXPECT_TRUE(fs::is_regular_file(dir / "out_guider" / "pose_guider" / "config.json"));
  EXPECT_FALSE(fs::is_symlink(dir / "out_guider" / "pose_guider"));
  render::diffusion::DiffusionModels trained = render::diffusion::load_diffusion_models(dir / "out_guider");
  render::diffusion::DiffusionModels base = render::diffusion::load_diffusion_models(dir / "base");
  double changed = 0;
  auto base_guider = base.pose_guider->named_parameters(true);
  for (const auto& item : trained.pose_guider->named_parameters(true))
    changed += (item.value() - *base_guider.find(item.key())).abs().sum().item<double>();
  EXPECT_GT(changed, 0);
}

TEST_F(RenderTraining, BadSetsAndAdaptersAreInputErrorsNamingTheFile) {
  const fs::path dir = dir_->path();
  RenderTrainOptions o = options(dir);
  o.output_dir = dir / "out_bad";

  o.data = dir / "nowhere";
  EXPECT_NE(test::error_of([&] { train_render(o); }).find("nowhere"), std::string::npos);
  fs::create_directories(dir / "empty");
  o.data = dir / "empty";
  EXPECT_NE(test::error_of([&] { train_render(o); }).find("no Stage 2 clip index"), std::string::npos);

  // A shard whose frames are not the index's size.
  write_stage2_clip(dir / "bad" / "stage2", "c", 3, 64);
  save_safetensors(dir / "bad" / "stage2" / "c-0.safetensors",
                   {{"frames", torch::zeros({3, 32, 32, 3}, torch::kByte)}, {"landmarks", torch::zeros({3, 64, 64, 3}, torch::kByte)},
                    {"aus", torch::zeros({3, 30})}});
  o.data = dir / "bad";
  std::string msg = test::error_of([&] { train_render(o); });
  EXPECT_NE(msg.find("c-0.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'frames'"), std::string::npos) << msg;
  std::ofstream(dir / "bad" / "stage2" / "c-0.safetensors") << "garbage";
  EXPECT_NE(test::error_of([&] { train_render(o); }).find("c-0.safetensors"), std::string::npos);

  // Frames the UNet cannot take (36 px: the tiny VAE halves once, to 18, and the UNet three times).
  write_stage2_clip(dir / "small" / "stage2", "c", 2, 36);
  o.data = dir / "small";
  msg = test::error_of([&] { train_render(o); });
  EXPECT_NE(msg.find("36 px"), std::string::npos) << msg;

  // An au_adapter.safetensors beside a model that is not an adapter of its UNet.
  fs::create_directories(dir / "model_bad");
  for (const char* part : {"vae", "reference_unet", "denoising_unet", "pose_guider"})
    fs::create_directory_symlink(dir / "base" / part, dir / "model_bad" / part);
  save_safetensors(dir / "model_bad" / "au_adapter.safetensors", {{"au_encoder.proj_in.weight", torch::zeros({8, 30})},
                                                                  {"au_encoder.proj_out.weight", torch::zeros({33, 8})}});
  msg = test::error_of([&] { render::diffusion::load_diffusion_models(dir / "model_bad"); });
  EXPECT_NE(msg.find("au_adapter.safetensors"), std::string::npos) << msg;
  save_safetensors(dir / "model_bad" / "au_adapter.safetensors", {{"au_encoder.proj_in.weight", torch::zeros({8, 30})},
                                                                  {"au_encoder.proj_out.weight", torch::zeros({64, 8})},
                                                                  {"something.else", torch::zeros({1})}});
  msg = test::error_of([&] { render::diffusion::load_diffusion_models(dir / "model_bad"); });
  EXPECT_NE(msg.find("something.else"), std::string::npos) << msg;
}

TEST_F(RenderTraining, CommandTrainsAModelThatRenderUses) {
  const fs::path dir = dir_->path();
  const std::string base = "train render --model " + (dir / "base").string() + " --data " + (dir / "set").string();
  auto r = test::run_cli(base + " -o " + (dir / "cli_out").string() + " --max-steps 2 --batch-size 2 --device cpu --log-every 1");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("step 2/2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("frames/s"), std::string::npos) << r.output;
  std::string frame;
  for (int a = 0; a < kNumAus; ++a) frame += (a ? ",0.5" : "0.5");
  std::ofstream(dir / "aus.json") << R"({"fps": 25, "frames": [[)" << frame << "]]}";
  r = test::run_cli("-q render --au " + (dir / "aus.json").string() + " --image " + test::example("astronaut.png") +
                    " --renderer diffusion --render-model " + (dir / "cli_out").string() + " --size 64 -o " +
                    (dir / "cli.mp4").string());
  if (r.output.find("face_landmark") == std::string::npos) {  // the face models are there (scripts/setup.sh)
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(fs::exists(dir / "cli.mp4"));
  }

  struct Case {
    std::string args;
    int code;
    std::string says;
  };
  const std::string out = " -o " + (dir / "x").string();
  const std::vector<Case> cases = {
      {"train render --model " + (dir / "base").string() + out, 2, "--data"},
      {"train render --model " + (dir / "base").string() + " --data " + (dir / "nowhere").string() + out, 3, "nowhere"},
      {"train render --model " + (dir / "nomodel").string() + " --data " + (dir / "set").string() + out, 5, "nomodel"},
      {base + out + " --au-drop 2", 2, "--au-drop"},
      {base + out + " --precision fp8", 2, "--precision"},
      {base + out + " --device tpu", 2, "--device"},
      {base + out + " --resume latest", 2, "no checkpoint"},
  };
  for (const auto& c : cases) {
    r = test::run_cli(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_LE(std::count(r.output.begin(), r.output.end(), '\n'), 2) << r.output;
  }
}
