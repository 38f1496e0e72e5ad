#include "render/diffusion/unet_condition_model.h"

#include <torch/torch.h>

#include <algorithm>

#include "auhead/error.h"
#include "checkpoint/state_dict.h"
#include "checkpoint/torch_checkpoint.h"
#include "render/diffusion/basic_transformer_block.h"
#include "render/diffusion/unet_down_block.h"
#include "render/diffusion/unet_up_block.h"

namespace auhead::render::diffusion {

bool is_au_adapter_key(const std::string& k) {
  return k.rfind("au_encoder.", 0) == 0 || k.find(".attn_au.") != std::string::npos || k.find(".norm_au.") != std::string::npos;
}

namespace {

bool has_motion_at(const UNetConfig& c, int64_t resolution) {
  return c.use_motion_module &&
         std::find(c.motion_module_resolutions.begin(), c.motion_module_resolutions.end(), resolution) !=
             c.motion_module_resolutions.end();
}

// (B, C, F, H, W) <-> (B*F, C, H, W)
torch::Tensor to_frames(const torch::Tensor& t) { return t.permute({0, 2, 1, 3, 4}).flatten(0, 1); }
torch::Tensor to_video(const torch::Tensor& t, int64_t b) {
  return t.view({b, t.size(0) / b, t.size(1), t.size(2), t.size(3)}).permute({0, 2, 1, 3, 4}).contiguous();
}

}  // namespace

UNetConditionModelImpl::UNetConditionModelImpl(const UNetConfig& c) : config_(c) {
  const auto& ch = c.block_out_channels;
  const int64_t n = static_cast<int64_t>(ch.size());
  const int64_t temb = ch[0] * 4;
  conv_in = register_module("conv_in", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.in_channels, ch[0], 3).padding(1)));
  time_embedding = register_module("time_embedding", TimestepEmbedding(ch[0], temb));

  UNetBlockOptions base;
  base.temb_channels = temb;
  base.cross_attention_dim = c.cross_attention_dim;
  base.groups = c.norm_num_groups;
  base.eps = c.norm_eps;
  base.use_linear_projection = c.use_linear_projection;
  base.au_token_dim = c.au_dim > 0 ? c.cross_attention_dim : 0;
  base.motion = MotionModuleOptions{0, c.motion_heads, c.motion_transformer_blocks, c.motion_attention_blocks,
                                    c.motion_position_encoding_max_len, c.motion_attention_dim_div, c.norm_num_groups};

  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < n; ++i) {
    UNetBlockOptions o = base;
    o.in_channels = i == 0 ? ch[0] : ch[i - 1];
    o.out_channels = ch[i];
    o.layers = c.layers_per_block;
    o.has_attention = c.down_block_types[i].rfind("CrossAttn", 0) == 0;
    o.add_resample = i < n - 1;
    o.heads = c.attention_heads[i];
    o.has_motion = has_motion_at(c, int64_t{1} << i) && !c.motion_module_decoder_only;
    down_blocks->push_back(UNetDownBlock(o));
  }

  UNetBlockOptions mid = base;
  mid.in_channels = mid.out_channels = ch[n - 1];
  mid.layers = 1;
  mid.heads = c.attention_heads[n - 1];
  mid.has_motion = c.use_motion_module && c.motion_module_mid_block;
  mid_block = register_module("mid_block", UNetMidBlock(mid));

  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = n - 1 - i;  // the matching down block
    UNetBlockOptions o = base;
    o.prev_output_channels = i == 0 ? ch[n - 1] : ch[r + 1];
    o.out_channels = ch[r];
    o.in_channels = ch[std::max<int64_t>(r - 1, 0)];
    o.layers = c.layers_per_block + 1;
    o.has_attention = c.up_block_types[i].rfind("CrossAttn", 0) == 0;
    o.add_resample = i < n - 1;
    o.heads = c.attention_heads[r];
    o.has_motion = has_motion_at(c, int64_t{1} << r);
    up_blocks->push_back(UNetUpBlock(o));
  }

  if (c.has_output_head) {
    conv_norm_out = register_module(
        "conv_norm_out", torch::nn::GroupNorm(torch::nn::GroupNormOptions(c.norm_num_groups, ch[0]).eps(c.norm_eps)));
    conv_out = register_module("conv_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(ch[0], c.out_channels, 3).padding(1)));
  }
  if (c.au_dim > 0)
    au_encoder = register_module("au_encoder", AuTokenEncoder(AuTokenEncoderOptions{c.au_dim, c.au_tokens, c.au_hidden,
                                                                                     c.cross_attention_dim}));
  assign_bank_keys(*this);
}

torch::Tensor UNetConditionModelImpl::encode_au(const torch::Tensor& au) {
  if (!au_encoder) throw Error(ExitCode::internal, "UNet: this model has no AU adapter");
  return au_encoder(au);
}

