// Bench for issue #18: training throughput of the diffusion renderer's AU adapter (AuAdapterTrainer) on
// a frozen denoising UNet with seeded random weights. Prints the steady-state step time (the first step
// is left out), samples/s and the peak resident memory.
//   bench_train_render [tiny|sd15] [steps=6] [latent=32] [batch=2] [threads=default]
// A latent of 32 is a 256² frame; 64 is 512².
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "auhead/error.h"
#include "peak_memory.h"
#include "render/diffusion/random_diffusion_models.h"
#include "train/au_adapter_trainer.h"

using namespace auhead;

int main(int argc, char** argv) {
  try {
    const std::string size = argc > 1 ? argv[1] : "tiny";
    const int steps = argc > 2 ? std::atoi(argv[2]) : 6;
    const int latent = argc > 3 ? std::atoi(argv[3]) : 32;
    const int batch = argc > 4 ? std::atoi(argv[4]) : 2;
    if (argc > 5) torch::set_num_threads(std::atoi(argv[5]));
    if (steps < 2 || latent < 8 || latent % 8 != 0 || batch < 1) throw usage_error("need steps >= 2, latent a multiple of 8, batch >= 1");
    diffusion::DiffusionModels models =
        diffusion::make_random_diffusion_models(diffusion::DiffusionModelConfigs::preset(size), true, 1);
    train::AdamWSettings settings;
    settings.lr = 1e-4;
    train::AuAdapterTrainer trainer(models.denoising_unet, models.scheduler, settings, 0.1, 2);
    int64_t adapter = 0;
    for (const auto& [name, p] : trainer.parameters()) adapter += p.numel();
    torch::manual_seed(3);
    const int64_t d = models.denoising_unet->config().cross_attention_dim;
    train::AuAdapterBatch b{torch::randn({batch, 4, latent, latent}), torch::rand({batch, 30}), torch::randn({batch, 1, d}), {}};
    double steady = 0;
    for (int s = 0; s < steps; ++s) {
      const auto t0 = std::chrono::steady_clock::now();
      trainer.step(b, settings.lr);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s > 0) steady += sec;
    }
    steady /= steps - 1;
    std::printf("bench_train_render %s, latent %dx%d (a %dx%d frame), batch %d, %lld adapter parameters, %d threads\n",
                size.c_str(), latent, latent, latent * 8, latent * 8, batch, (long long)adapter, torch::get_num_threads());
    std::printf("  steady step: %.3f s; %.2f samples/s; peak RSS %.0f MiB\n", steady, batch / steady, peak_resident_mib());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train_render: %s\n", e.what());
    return 1;
  }
}
