// Diffusion renderer speed per module for one model set and device: VAE encode/decode, ReferenceNet,
// pose guider, the guided denoising step, and the step against a naive one (ReferenceNet every step,
// guidance branches as separate UNet calls). Synthetic inputs: no portrait or face models needed.
// Usage: bench_diffusion [model_dir (default: the tiny models in tests/fixtures/diffusion) | --random sd15|tiny [--seed 0]]
//                        [--device auto|cpu|cuda] [--dtype auto|fp32|bf16|fp16] [--frames 16]
//                        [--size PIXELS | --latent 16] [--steps 3] [--warmup 1]
//                        [--au-adapter]  (adds an untrained AU adapter when the UNet has none: three branches)
// --random builds the models from a size preset with seeded random weights, in memory (sd15: AniPortrait's
// full-size SD-1.5 models); --size is the frame size in pixels (latent = size / 8 for sd15's VAE);
// --steps timed runs of each module after --warmup untimed ones.
#include <torch/torch.h>
#include <torch/version.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "auhead/error.h"
#include "bench_report.h"
#include "build_config.h"
#include "checkpoint/state_dict.h"
#include "peak_memory.h"
#include "render/diffusion/au_guidance.h"
#include "render/diffusion/cpu_allocator.h"
#include "render/diffusion/diffusion_model_dir.h"
#include "render/diffusion/random_diffusion_models.h"

using namespace auhead::render::diffusion;
using Clock = std::chrono::steady_clock;

namespace {

// One option style with the other bench programs (bench_options.h), parsed by hand: this program
// also builds where CLI11 is not installed (scripts/gpu-bench.sh).
constexpr const char* kUsage =
    "bench_diffusion: the diffusion renderer's modules timed (README \"GPU\")\n"
    "usage: bench_diffusion [MODEL_DIR | --random sd15|tiny [--seed N]] [--device auto|cpu|cuda]\n"
    "                       [--dtype auto|fp32|bf16|fp16] [--frames 16] [--size PIXELS | --latent 16]\n"
    "                       [--steps 3] [--warmup 1] [--au-adapter] [--json]\n";

struct Args {
  std::string dir = std::string(AUHEAD_FIXTURES_DIR) + "/diffusion";
  std::string random;  // size preset; empty: load `dir`
  uint64_t seed = 0;
  std::string device = "auto", dtype = "auto";
  int64_t frames = 16, latent = 16, size = 0;  // size > 0 overrides latent
  int steps = 3, warmup = 1;
  bool au_adapter = false;
  bool json = false;  // bench_report.h
};

int64_t integer(const std::string& option, const std::string& value, int64_t min = 1) {
  char* end = nullptr;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || v < min)
    throw auhead::usage_error(option + " needs an integer >= " + std::to_string(min) + ", got '" + value + "'");
  return v;
}

Args parse(int argc, char** argv) {
  Args a;
  bool have_dir = false;
  for (int i = 1; i < argc; ++i) {
    const std::string o = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw auhead::usage_error(o + " needs a value");
      return argv[++i];
    };
    if (o == "--random") a.random = next();
    else if (o == "--seed") a.seed = static_cast<uint64_t>(integer(o, next(), 0));
    else if (o == "--device") a.device = next();
    else if (o == "--dtype") a.dtype = next();
    else if (o == "--frames") a.frames = integer(o, next());
    else if (o == "--latent") a.latent = integer(o, next());
    else if (o == "--size") a.size = integer(o, next());
    else if (o == "--steps") a.steps = static_cast<int>(integer(o, next()));
    else if (o == "--warmup") a.warmup = static_cast<int>(integer(o, next(), 0));
    else if (o == "--au-adapter") a.au_adapter = true;
    else if (o == "--json") a.json = true;
    else if (o == "--help" || o == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    else if (o.rfind("--", 0) == 0) throw auhead::usage_error("unknown option " + o);
    else a.dir = o, have_dir = true;
  }
  if (have_dir && !a.random.empty()) throw auhead::usage_error("give a model folder or --random, not both");
  return a;
}

// The loaded models of `a.dir`; with --au-adapter, a UNet without an adapter gets an untrained one.
DiffusionModels load(const Args& a) {
  auhead::SamplingOptions on_cpu;
  on_cpu.device = "cpu";  // loaded on the CPU, then placed once
  DiffusionModels m = load_diffusion_models(a.dir, on_cpu);
  if (a.au_adapter && !m.denoising_unet->has_au_adapter()) {
    UNetConfig config = m.denoising_unet->config();
    config.au_dim = 30;
    UNetConditionModel with_adapter(config);
    with_adapter->load_weights(auhead::module_state(*m.denoising_unet), "denoising_unet");
    with_adapter->eval();
    m.denoising_unet = with_adapter;
  }
  return m;
}

// Simple mean over `steps` runs after `warmup` untimed ones; `fn` returns a tensor to sync on.
double time_ms(const Args& a, const std::function<torch::Tensor()>& fn) {
  for (int i = 0; i < a.warmup; ++i) fn().sum().item<float>();
  auto t0 = Clock::now();
  for (int i = 0; i < a.steps; ++i) fn().sum().item<float>();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / a.steps;
}

