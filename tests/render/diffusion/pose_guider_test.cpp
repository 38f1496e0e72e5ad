#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "build_config.h"
#include "core/atomic_file.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/state_dict.h"
#include "render/diffusion/parity_compare.h"
#include "render/diffusion/pose_guider.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

namespace {
const fs::path kFixtures = fs::path(AUHEAD_FIXTURES_DIR) / "diffusion";
}

TEST(DiffusionPoseGuider, ReproducesReferenceFeatures) {
  PoseGuider guider = load_pose_guider(kFixtures / "pose_guider");
  EXPECT_FALSE(guider->config().use_ca);
  EXPECT_EQ(guider->config().noise_latent_channels, 32);
  SafetensorsFile io(kFixtures / "step_io.safetensors");
  torch::InferenceMode guard;
  auto features = guider->forward(io.get("pose_images"));
  ASSERT_EQ(features.size(), 5u);
  for (std::size_t i = 0; i < features.size(); ++i) {
    auto r = compare_tensors("pose_guider_out_" + std::to_string(i), features[i], io.get("pose_guider_out_" + std::to_string(i)));
    EXPECT_TRUE(r.pass) << r.name << " max error " << r.max_error << " > " << r.tolerance;
  }
}

// AniPortrait's pose_guider.pth (use_ca=True, 320 channels): exactly the manifest's keys and shapes.
TEST(DiffusionPoseGuider, FullSizeMatchesCheckpointManifest) {
  auto manifest = nlohmann::json::parse(read_text_file(kFixtures / "checkpoint_manifests.json"))["pose_guider"];
  PoseGuider guider(PoseGuiderConfig::aniportrait());
  TensorMap ours = module_state(*guider);
  std::size_t matched = 0;
  int64_t params = 0;
  for (const auto& [k, t] : ours) {
    params += t.numel();  // the manifest counts buffers too
    if (!manifest["shapes"].contains(k)) {
      ADD_FAILURE() << "not in the checkpoint: " << k;
      continue;
    }
    EXPECT_EQ(t.sizes().vec(), manifest["shapes"][k].get<std::vector<int64_t>>()) << k;
    ++matched;
  }
  EXPECT_EQ(matched, manifest["shapes"].size());
  EXPECT_EQ(ours.size(), manifest["num_tensors"].get<std::size_t>());
  EXPECT_EQ(params, manifest["num_params"].get<int64_t>());
}

// The use_ca variant runs (its attention keeps each stage's shape) and, with a config saying so, loads.
TEST(DiffusionPoseGuider, ChannelAttentionVariantKeepsShapes) {
  PoseGuider guider(PoseGuiderConfig{32, true});
  guider->eval();
  torch::InferenceMode guard;
  auto features = guider->forward(torch::rand({1, 3, 2, 64, 64}));
  ASSERT_EQ(features.size(), 5u);
  const std::vector<std::vector<int64_t>> shapes = {
      {1, 32, 2, 8, 8}, {1, 32, 2, 4, 4}, {1, 64, 2, 2, 2}, {1, 128, 2, 1, 1}, {1, 128, 2, 1, 1}};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(features[i].sizes().vec(), shapes[i]) << i;
}
