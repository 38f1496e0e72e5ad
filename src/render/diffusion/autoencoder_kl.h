// diffusers AutoencoderKL (the Stable Diffusion VAE): encoder + quant_conv give the latent distribution's
// mean and log-variance; post_quant_conv + decoder map latents back to images. No scaling inside.
#pragma once
#include <torch/torch.h>

#include <filesystem>

#include "render/diffusion/vae_config.h"
#include "render/diffusion/vae_decoder.h"
#include "render/diffusion/vae_encoder.h"

namespace auhead::render::diffusion {

struct LatentMoments {
  torch::Tensor mean;
  torch::Tensor logvar;  // clamped to [-30, 20] as diffusers' DiagonalGaussianDistribution does
};

class AutoencoderKLImpl : public torch::nn::Module {
 public:
  explicit AutoencoderKLImpl(const VaeConfig& config);
  const VaeConfig& config() const { return config_; }

  LatentMoments encode(const torch::Tensor& image);  // image in [-1, 1], (B, C, H, W)
  torch::Tensor decode(const torch::Tensor& latent);  // unscaled latent (B, latent, h, w)

  // Loads diffusers weights (safetensors or torch zip); old attention key names are accepted.
  void load_weights(const std::filesystem::path& file);

 private:
  VaeConfig config_;
  VaeEncoder encoder{nullptr};
  VaeDecoder decoder{nullptr};
  torch::nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};
};
TORCH_MODULE(AutoencoderKL);

// Builds the VAE of a diffusers folder (config.json + diffusion_pytorch_model.safetensors, or .bin),
// in eval mode, fp32, CPU. A missing file is an input error naming it.
AutoencoderKL load_autoencoder_kl(const std::filesystem::path& folder);

}  // namespace auhead::render::diffusion
