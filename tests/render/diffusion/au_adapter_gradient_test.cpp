// Gradient check of the AU adapter (issue #18, item 5c): the parameters that `train render` would train
// — the AU token encoder and a transformer block's AU cross-attention (norm_au, attn_au) — get from
// autograd the gradients that central finite differences give, in float64 on a tiny block.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "render/diffusion/au_token_encoder.h"
#include "render/diffusion/basic_transformer_block.h"
#include "render/diffusion/unet_context.h"

using namespace auhead::render::diffusion;

TEST(AuAdapterGradient, AutogradMatchesFiniteDifferences) {
  torch::manual_seed(21);
  AuTokenEncoder encoder(AuTokenEncoderOptions{30, 2, 8, 6});
  BasicTransformerBlock block(BasicTransformerBlockOptions{8, 2, 4, 5, 1e-5, 6});
  encoder->to(torch::kDouble);
  block->to(torch::kDouble);
  {
    // attn_au's output starts at zero (so an untrained adapter changes nothing), which would leave
    // its query, key and value without gradient: every parameter gets random values here.
    torch::NoGradGuard no_grad;
    for (auto& p : encoder->parameters()) p.normal_(0, 0.4);
    for (auto& p : block->parameters()) p.normal_(0, 0.4);
  }
  const auto opts = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor x = torch::randn({3, 7, 8}, opts);       // 3 frames of 7 spatial tokens
  const torch::Tensor text = torch::randn({3, 4, 5}, opts);    // cross-attention tokens
  const torch::Tensor au = torch::rand({3, 30}, opts);         // AU intensities in [0, 1]
  const torch::Tensor mask = torch::tensor({1.0, 0.0, 1.0}, opts);  // the middle sample is an AU-free branch
  const torch::Tensor weight = torch::randn({3, 7, 8}, opts);

  auto loss = [&] {
    UNetContext context;
    context.encoder_hidden_states = text;
    context.frames = 3;
    context.au_tokens = encoder(au);
    context.au_mask = mask;
    return (block(x, context) * weight).sum();
  };

  std::vector<std::pair<std::string, torch::Tensor>> adapter;
  for (auto& p : encoder->named_parameters()) adapter.emplace_back("au_encoder." + p.key(), p.value());
  for (auto& p : block->named_parameters())
    if (p.key().rfind("attn_au", 0) == 0 || p.key().rfind("norm_au", 0) == 0) adapter.emplace_back(p.key(), p.value());
  ASSERT_GE(adapter.size(), 9u);  // proj_in, proj_out, norm (w, b each); norm_au; attn_au q, k, v, out

  std::vector<torch::Tensor> params;
  for (auto& [name, p] : adapter) params.push_back(p);
  const std::vector<torch::Tensor> grads = torch::autograd::grad({loss()}, params);

  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  int checked = 0;
  for (std::size_t i = 0; i < adapter.size(); ++i) {
    torch::Tensor flat = params[i].view({-1});
    torch::Tensor g = grads[i].reshape({-1});
    EXPECT_GT(g.abs().max().item<double>(), 0) << adapter[i].first << " gets no gradient";
    for (int64_t k : {int64_t(0), flat.numel() / 2, flat.numel() - 1}) {
      const double v = flat[k].item<double>();
      flat[k] = v + h;
      const double up = loss().item<double>();
      flat[k] = v - h;
      const double down = loss().item<double>();
      flat[k] = v;
      const double numeric = (up - down) / (2 * h);
      const double analytic = g[k].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 * std::max(1.0, std::abs(numeric))) << adapter[i].first << "[" << k << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, int(3 * adapter.size()));

  // The AU-free sample's output does not depend on the AUs at all.
  torch::Tensor au2 = au.clone();
  au2[1] = torch::rand({30}, opts);
  UNetContext a, b;
  a.encoder_hidden_states = b.encoder_hidden_states = text;
  a.frames = b.frames = 3;
  a.au_mask = b.au_mask = mask;
  a.au_tokens = encoder(au);
  b.au_tokens = encoder(au2);
  EXPECT_LT((block(x, a)[1] - block(x, b)[1]).abs().max().item<double>(), 1e-12);
}
