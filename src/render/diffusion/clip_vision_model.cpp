#include "render/diffusion/clip_vision_model.h"

#include <torch/torch.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"
#include "checkpoint/state_dict.h"
#include "checkpoint/torch_checkpoint.h"

namespace auhead::render::diffusion {

namespace nn = torch::nn;

namespace {

class ClipEmbeddingsImpl : public nn::Module {
 public:
  explicit ClipEmbeddingsImpl(const ClipVisionConfig& c) {
    const int64_t patches = (c.image_size / c.patch_size) * (c.image_size / c.patch_size);
    patch_embedding = register_module(
        "patch_embedding", nn::Conv2d(nn::Conv2dOptions(c.num_channels, c.hidden_size, c.patch_size).stride(c.patch_size).bias(false)));
    class_embedding = register_parameter("class_embedding", torch::zeros({c.hidden_size}));
    position_embedding = register_module("position_embedding", nn::Embedding(patches + 1, c.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& pixels) {
    torch::Tensor x = patch_embedding(pixels).flatten(2).transpose(1, 2);  // (B, P, D)
    torch::Tensor cls = class_embedding.view({1, 1, -1}).expand({x.size(0), 1, x.size(2)});
    x = torch::cat({cls, x}, 1);
    if (x.size(1) != position_embedding->weight.size(0))
      throw Error(ExitCode::bad_input, "CLIP image encoder: input gives " + std::to_string(x.size(1) - 1) +
                                           " patches, the model has positions for " +
                                           std::to_string(position_embedding->weight.size(0) - 1));
    return x + position_embedding->weight.unsqueeze(0);
  }

 private:
  nn::Conv2d patch_embedding{nullptr};
  torch::Tensor class_embedding;
  nn::Embedding position_embedding{nullptr};
};
TORCH_MODULE(ClipEmbeddings);

class ClipAttentionImpl : public nn::Module {
 public:
  ClipAttentionImpl(int64_t dim, int64_t heads) : heads_(heads) {
    q_proj = register_module("q_proj", nn::Linear(dim, dim));
    k_proj = register_module("k_proj", nn::Linear(dim, dim));
    v_proj = register_module("v_proj", nn::Linear(dim, dim));
    out_proj = register_module("out_proj", nn::Linear(dim, dim));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const int64_t b = x.size(0), l = x.size(1), d = x.size(2), hd = d / heads_;
    auto split = [&](const torch::Tensor& t) { return t.view({b, l, heads_, hd}).transpose(1, 2); };
    torch::Tensor q = split(q_proj(x) * (1.0 / std::sqrt(double(hd)))), k = split(k_proj(x)), v = split(v_proj(x));
    torch::Tensor a = torch::softmax(torch::matmul(q, k.transpose(-1, -2)), -1);
    return out_proj(torch::matmul(a, v).transpose(1, 2).reshape({b, l, d}));
  }

 private:
  int64_t heads_;
  nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(ClipAttention);

class ClipMlpImpl : public nn::Module {
 public:
  ClipMlpImpl(int64_t dim, int64_t hidden, bool quick) : quick_(quick) {
    fc1 = register_module("fc1", nn::Linear(dim, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, dim));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor h = fc1(x);
    h = quick_ ? h * torch::sigmoid(1.702 * h) : torch::gelu(h);
    return fc2(h);
  }

 private:
  bool quick_;
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(ClipMlp);

class ClipEncoderLayerImpl : public nn::Module {
 public:
  explicit ClipEncoderLayerImpl(const ClipVisionConfig& c) {
    auto ln = [&] { return nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)); };
    layer_norm1 = register_module("layer_norm1", ln());
    self_attn = register_module("self_attn", ClipAttention(c.hidden_size, c.num_attention_heads));
    layer_norm2 = register_module("layer_norm2", ln());
    mlp = register_module("mlp", ClipMlp(c.hidden_size, c.intermediate_size, c.hidden_act == "quick_gelu"));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = x + self_attn(layer_norm1(x));
    return x + mlp(layer_norm2(x));
  }

 private:
  nn::LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
  ClipAttention self_attn{nullptr};
  ClipMlp mlp{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

// `vision_model`: embeddings, pre_layrnorm (the Hugging Face spelling), encoder.layers, post_layernorm.
class ClipVisionTransformerImpl : public nn::Module {
 public:
  explicit ClipVisionTransformerImpl(const ClipVisionConfig& c) {
    auto ln = [&] { return nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)); };
    embeddings = register_module("embeddings", ClipEmbeddings(c));
    pre_layrnorm = register_module("pre_layrnorm", ln());
    auto encoder = register_module("encoder", std::make_shared<nn::Module>());
    layers = encoder->register_module("layers", nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(ClipEncoderLayer(c));
    post_layernorm = register_module("post_layernorm", ln());
  }
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& pixels) {
    torch::Tensor x = pre_layrnorm(embeddings(pixels));
    for (const auto& layer : *layers) x = layer->as<ClipEncoderLayerImpl>()->forward(x);
    return {x, post_layernorm(x.select(1, 0))};
  }

 private:
  ClipEmbeddings embeddings{nullptr};
  nn::LayerNorm pre_layrnorm{nullptr}, post_layernorm{nullptr};
  nn::ModuleList layers{nullptr};
};
TORCH_MODULE(ClipVisionTransformer);

int64_t positive(const nlohmann::json& j, const char* key, int64_t fallback, const std::string& file) {
  return config_int(j, key, fallback, 1, key == std::string("num_hidden_layers") ? 1024 : 1 << 16, file);
}

}  // namespace

ClipVisionConfig ClipVisionConfig::from_file(const std::filesystem::path& config_json) {
  const std::string f = config_json.string();
  nlohmann::json top;
  try {
    top = nlohmann::json::parse(read_text_file(config_json));
  } catch (const nlohmann::json::exception& e) {
    throw input_error(f, std::string("bad JSON: ") + e.what());
  }
  if (!top.is_object()) throw input_error(f, "bad JSON: not an object");
  const nlohmann::json& j = top.contains("vision_config") && top["vision_config"].is_object() ? top["vision_config"] : top;
  ClipVisionConfig c;
  try {
    c.hidden_size = positive(j, "hidden_size", c.hidden_size, f);
    c.intermediate_size = positive(j, "intermediate_size", c.intermediate_size, f);
    c.num_hidden_layers = positive(j, "num_hidden_layers", c.num_hidden_layers, f);
    c.num_attention_heads = positive(j, "num_attention_heads", c.num_attention_heads, f);
    c.image_size = positive(j, "image_size", c.image_size, f);
    c.patch_size = positive(j, "patch_size", c.patch_size, f);
    c.num_channels = positive(j, "num_channels", c.num_channels, f);
    c.projection_dim = positive(j, "projection_dim", positive(top, "projection_dim", c.projection_dim, f), f);
    c.hidden_act = j.value("hidden_act", c.hidden_act);
    c.layer_norm_eps = j.value("layer_norm_eps", c.layer_norm_eps);
  } catch (const nlohmann::json::exception& e) {
    throw input_error(f, std::string("bad CLIP vision config: ") + e.what());
  }
  if (c.hidden_act != "quick_gelu" && c.hidden_act != "gelu")
    throw input_error(f, "bad CLIP vision config: unsupported hidden_act '" + c.hidden_act + "' (quick_gelu or gelu)");
  if (c.hidden_size % c.num_attention_heads != 0)
    throw input_error(f, "bad CLIP vision config: hidden_size is not a multiple of num_attention_heads");
  if (c.image_size % c.patch_size != 0) throw input_error(f, "bad CLIP vision config: image_size is not a multiple of patch_size");
  return c;
}

ClipVisionModelImpl::ClipVisionModelImpl(const ClipVisionConfig& config) : config_(config) {
  vision_model_ = register_module("vision_model", ClipVisionTransformer(config)).get();
  visual_projection =
      register_module("visual_projection", nn::Linear(nn::LinearOptions(config.hidden_size, config.projection_dim).bias(false)));
}

ClipVisionOutput ClipVisionModelImpl::forward(const torch::Tensor& pixel_values) {
  if (pixel_values.dim() != 4 || pixel_values.size(1) != config_.num_channels)
    throw Error(ExitCode::bad_input, "CLIP image encoder expects (batch, " + std::to_string(config_.num_channels) +
                                         ", H, W) pixel values");
  auto [hidden, pooled] = static_cast<ClipVisionTransformerImpl*>(vision_model_)->forward(pixel_values);
  return {hidden, pooled, visual_projection(pooled)};
}

void ClipVisionModelImpl::load_weights(const TensorMap& state, const std::string& source) {
  StateDictOptions options;
  options.ignore_unexpected_prefixes = {"vision_model.embeddings.position_ids"};
  load_state_dict(*this, state, source, options);
}

ClipVisionModel load_clip_vision_model(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  const fs::path config_file = folder / "config.json";
  if (!fs::exists(config_file)) throw input_error(config_file.string(), "no such file (a CLIP image encoder folder needs config.json)");
  fs::path weights = folder / "model.safetensors";
  if (!fs::exists(weights) && fs::exists(folder / "pytorch_model.bin")) weights = folder / "pytorch_model.bin";
  if (!fs::exists(weights))
    throw input_error(weights.string(), "no such file (a CLIP image encoder folder needs model.safetensors or pytorch_model.bin)");
  ClipVisionModel model(ClipVisionConfig::from_file(config_file));
  model->load_weights(load_state_dict_file(weights), weights.string());
  model->eval();
  return model;
}

torch::Tensor clip_normalize(const torch::Tensor& rgb01, int64_t image_size) {
  torch::Tensor x = rgb01;
  if (x.size(2) != image_size || x.size(3) != image_size)
    x = torch::nn::functional::interpolate(
        x, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{image_size, image_size})
               .mode(torch::kBicubic).align_corners(false).antialias(true));
  const auto o = x.options();
  torch::Tensor mean = torch::tensor({0.48145466, 0.4578275, 0.40821073}, o).view({1, 3, 1, 1});
  torch::Tensor std = torch::tensor({0.26862954, 0.26130258, 0.27577711}, o).view({1, 3, 1, 1});
  return (x - mean) / std;
}

}  // namespace auhead::render::diffusion
