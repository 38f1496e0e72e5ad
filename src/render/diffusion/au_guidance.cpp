#include "render/diffusion/au_guidance.h"

#include <torch/torch.h>

#include "auhead/error.h"

namespace auhead::render::diffusion {

torch::Tensor au_guided_prediction(UNetConditionModelImpl& unet, const torch::Tensor& sample, const torch::Tensor& timestep,
                                   const torch::Tensor& image_embeds, const std::vector<torch::Tensor>& pose_features,
                                   ReferenceBank& bank, const torch::Tensor& au, const GuidanceScales& scales) {
  if (sample.dim() != 5) throw Error(ExitCode::internal, "AU guidance expects (batch, C, frames, H, W) latents");
  const int64_t b = sample.size(0), f = sample.size(2), n = b * f;
  const bool with_au = unet.has_au_adapter() && au.defined();
  const int64_t branches = with_au ? 3 : 2;
  auto to_frames = [](const torch::Tensor& t) { return t.permute({0, 2, 1, 3, 4}).flatten(0, 1); };
  auto tile = [branches](const torch::Tensor& t) {
    std::vector<int64_t> reps(static_cast<std::size_t>(t.dim()), 1);
    reps[0] = branches;
    return t.repeat(reps);
  };

  const torch::Tensor embeds = image_embeds.repeat_interleave(f, 0);
  std::vector<torch::Tensor> e_parts{torch::zeros_like(embeds), embeds};
  std::vector<torch::Tensor> ref_parts{torch::zeros({n}, sample.options()), torch::ones({n}, sample.options())};
  if (with_au) {
    e_parts.push_back(embeds);
    ref_parts.push_back(torch::ones({n}, sample.options()));
  }
  UNetContext context;
  context.frames = f;
  context.encoder_hidden_states = torch::cat(e_parts, 0);
  context.mode = ReferenceMode::read;
  context.bank = &bank;
  context.reference_mask = torch::cat(ref_parts, 0);
  if (with_au) {
    context.au_tokens = tile(unet.encode_au(au.reshape({n, au.size(-1)}).to(sample.dtype())));
    context.au_mask = torch::cat({torch::zeros({2 * n}, sample.options()), torch::ones({n}, sample.options())}, 0);
  }
  std::vector<torch::Tensor> pose;
  for (const auto& p : pose_features) pose.push_back(tile(to_frames(p)));
  torch::Tensor t = timestep.reshape({-1});
  if (t.size(0) != 1) t = tile(t);
  torch::Tensor out = unet.forward(tile(to_frames(sample)), t, context, pose);
  auto e = out.chunk(branches, 0);
  torch::Tensor eps = e[0] + scales.reference * (e[1] - e[0]);
  if (with_au) eps = eps + scales.au * (e[2] - e[1]);
  return eps.view({b, f, eps.size(1), eps.size(2), eps.size(3)}).permute({0, 2, 1, 3, 4}).contiguous();
}

}  // namespace auhead::render::diffusion
