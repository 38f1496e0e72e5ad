// Hugging Face CLIPVisionModelWithProjection (the image encoder of AniPortrait-class pipelines): ViT patch
// embedding, pre-LN transformer, post-LN class token, bias-free projection; sizes from config.json.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "checkpoint/safetensors.h"

namespace auhead::render::diffusion {

struct ClipVisionConfig {
  int64_t hidden_size = 1024;
  int64_t intermediate_size = 4096;
  int64_t num_hidden_layers = 24;
  int64_t num_attention_heads = 16;
  int64_t image_size = 224;
  int64_t patch_size = 14;
  int64_t projection_dim = 768;
  int64_t num_channels = 3;
  std::string hidden_act = "quick_gelu";  // "quick_gelu" or "gelu"
  double layer_norm_eps = 1e-5;

  // A CLIPVisionConfig file, or a whole CLIPConfig (its "vision_config", projection_dim at the top).
  static ClipVisionConfig from_file(const std::filesystem::path& config_json);
};

struct ClipVisionOutput {
  torch::Tensor last_hidden_state;  // (B, 1 + patches, hidden): the encoder's output, before post_layernorm
  torch::Tensor pooled_output;      // (B, hidden): post_layernorm of the class token
  torch::Tensor image_embeds;       // (B, projection_dim): visual_projection(pooled_output)
};

class ClipVisionModelImpl : public torch::nn::Module {
 public:
  explicit ClipVisionModelImpl(const ClipVisionConfig& config);
  const ClipVisionConfig& config() const { return config_; }
  // pixel_values (B, C, image_size, image_size), already normalised with the CLIP mean/std.
  ClipVisionOutput forward(const torch::Tensor& pixel_values);
  // Loads weights by the Hugging Face names (a stored `position_ids` buffer is ignored).
  void load_weights(const TensorMap& state, const std::string& source);

 private:
  ClipVisionConfig config_;
  torch::nn::Module* vision_model_ = nullptr;  // owned through register_module
  torch::nn::Linear visual_projection{nullptr};
};
TORCH_MODULE(ClipVisionModel);

// Builds the encoder of a Hugging Face folder (config.json + model.safetensors or pytorch_model.bin),
// eval mode, fp32. Missing files are input errors naming them.
ClipVisionModel load_clip_vision_model(const std::filesystem::path& folder);

// The CLIP image pre-processing for an RGB float image (B, 3, H, W) in [0, 1]: antialiased bicubic
// resize to image_size (as CLIPImageProcessor's PIL resize; square input assumed: the caller crops),
// then (x - mean) / std with the OpenAI constants.
torch::Tensor clip_normalize(const torch::Tensor& rgb01, int64_t image_size);

}  // namespace auhead::render::diffusion
