// A Stage 2 training set and a diffusion base for the `train render` tests: the fixtures' tiny
// AniPortrait-class models, and synthetic clips written as `auhead dataset --stage2-size` writes them.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "auhead/au.h"
#include "build_config.h"
#include "checkpoint/safetensors.h"

namespace auhead::test {

inline std::filesystem::path diffusion_fixtures() { return std::filesystem::path(AUHEAD_FIXTURES_DIR) / "diffusion"; }

inline void assemble_diffusion_base(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const char* part : {"vae", "reference_unet", "denoising_unet", "pose_guider"})
    std::filesystem::copy(diffusion_fixtures() / part, dir / part, std::filesystem::copy_options::recursive);
  std::ofstream(dir / "render_config.json") << R"({"steps": 2, "sampler": "ddim", "device": "cpu"})";
}

// A clip of `frames` frames of side `size` in shards of 3: a grey face-like gradient with a bright disc
// whose radius follows the jaw AU, its landmark image a dot at the disc's centre.
inline void write_stage2_clip(const std::filesystem::path& stage2, const std::string& id, int frames, int size) {
  std::filesystem::create_directories(stage2);
  nlohmann::json shards = nlohmann::json::array();
  for (int first = 0; first < frames; first += 3) {
    const int k = std::min(3, frames - first);
    torch::Tensor aus = torch::zeros({k, int64_t(kNumAus)});
    torch::Tensor img = torch::empty({k, size, size, 3}, torch::kByte), lm = torch::zeros({k, size, size, 3}, torch::kByte);
    const auto y = torch::arange(size).view({size, 1}).expand({size, size});
    const auto x = torch::arange(size).view({1, size}).expand({size, size});
    for (int i = 0; i < k; ++i) {
      const float jaw = float((first + i) % 5) / 4.f;
      aus[i][8] = jaw;
      const auto r = ((y - size / 2).pow(2) + (x - size / 2).pow(2)).to(torch::kFloat).sqrt();
      const auto v = (80 + y.to(torch::kFloat) + 120 * (r < (4 + 12 * jaw)).to(torch::kFloat)).clamp(0, 255).to(torch::kByte);
      img[i] = v.unsqueeze(-1).expand({size, size, 3});
      lm[i][size / 2][size / 2] = 255;
    }
    const std::string name = id + "-" + std::to_string(first / 3) + ".safetensors";
    save_safetensors(stage2 / name, {{"frames", img}, {"landmarks", lm}, {"aus", aus}});
    shards.push_back(name);
  }
  std::ofstream(stage2 / (id + ".json")) << nlohmann::json{{"frames", frames}, {"size", size}, {"shards", shards}}.dump();
}

}  // namespace auhead::test
