// Diffusion renderer speed per module for one model folder and device: VAE encode/decode, ReferenceNet,
// pose guider, the guided denoising step, and the step against a naive one (ReferenceNet every step,
// guidance branches as separate UNet calls). Synthetic inputs: no portrait or face models needed.
// Usage: bench_diffusion [model_dir (default: shared tiny fixtures)] [--device auto|cpu|cuda]
//                        [--dtype auto|fp32|bf16|fp16] [--frames 16] [--latent 16] [--repeat 3]
//                        [--au-adapter]  (adds an untrained AU adapter when the UNet has none: three branches)
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "auhead/error.h"
#include "build_config.h"
#include "core/state_dict.h"
#include "render/diffusion/au_guidance.h"
#include "render/diffusion/cpu_allocator.h"
#include "render/diffusion/diffusion_model_dir.h"

using namespace auhead::diffusion;
using Clock = std::chrono::steady_clock;

namespace {

// Median-free simple mean over `repeat` runs after one warm-up; `fn` returns a tensor to sync on.
double time_ms(int repeat, const std::function<torch::Tensor()>& fn) {
  fn().sum().item<float>();
  auto t0 = Clock::now();
  for (int i = 0; i < repeat; ++i) fn().sum().item<float>();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / repeat;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string dir = std::string(AUHEAD_SHARED_DIR) + "/fixtures/diffusion", device = "auto", dtype = "auto";
  int64_t frames = 16, latent = 16;
  int repeat = 3;
  bool add_au_adapter = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw auhead::usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--device") device = next();
    else if (a == "--dtype") dtype = next();
    else if (a == "--frames") frames = std::atoll(next().c_str());
    else if (a == "--latent") latent = std::atoll(next().c_str());
    else if (a == "--repeat") repeat = std::atoi(next().c_str());
    else if (a == "--au-adapter") add_au_adapter = true;
    else dir = a;
  }
  keep_freed_memory();
  auhead::SamplingOptions on_cpu;
  on_cpu.device = "cpu";  // loaded on the CPU, then placed once
  DiffusionModels m = load_diffusion_models(dir, on_cpu);
  if (add_au_adapter && !m.denoising_unet->has_au_adapter()) {
    UNetConfig config = m.denoising_unet->config();
    config.au_dim = 30;
    UNetConditionModel with_adapter(config);
    with_adapter->load_weights(auhead::module_state(*m.denoising_unet), "denoising_unet");
    with_adapter->eval();
    m.denoising_unet = with_adapter;
  }
  place_models(m, device, dtype);
  torch::InferenceMode guard;
  const auto opts = torch::TensorOptions().device(m.device).dtype(m.dtype);
  const int64_t factor = int64_t{1} << (m.vae->config().block_out_channels.size() - 1);
  const int64_t image = latent * factor, pose_size = latent * 8;
  const int64_t width = m.denoising_unet->config().cross_attention_dim;
  auto& unet = *m.denoising_unet;
  std::printf("models %s  device %s %s  frames %lld  latent %lldx%lld  image %lld  pose %lld  AU adapter %s\n", dir.c_str(),
              m.device.is_cuda() ? "cuda" : "cpu", dtype_name(m.dtype).c_str(), (long long)frames,
              (long long)latent, (long long)latent, (long long)image, (long long)pose_size, unet.has_au_adapter() ? "yes" : "no");

  torch::manual_seed(0);
  const torch::Tensor img = torch::rand({1, 3, image, image}, opts) * 2 - 1;
  const torch::Tensor ref_latent = torch::randn({1, 4, latent, latent}, opts);
  const torch::Tensor embeds = torch::randn({1, 1, width}, opts);
  const torch::Tensor pose = torch::rand({1, 3, frames, pose_size, pose_size}, opts);
  const torch::Tensor x = torch::randn({1, 4, frames, latent, latent}, opts);
  const torch::Tensor au = torch::rand({1, frames, 30}, opts);
  const torch::Tensor t = torch::full({1}, 500.0, torch::TensorOptions().device(m.device));
  const torch::Tensor t0 = torch::zeros({1}, t.options());
  const GuidanceScales scales;

  const double vae_enc = time_ms(repeat, [&] { return m.vae->encode(img).mean; });
  ReferenceBank bank;
  const double refnet = time_ms(repeat, [&] {
    bank.tokens.clear();
    return m.reference_unet->write_reference(ref_latent, t0, embeds, bank);
  });
  std::vector<torch::Tensor> features;
  const double guider = time_ms(repeat, [&] {
    features = m.pose_guider->forward(pose);
    return features[0];
  });
  const double step = time_ms(repeat, [&] { return au_guided_prediction(unet, x, t, embeds, features, bank, au, scales); });

  // Naive: the ReferenceNet again every step, one UNet call per guidance branch.
  const bool with_au = unet.has_au_adapter();
  const double naive = time_ms(repeat, [&] {
    ReferenceBank fresh;
    m.reference_unet->write_reference(ref_latent, t0, embeds, fresh);
    torch::Tensor e0 = unet.forward_video(x, t, torch::zeros_like(embeds), features, nullptr);
    torch::Tensor e1 = unet.forward_video(x, t, embeds, features, &fresh);
    torch::Tensor eps = e0 + scales.reference * (e1 - e0);
    if (with_au) {
      UNetContext c;
      c.frames = frames;
      c.encoder_hidden_states = embeds.repeat_interleave(frames, 0);
      c.mode = ReferenceMode::read;
      c.bank = &fresh;
      c.au_tokens = unet.encode_au(au.reshape({frames, 30}));
      c.au_mask = torch::ones({frames}, opts);
      std::vector<torch::Tensor> p;
      for (const auto& f : features) p.push_back(f.permute({0, 2, 1, 3, 4}).flatten(0, 1));
      torch::Tensor e2 = unet.forward(x.permute({0, 2, 1, 3, 4}).flatten(0, 1), t, c, p);
      eps = eps + scales.au * (e2.view({1, frames, 4, latent, latent}).permute({0, 2, 1, 3, 4}) - e1);
    }
    return eps;
  });
  const double vae_dec = time_ms(repeat, [&] { return m.vae->decode(x.select(2, 0)); });

  std::printf("%-44s %10.2f ms\n", "VAE encode (once per video)", vae_enc);
  std::printf("%-44s %10.2f ms\n", "ReferenceNet (once per video)", refnet);
  std::printf("%-44s %10.2f ms\n", "pose guider (per video, all frames)", guider);
  std::printf("%-44s %10.2f ms  (%.2f ms/frame)\n", "denoising step, batched guidance", step, step / frames);
  std::printf("%-44s %10.2f ms  (%.2f ms/frame)\n", "denoising step, naive", naive, naive / frames);
  std::printf("%-44s %10.2f ms\n", "VAE decode (per frame)", vae_dec);
  std::printf("naive / batched step: %.2fx\n", naive / step);
  return 0;
} catch (const auhead::Error& e) {
  std::fprintf(stderr, "bench_diffusion: %s\n", e.what());
  return int(e.code());
} catch (const c10::Error& e) {  // e.g. a dtype this libtorch's CPU kernels lack (fp16 in 1.13)
  std::fprintf(stderr, "bench_diffusion: libtorch: %s\n", e.what_without_backtrace());
  return 1;
}