torch::Tensor UNetConditionModelImpl::forward(const torch::Tensor& sample, const torch::Tensor& timestep,
                                              const UNetContext& context, const std::vector<torch::Tensor>& pose_features) {
  const int64_t frames = context.frames;
  if (frames < 1 || sample.size(0) % frames != 0)
    throw Error(ExitCode::internal, "UNet: batch " + std::to_string(sample.size(0)) + " is not a multiple of the frame count");
  const int64_t batch = sample.size(0) / frames;
  torch::Tensor t = timestep.reshape({-1}).to(sample.device());
  if (t.size(0) == 1) t = t.expand({batch});
  if (t.size(0) != batch) throw Error(ExitCode::internal, "UNet: timestep count does not match the batch");
  torch::Tensor emb = time_embedding(
      timestep_sinusoid(t, config_.block_out_channels[0], config_.flip_sin_to_cos, config_.freq_shift).to(sample.dtype()));
  if (frames > 1) emb = emb.repeat_interleave(frames, 0);

  const std::size_t n_down = down_blocks->size();
  if (!pose_features.empty() && pose_features.size() != n_down + 1)
    throw Error(ExitCode::internal, "UNet: expected " + std::to_string(n_down + 1) + " pose feature maps");
  torch::Tensor h = conv_in(sample);
  if (!pose_features.empty()) h = h + pose_features[0];
  std::vector<torch::Tensor> skips{h};
  for (std::size_t i = 0; i < n_down; ++i) {
    h = down_blocks[i]->as<UNetDownBlockImpl>()->forward(h, emb, context, skips);
    if (!pose_features.empty()) h = h + pose_features[i + 1];
  }
  h = mid_block(h, emb, context);
  // Odd latent sizes: upsample to the skip's size rather than twice.
  const int64_t factor = int64_t{1} << (n_down - 1);
  const bool forward_size = sample.size(2) % factor != 0 || sample.size(3) % factor != 0;
  for (std::size_t i = 0; i < up_blocks->size(); ++i) {
    auto* block = up_blocks[i]->as<UNetUpBlockImpl>();
    std::optional<std::vector<int64_t>> size;
    const std::size_t remaining = skips.size() - static_cast<std::size_t>(block->layers());
    if (forward_size && i + 1 < up_blocks->size() && remaining > 0)
      size = std::vector<int64_t>{skips[remaining - 1].size(2), skips[remaining - 1].size(3)};
    h = block->forward(h, emb, context, skips, size);
  }
  if (!conv_out) return h;
  return conv_out(torch::silu(conv_norm_out(h)));
}

torch::Tensor UNetConditionModelImpl::write_reference(const torch::Tensor& latent, const torch::Tensor& timestep,
                                                      const torch::Tensor& encoder_hidden_states, ReferenceBank& bank) {
  UNetContext context;
  context.encoder_hidden_states = encoder_hidden_states;
  context.mode = ReferenceMode::write;
  context.bank = &bank;
  return forward(latent, timestep, context);
}

torch::Tensor UNetConditionModelImpl::forward_video(const torch::Tensor& sample, const torch::Tensor& timestep,
                                                    const torch::Tensor& encoder_hidden_states,
                                                    const std::vector<torch::Tensor>& pose_features, ReferenceBank* bank) {
  if (sample.dim() != 5) throw Error(ExitCode::internal, "UNet: forward_video expects (batch, C, frames, H, W)");
  const int64_t b = sample.size(0), f = sample.size(2);
  UNetContext context;
  context.frames = f;
  context.encoder_hidden_states =
      encoder_hidden_states.defined() ? encoder_hidden_states.repeat_interleave(f, 0) : encoder_hidden_states;
  context.mode = bank ? ReferenceMode::read : ReferenceMode::none;
  context.bank = bank;
  std::vector<torch::Tensor> pose;
  for (const auto& p : pose_features) pose.push_back(to_frames(p));
  return to_video(forward(to_frames(sample), timestep, context, pose), b);
}

void UNetConditionModelImpl::load_weights(const std::vector<std::filesystem::path>& files) {
  TensorMap state;
  std::string source;
  for (const auto& file : files) {
    TensorMap part = load_state_dict_file(file);
    state.insert(part.begin(), part.end());
    source += (source.empty() ? "" : " + ") + file.string();
  }
  load_weights(state, source);
}

void UNetConditionModelImpl::load_weights(const TensorMap& state, const std::string& source) {
  StateDictOptions options;
  for (const auto& item : named_parameters(true)) {
    const std::string& k = item.key();
    if (is_au_adapter_key(k)) options.allow_missing_prefixes.push_back(k);
  }
  load_state_dict(*this, state, source, options);
}

UNetConditionModel with_new_au_adapter(const UNetConditionModel& base, int64_t au_dim, int64_t tokens, int64_t hidden) {
  UNetConfig config = base->config();
  config.au_dim = au_dim;
  config.au_tokens = tokens;
  config.au_hidden = hidden;
  UNetConditionModel unet(config);
  torch::NoGradGuard no_grad;
  auto own = base->named_parameters(true);
  for (auto& item : unet->named_parameters(true))
    if (const torch::Tensor* p = own.find(item.key()); p && !is_au_adapter_key(item.key())) item.value().set_data(p->detach());
  auto own_buffers = base->named_buffers(true);
  for (auto& item : unet->named_buffers(true))
    if (const torch::Tensor* b = own_buffers.find(item.key())) item.value().set_data(b->detach());
  unet->to(base->parameters().front().device(), base->parameters().front().scalar_type());
  unet->train(base->is_training());
  return unet;
}

UNetConditionModel load_unet(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  const fs::path config_file = folder / "config.json";
  fs::path weights = folder / "diffusion_pytorch_model.safetensors";
  if (!fs::exists(weights) && fs::exists(folder / "diffusion_pytorch_model.bin")) weights = folder / "diffusion_pytorch_model.bin";
  if (!fs::exists(config_file)) throw input_error(config_file.string(), "no such file (a diffusers UNet folder needs config.json)");
  if (!fs::exists(weights)) throw input_error(weights.string(), "no such file (a diffusers UNet folder needs its weights)");
  UNetConfig config = UNetConfig::from_file(config_file);
  TensorMap state = load_state_dict_file(weights);
  config.has_output_head = state.count("conv_out.weight") != 0;
  UNetConditionModel unet(config);
  unet->load_weights(state, weights.string());
  unet->eval();
  return unet;
}

}  // namespace auhead::render::diffusion