// The process's peak resident memory in GiB, or -1.
double peak_host_gib() {
  const double mib = peak_resident_mib();
  return mib < 0 ? -1 : mib / 1024.0;
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args a = parse(argc, argv);
  auhead::bench::BenchReport report("bench_diffusion");
  report.json = a.json;
  keep_freed_memory();
  const auto build_start = Clock::now();
  DiffusionModels m = a.random.empty() ? load(a)
                                       : make_random_diffusion_models(DiffusionModelConfigs::preset(a.random), a.au_adapter, a.seed);
  const double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();
  place_models(m, a.device, a.dtype);
  torch::InferenceMode guard;
  const auto opts = torch::TensorOptions().device(m.device).dtype(m.dtype);
  const int64_t factor = int64_t{1} << (m.vae->config().block_out_channels.size() - 1);
  if (a.size > 0 && a.size % factor != 0)
    throw auhead::usage_error("--size must be a multiple of " + std::to_string(factor) + " (the VAE's downsampling)");
  const int64_t frames = a.frames, latent = a.size > 0 ? a.size / factor : a.latent;
  const int64_t image = latent * factor, pose_size = latent * 8;
  const int64_t width = m.denoising_unet->config().cross_attention_dim;
  auto& unet = *m.denoising_unet;
  const std::string source = a.random.empty() ? a.dir : "random " + a.random + " (seed " + std::to_string(a.seed) + ")";
  report.text("models %s  device %s %s  frames %lld  latent %lldx%lld  image %lld  pose %lld  AU adapter %s\n",
              source.c_str(), m.device.is_cuda() ? "cuda" : "cpu", dtype_name(m.dtype).c_str(), (long long)frames,
              (long long)latent, (long long)latent, (long long)image, (long long)pose_size, unet.has_au_adapter() ? "yes" : "no");
  report.text("parameters: VAE %.1fM  ReferenceNet %.1fM  denoising UNet %.1fM  pose guider %.2fM  (%s in %.1f s)\n",
              parameter_count(*m.vae) / 1e6, parameter_count(*m.reference_unet) / 1e6, parameter_count(unet) / 1e6,
              parameter_count(*m.pose_guider) / 1e6, a.random.empty() ? "loaded" : "built", build_s);
  report.text("timing: mean of %d run(s) after %d warm-up run(s); libtorch %s\n", a.steps, a.warmup, TORCH_VERSION);
  if (m.device.is_cuda())
    report.text("TF32: matmul %s, cuDNN conv %s\n", at::globalContext().allowTF32CuBLAS() ? "on" : "off",
                at::globalContext().allowTF32CuDNN() ? "on" : "off");

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

  const double vae_enc = time_ms(a, [&] { return m.vae->encode(img).mean; });
  ReferenceBank bank;
  const double refnet = time_ms(a, [&] {
    bank.tokens.clear();
    return m.reference_unet->write_reference(ref_latent, t0, embeds, bank);
  });
  std::vector<torch::Tensor> features;
  const double guider = time_ms(a, [&] {
    features = m.pose_guider->forward(pose);
    return features[0];
  });
  const double step = time_ms(a, [&] { return au_guided_prediction(unet, x, t, embeds, features, bank, au, scales); });

  // Naive: the ReferenceNet again every step, one UNet call per guidance branch.
  const bool with_au = unet.has_au_adapter();
  const double naive = time_ms(a, [&] {
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
  const double vae_dec = time_ms(a, [&] { return m.vae->decode(x.select(2, 0)); });

  report.text("%-44s %10.2f ms\n", "VAE encode (once per video)", vae_enc);
  report.text("%-44s %10.2f ms\n", "ReferenceNet (once per video)", refnet);
  report.text("%-44s %10.2f ms\n", "pose guider (per video, all frames)", guider);
  report.text("%-44s %10.2f ms  (%.2f ms/frame)\n", "denoising step, batched guidance", step, step / frames);
  report.text("%-44s %10.2f ms  (%.2f ms/frame)\n", "denoising step, naive", naive, naive / frames);
  report.text("%-44s %10.2f ms\n", "VAE decode (per frame)", vae_dec);
  report.text("naive / batched step: %.2fx\n", naive / step);
  report.text("peak host memory: %.2f GiB\n", peak_host_gib());
  report.record("", {{"models", source}, {"device", m.device.is_cuda() ? "cuda" : "cpu"}, {"dtype", dtype_name(m.dtype)},
                     {"frames", frames}, {"latent", latent}, {"image", image}, {"au_adapter", unet.has_au_adapter()},
                     {"runs", a.steps}, {"warmup", a.warmup}, {"libtorch", TORCH_VERSION}, {"vae_encode_ms", vae_enc},
                     {"reference_net_ms", refnet}, {"pose_guider_ms", guider}, {"step_batched_ms", step},
                     {"step_naive_ms", naive}, {"vae_decode_per_frame_ms", vae_dec}, {"peak_host_gib", peak_host_gib()}});
  return 0;
} catch (const auhead::Error& e) {
  std::fprintf(stderr, "bench_diffusion: %s\n", e.what());
  return int(e.code());
} catch (const c10::Error& e) {  // e.g. a dtype this libtorch's CPU kernels lack (fp16 in 1.13)
  std::fprintf(stderr, "bench_diffusion: libtorch: %s\n", e.what_without_backtrace());
  return 1;
}
