// AniPortrait's PoseGuider: conv/BatchNorm/ReLU encoder of per-frame pose images into the five features added
// to the denoising UNet after conv_in and each down block; `use_ca` adds self-attention after later stages.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <vector>

namespace auhead::render::diffusion {

struct PoseGuiderConfig {
  int64_t noise_latent_channels = 320;
  bool use_ca = true;

  // AniPortrait's full-size pose_guider.pth: the defaults above.
  static PoseGuiderConfig aniportrait() { return {}; }
};

class PoseGuiderImpl : public torch::nn::Module {
 public:
  explicit PoseGuiderImpl(const PoseGuiderConfig& config);
  const PoseGuiderConfig& config() const { return config_; }
  // pose (B, 3, F, H, W) -> 5 features (B, C_i, F, H/8/2^i, ...): widths n, n, 2n, 4n, 4n.
  // (The reference's ref_pose_image input only feeds a branch whose result its attention never reads,
  // so it is not taken here.)
  std::vector<torch::Tensor> forward(const torch::Tensor& pose);

 private:
  PoseGuiderConfig config_;
  torch::nn::Sequential conv_layers{nullptr}, conv_layers_1{nullptr}, conv_layers_2{nullptr}, conv_layers_3{nullptr},
      conv_layers_4{nullptr};
  torch::nn::Conv2d final_proj{nullptr};
  torch::nn::ModuleList cross_attn;  // unregistered view of cross_attn1..4 (registered by name)
  torch::Tensor scale;
};
TORCH_MODULE(PoseGuider);

// Loads a pose guider from a diffusers-style folder (config.json + diffusion_pytorch_model.safetensors)
// or a checkpoint file (AniPortrait's pose_guider.pth: 320 channels); use_ca follows the config when it
// says, else the keys. Eval mode (BatchNorm uses its running statistics).
PoseGuider load_pose_guider(const std::filesystem::path& folder_or_file);

}  // namespace auhead::render::diffusion
