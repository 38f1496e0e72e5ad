#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "auhead/error.h"
#include "build_config.h"
#include "render/diffusion/clip_vision_model.h"
#include "render/diffusion/parity.h"
#include "test_util.h"
#include "cli/cli_test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

namespace {
fs::path clip_fixture() { return fs::path(AUHEAD_FIXTURES_DIR) / "clip_vision_tiny"; }
}  // namespace

TEST(ClipVision, ParityWithReference) {
  ParityReport report = run_parity(clip_fixture());
  std::set<std::string> names;
  for (const auto& r : report.results) {
    EXPECT_TRUE(r.pass) << format_parity_line(r);
    names.insert(r.name);
  }
  EXPECT_TRUE(report.all_pass());
  for (const char* n : {"clip_vision:last_hidden_state", "clip_vision:pooled_output", "clip_vision:image_embeds"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST(ClipVision, ConfigAndShapes) {
  ClipVisionModel clip = load_clip_vision_model(clip_fixture());
  EXPECT_EQ(clip->config().hidden_size, 64);
  EXPECT_EQ(clip->config().projection_dim, 32);
  EXPECT_EQ(clip->config().hidden_act, "quick_gelu");
  torch::InferenceMode guard;
  torch::Tensor pixels = clip_normalize(torch::rand({1, 3, 48, 48}), clip->config().image_size);
  ClipVisionOutput out = clip->forward(pixels);
  EXPECT_EQ(out.last_hidden_state.sizes(), (std::vector<int64_t>{1, 17, 64}));
  EXPECT_EQ(out.image_embeds.sizes(), (std::vector<int64_t>{1, 32}));
  EXPECT_TRUE(torch::isfinite(out.image_embeds).all().item<bool>());
}

TEST(ClipVision, MissingWeightsAreNamed) {
  test::TempDir dir("clip_missing");
  fs::copy_file(clip_fixture() / "config.json", dir / "config.json");
  const std::string msg = test::error_of([&] { load_clip_vision_model(dir.path()); });
  EXPECT_NE(msg.find((dir / "model.safetensors").string() + ": no such file"), std::string::npos) << msg;
}

TEST(ClipVision, CliParityPasses) {
  const test::CliResult r = test::run_cli("-q parity --fixtures " + clip_fixture().string());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("clip_vision:image_embeds"), std::string::npos) << r.output;
}
