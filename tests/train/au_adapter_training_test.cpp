// Proof that the AU adapter learns (issue #18, item 5b): on a frozen tiny random denoising UNet, the AU
// adapter alone learns a synthetic AU — the size of a bright disc at a fixed place in the latent — so
// that sampling the same noise with that AU at 1 and at 0 differs where the disc grows, and much less
// elsewhere. The AUs are dropped for 10 % of the samples, as for the guidance's AU-free branch.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstdio>

#include "render/diffusion/ddim_scheduler.h"
#include "render/diffusion/random_diffusion_models.h"
#include "train/au_adapter_trainer.h"

using namespace auhead;
using namespace auhead::train;

namespace {

constexpr int kSize = 16, kAu = 8;  // 16x16 latents; jaw_drop
constexpr double kCy = 5.5, kCx = 9.5;
double radius(double a) { return 1.5 + 3.5 * a; }

// Distance of every latent pixel from the disc's centre, (1, 1, h, w).
torch::Tensor distance() {
  auto y = torch::arange(kSize, torch::kFloat).view({kSize, 1}).expand({kSize, kSize});
  auto x = torch::arange(kSize, torch::kFloat).view({1, kSize}).expand({kSize, kSize});
  return ((y - kCy).pow(2) + (x - kCx).pow(2)).sqrt().view({1, 1, kSize, kSize});
}

// Background -0.5, a disc of +1 whose radius grows with the AU (edges a pixel soft).
torch::Tensor disc_latents(const torch::Tensor& a) {
  const torch::Tensor r = (1.5 + 3.5 * a).view({-1, 1, 1, 1});
  const torch::Tensor inside = torch::clamp(r - distance() + 0.5, 0, 1);
  return (-0.5 + 1.5 * inside).expand({a.size(0), 4, kSize, kSize}).contiguous();
}

torch::Tensor au_vectors(const torch::Tensor& a) {
  torch::Tensor au = torch::zeros({a.size(0), 30});
  au.select(1, kAu).copy_(a);
  return au;
}

}  // namespace

TEST(AuAdapterTraining, LearnsADiscSizeThatSamplingShowsInItsRegionOnly) {
  torch::manual_seed(0);
  render::diffusion::DiffusionModels models = render::diffusion::make_random_diffusion_models(render::diffusion::DiffusionModelConfigs::preset("tiny"), true, 3);
  render::diffusion::UNetConditionModel unet = models.denoising_unet;
  AdamWSettings settings;
  settings.lr = 2e-3;
  settings.weight_decay = 0;
  AuAdapterTrainer trainer(unet, models.scheduler, settings, 0.1, 5);
  // Everything but the adapter stays as it was.
  std::vector<torch::Tensor> frozen;
  for (auto& item : unet->named_parameters(true))
    if (!is_au_adapter_parameter(item.key())) frozen.push_back(item.value().clone());

  torch::Generator g = at::make_generator<at::CPUGeneratorImpl>(11);
  double first = 0, last = 0;
  const int steps = 300;
  for (int s = 0; s < steps; ++s) {
    const torch::Tensor a = torch::randint(0, 5, {8}, g, torch::kLong).to(torch::kFloat) / 4;
    AuAdapterBatch batch;
    batch.latents = disc_latents(a);
    batch.au = au_vectors(a);
    const double loss = trainer.step(batch, settings.lr).loss;
    if (s < 20) first += loss / 20;
    if (s >= steps - 20) last += loss / 20;
  }
  std::printf("loss over the first 20 steps %.4f, over the last 20 %.4f\n", first, last);
  EXPECT_LT(last, first);
  std::size_t i = 0;
  for (auto& item : unet->named_parameters(true))
    if (!is_au_adapter_parameter(item.key())) {
      EXPECT_TRUE(torch::equal(item.value(), frozen[i++])) << item.key();
    }

  // Sampling: the same noise, 20 DDIM steps, the AU at 1 and at 0.
  unet->eval();
  torch::NoGradGuard no_grad;
  auto sample = [&](float a) {
    render::diffusion::DdimScheduler ddim(models.scheduler);
    torch::Generator noise_gen = at::make_generator<at::CPUGeneratorImpl>(99);
    torch::Tensor x = torch::randn({1, 4, kSize, kSize}, noise_gen, torch::kFloat);
    render::diffusion::UNetContext context;
    context.encoder_hidden_states = torch::zeros({1, 1, unet->config().cross_attention_dim});
    context.au_tokens = unet->encode_au(au_vectors(torch::tensor({a})));
    for (int64_t t : ddim.set_timesteps(20)) x = ddim.step(unet->forward(x, torch::tensor({t}), context), t, x);
    return x;
  };
  const torch::Tensor diff = (sample(1.f) - sample(0.f)).mean(1, true);
  const torch::Tensor d = distance();
  const torch::Tensor ring = (d > radius(0) + 0.5) & (d < radius(1) - 0.5);  // covered at 1, not at 0
  const torch::Tensor far = d > radius(1) + 2.5;
  const double in_ring = diff.masked_select(ring).mean().item<double>();
  const double outside = diff.abs().masked_select(far).mean().item<double>();
  std::printf("AU 1 - AU 0: %+.3f in the ring the disc grows into, |%.3f| far outside\n", in_ring, outside);
  // Measured here: +1.26 in the ring (the disc adds +1.5 there) and 0.32 far outside. The frozen random
  // base's self-attention spreads some of every change over the whole latent, so "elsewhere" is not 0.
  EXPECT_GT(in_ring, 0.6);          // brighter where the larger disc is
  EXPECT_LT(outside, in_ring / 3);  // and much less change elsewhere
}
