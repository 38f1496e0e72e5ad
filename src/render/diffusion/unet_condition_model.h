// SD-1.5-class UNet in diffusers names, by config: UNet2DConditionModel (ReferenceNet) or AniPortrait's
// UNet3DConditionModel (2D blocks per frame + motion modules, pose features, reference attention, AU adapter).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "checkpoint/safetensors.h"
#include "render/diffusion/au_token_encoder.h"
#include "render/diffusion/timestep_embedding.h"
#include "render/diffusion/unet_config.h"
#include "render/diffusion/unet_context.h"
#include "render/diffusion/unet_mid_block.h"

namespace auhead::render::diffusion {

class UNetConditionModelImpl : public torch::nn::Module {
 public:
  explicit UNetConditionModelImpl(const UNetConfig& config);
  const UNetConfig& config() const { return config_; }

  // Runs on frames stacked in the batch: sample (batch*frames, C, H, W), timestep (batch) or (1),
  // context.encoder_hidden_states (batch*frames, L, D); `pose_features` (optional) are added after
  // conv_in and after each down block, each (batch*frames, C_i, H_i, W_i). Returns conv_out's output,
  // or the last up block's features when the model has no output head.
  torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timestep, const UNetContext& context,
                        const std::vector<torch::Tensor>& pose_features = {});

  // ReferenceNet pass: runs `latent` (B, C, H, W) at `timestep`, storing every self-attention's input
  // tokens into `bank`. Returns the UNet's output.
  torch::Tensor write_reference(const torch::Tensor& latent, const torch::Tensor& timestep,
                                const torch::Tensor& encoder_hidden_states, ReferenceBank& bank);

  // Video denoising call in the reference layout: sample (B, C, F, H, W), encoder_hidden_states (B, L, D),
  // pose features (B, C_i, F, H_i, W_i) or empty; `bank` null: plain self-attention. Returns (B, C, F, H, W).
  torch::Tensor forward_video(const torch::Tensor& sample, const torch::Tensor& timestep,
                              const torch::Tensor& encoder_hidden_states, const std::vector<torch::Tensor>& pose_features,
                              ReferenceBank* bank);

  // AU adapter (config.au_dim > 0): per-frame AU vectors (N, au_dim) -> tokens (N, T, cross_attention_dim).
  bool has_au_adapter() const { return static_cast<bool>(au_encoder); }
  torch::Tensor encode_au(const torch::Tensor& au);

  // Loads weights (safetensors or torch zip; several files are merged, e.g. a UNet and its motion
  // modules). The AU adapter's parameters may be missing (they keep their untrained initial values).
  void load_weights(const std::vector<std::filesystem::path>& files);
  void load_weights(const TensorMap& state, const std::string& source);

 private:
  UNetConfig config_;
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  TimestepEmbedding time_embedding{nullptr};
  torch::nn::ModuleList down_blocks{nullptr}, up_blocks{nullptr};
  UNetMidBlock mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};
  AuTokenEncoder au_encoder{nullptr};
};
TORCH_MODULE(UNetConditionModel);

// True for the state-dict keys of the AU adapter (au_encoder.*, *.attn_au.*, *.norm_au.*).
bool is_au_adapter_key(const std::string& key);

// A copy of `base` (weights shared, not copied) with an AU adapter of `au_dim` AUs, `tokens` tokens and a
// `hidden`-wide encoder in place of its own (or of none): the adapter starts untrained (seeded by torch's
// generator), with the zero-initialised output that leaves the UNet's prediction unchanged.
UNetConditionModel with_new_au_adapter(const UNetConditionModel& base, int64_t au_dim, int64_t tokens, int64_t hidden);

// Builds the UNet of a diffusers folder (config.json + diffusion_pytorch_model.safetensors or .bin), in
// eval mode; whether it has conv_norm_out/conv_out follows the weights. Missing files are input errors.
UNetConditionModel load_unet(const std::filesystem::path& folder);

}  // namespace auhead::render::diffusion
