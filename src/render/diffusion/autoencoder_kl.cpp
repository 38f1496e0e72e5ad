#include "render/diffusion/autoencoder_kl.h"

#include <torch/torch.h>

#include "auhead/error.h"
#include "checkpoint/state_dict.h"
#include "checkpoint/torch_checkpoint.h"
#include "render/diffusion/vae_attention.h"

namespace auhead::render::diffusion {

AutoencoderKLImpl::AutoencoderKLImpl(const VaeConfig& config) : config_(config) {
  encoder = register_module("encoder", VaeEncoder(config));
  decoder = register_module("decoder", VaeDecoder(config));
  const int64_t z = config.latent_channels;
  if (config.use_quant_conv) quant_conv = register_module("quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2 * z, 2 * z, 1)));
  if (config.use_post_quant_conv)
    post_quant_conv = register_module("post_quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(z, z, 1)));
}

LatentMoments AutoencoderKLImpl::encode(const torch::Tensor& image) {
  torch::Tensor moments = encoder(image);
  if (quant_conv) moments = quant_conv(moments);
  auto parts = moments.chunk(2, 1);
  return {parts[0], parts[1].clamp(-30.0, 20.0)};
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& latent) {
  return decoder(post_quant_conv ? post_quant_conv(latent) : latent);
}

void AutoencoderKLImpl::load_weights(const std::filesystem::path& file) {
  TensorMap state = load_state_dict_file(file);
  convert_legacy_vae_attention_keys(state);
  load_state_dict(*this, state, file.string());
}

AutoencoderKL load_autoencoder_kl(const std::filesystem::path& folder) {
  const auto config = folder / "config.json";
  std::filesystem::path weights = folder / "diffusion_pytorch_model.safetensors";
  if (!std::filesystem::exists(weights) && std::filesystem::exists(folder / "diffusion_pytorch_model.bin"))
    weights = folder / "diffusion_pytorch_model.bin";
  if (!std::filesystem::exists(config)) throw input_error(config.string(), "no such file (a diffusers VAE folder needs config.json)");
  if (!std::filesystem::exists(weights))
    throw input_error(weights.string(), "no such file (a diffusers VAE folder needs its weights)");
  AutoencoderKL vae(VaeConfig::from_file(config));
  vae->load_weights(weights);
  vae->eval();
  return vae;
}

}  // namespace auhead::render::diffusion
