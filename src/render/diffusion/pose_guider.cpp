#include "render/diffusion/pose_guider.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"
#include "checkpoint/state_dict.h"
#include "checkpoint/torch_checkpoint.h"
#include "render/diffusion/transformer_2d.h"

namespace auhead::render::diffusion {

namespace nn = torch::nn;

namespace {

// Appends conv (k, stride, pad) + BatchNorm + ReLU, keeping the reference's Sequential indices.
void conv_bn_relu(nn::Sequential& s, int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
  s->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad)));
  s->push_back(nn::BatchNorm2d(out));
  s->push_back(nn::ReLU());
}

}  // namespace

PoseGuiderImpl::PoseGuiderImpl(const PoseGuiderConfig& config) : config_(config) {
  const int64_t n = config.noise_latent_channels;
  conv_layers = nn::Sequential();
  conv_bn_relu(conv_layers, 3, 3, 3, 1, 1);
  conv_bn_relu(conv_layers, 3, 16, 4, 2, 1);
  conv_bn_relu(conv_layers, 16, 16, 3, 1, 1);
  conv_bn_relu(conv_layers, 16, 32, 4, 2, 1);
  conv_bn_relu(conv_layers, 32, 32, 3, 1, 1);
  conv_bn_relu(conv_layers, 32, 64, 4, 2, 1);
  conv_bn_relu(conv_layers, 64, 64, 3, 1, 1);
  conv_bn_relu(conv_layers, 64, 128, 3, 1, 1);
  register_module("conv_layers", conv_layers);
  final_proj = register_module("final_proj", nn::Conv2d(nn::Conv2dOptions(128, n, 1)));
  const int64_t widths[4][2] = {{n, n}, {n, 2 * n}, {2 * n, 4 * n}, {4 * n, 4 * n}};
  nn::Sequential* stages[4] = {&conv_layers_1, &conv_layers_2, &conv_layers_3, &conv_layers_4};
  for (int i = 0; i < 4; ++i) {
    *stages[i] = nn::Sequential();
    conv_bn_relu(*stages[i], widths[i][0], widths[i][0], 3, 1, 1);
    if (i < 3) conv_bn_relu(*stages[i], widths[i][0], widths[i][1], 3, 2, 1);
    register_module("conv_layers_" + std::to_string(i + 1), *stages[i]);
  }
  cross_attn = nn::ModuleList();
  if (config.use_ca) {
    for (int i = 0; i < 4; ++i) {
      // Transformer2DModel(in_channels) with its defaults: 16 heads of 88, no cross-attention.
      auto t = Transformer2D(Transformer2DOptions{widths[i][1], 16, 88, 0, 1, 32, false});
      cross_attn->push_back(register_module("cross_attn" + std::to_string(i + 1), t));
    }
  }
  scale = register_parameter("scale", torch::full({1}, 2.0f));
}

std::vector<torch::Tensor> PoseGuiderImpl::forward(const torch::Tensor& pose) {
  if (pose.dim() != 5) throw Error(ExitCode::bad_input, "pose guider expects (batch, 3, frames, H, W) pose images");
  const int64_t b = pose.size(0), f = pose.size(2);
  auto to_frames = [](const torch::Tensor& t) { return t.permute({0, 2, 1, 3, 4}).flatten(0, 1); };
  auto to_video = [b, f](const torch::Tensor& t) {
    return t.view({b, f, t.size(1), t.size(2), t.size(3)}).permute({0, 2, 1, 3, 4}).contiguous();
  };
  std::vector<torch::Tensor> features;
  torch::Tensor x = final_proj(conv_layers->forward(to_frames(pose))) * scale;
  features.push_back(to_video(x));
  nn::Sequential* stages[4] = {&conv_layers_1, &conv_layers_2, &conv_layers_3, &conv_layers_4};
  for (int i = 0; i < 4; ++i) {
    x = (*stages[i])->forward(x);
    if (config_.use_ca) x = cross_attn[i]->as<Transformer2DImpl>()->forward(x, UNetContext{});
    features.push_back(to_video(x));
  }
  return features;
}

PoseGuider load_pose_guider(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  fs::path weights = path;
  PoseGuiderConfig config;
  nlohmann::json cfg = nlohmann::json::object();
  if (fs::is_directory(path)) {
    weights = path / "diffusion_pytorch_model.safetensors";
    if (!fs::exists(weights) && fs::exists(path / "diffusion_pytorch_model.bin")) weights = path / "diffusion_pytorch_model.bin";
    const fs::path cfg_file = path / "config.json";
    if (fs::exists(cfg_file)) {
      try {
        cfg = read_json_object_file(cfg_file);
        config.noise_latent_channels = cfg.value("noise_latent_channels", config.noise_latent_channels);
      } catch (const nlohmann::json::exception& e) {
        throw input_error(cfg_file.string(), std::string("bad PoseGuider config: ") + e.what());
      }
    }
  }
  if (!fs::exists(weights)) throw input_error(weights.string(), "no such file (pose guider weights)");
  TensorMap state = load_state_dict_file(weights);
  if (cfg.contains("use_ca") && cfg["use_ca"].is_boolean()) config.use_ca = cfg["use_ca"].get<bool>();
  else config.use_ca = state.count("cross_attn1.norm.weight") != 0;
  if (!cfg.contains("noise_latent_channels")) {
    auto it = state.find("final_proj.weight");
    if (it != state.end()) config.noise_latent_channels = it->second.size(0);
  }
  PoseGuider guider(config);
  load_state_dict(*guider, state, weights.string());
  guider->eval();
  return guider;
}

}  // namespace auhead::render::diffusion
