// Bench for issue #18: training throughput of the diffusion renderer's AU adapter (AuAdapterTrainer) on
// a frozen denoising UNet with seeded random weights. Prints the steady-state step time (the first step
// is left out), samples/s and the peak resident memory.
//   bench_train_render [tiny|sd15] [--steps 6] [--latent 32] [--batch 2] [--threads N] [--json]
// A latent of 32 is a 256² frame; 64 is 512².
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "auhead/error.h"
#include "bench_options.h"
#include "peak_memory.h"
#include "render/diffusion/random_diffusion_models.h"
#include "train/au_adapter_trainer.h"

using namespace auhead;

int main(int argc, char** argv) {
  CLI::App app{"training throughput of the diffusion renderer's AU adapter on a seeded random UNet"};
  auhead::bench::BenchReport report("bench_train_render");
  std::string size = "tiny";
  int steps = 6, latent = 32, batch = 2, threads = 0;
  app.add_option("size", size, "model size")->check(CLI::IsMember({"tiny", "sd15"}))->capture_default_str();
  app.add_option("--steps", steps, "optimizer steps (the first is left out)")->check(CLI::Range(2, 100000))->capture_default_str();
  app.add_option("--latent", latent, "latent side (a multiple of 8; 32 is a 256x256 frame)")->check(CLI::Range(8, 512))->capture_default_str();
  app.add_option("--batch", batch, "frames per step")->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--threads", threads, "libtorch threads (0: the default)")->check(CLI::Range(0, 1024));
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    if (threads > 0) torch::set_num_threads(threads);
    if (latent % 8 != 0) throw usage_error("--latent must be a multiple of 8");
    render::diffusion::DiffusionModels models =
        render::diffusion::make_random_diffusion_models(render::diffusion::DiffusionModelConfigs::preset(size), true, 1);
    train::AdamWSettings settings;
    settings.lr = 1e-4;
    train::AuAdapterTrainer trainer(models.denoising_unet, models.scheduler, settings, 0.1, 2);
    int64_t adapter = 0;
    for (const auto& [name, p] : trainer.parameters()) adapter += p.numel();
    torch::manual_seed(3);
    const int64_t d = models.denoising_unet->config().cross_attention_dim;
    train::AuAdapterBatch b;
    b.latents = torch::randn({batch, 4, latent, latent});
    b.au = torch::rand({batch, 30});
    b.encoder_hidden_states = torch::randn({batch, 1, d});
    double steady = 0;
    for (int s = 0; s < steps; ++s) {
      const auto t0 = std::chrono::steady_clock::now();
      trainer.step(b, settings.lr);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s > 0) steady += sec;
    }
    steady /= steps - 1;
    report.text("bench_train_render %s, latent %dx%d (a %dx%d frame), batch %d, %lld adapter parameters, %d threads\n",
                size.c_str(), latent, latent, latent * 8, latent * 8, batch, (long long)adapter, torch::get_num_threads());
    report.text("  steady step: %.3f s; %.2f samples/s; peak RSS %.0f MiB\n", steady, batch / steady, peak_resident_mib());
    report.record("", {{"size", size}, {"latent", latent}, {"batch", batch}, {"adapter_parameters", adapter},
                       {"threads", torch::get_num_threads()}, {"steady_step_s", steady}, {"samples_per_s", batch / steady},
                       {"peak_rss_mib", peak_resident_mib()}});
    return 0;
  });
}
