// libFuzzer harness: the config.json readers of model folders. The first byte picks the reader, the
// rest is the file:
//   0: Qwen2AudioConfig::from_json_file   (alm: DIR/config.json)
//   1: VaeConfig::from_file               (diffusion: vae/config.json)
//   2: UNetConfig::from_file              (diffusion: reference_unet/, denoising_unet/config.json)
//   3: NoiseScheduleConfig::from_json     (diffusion: scheduler/scheduler_config.json), then, as the
//      renderer does, check_schedule_fits and the DDIM and DPM-Solver++ schedulers built from it
//      (1 + size % 37 steps, one step each on a 1×1×2×2 latent)
//   4: ClipVisionConfig::from_file        (diffusion: image_encoder/config.json)
// Files are written to a scratch file (the readers take paths).
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "audio2au/alm/qwen2_audio_config.h"
#include "auhead/error.h"
#include "core/json_text.h"
#include "fuzz_util.h"
#include "render/diffusion/clip_vision_model.h"
#include "render/diffusion/ddim_scheduler.h"
#include "render/diffusion/dpm_solver_scheduler.h"
#include "render/diffusion/noise_schedule.h"
#include "render/diffusion/schedule_fit.h"
#include "render/diffusion/unet_config.h"
#include "render/diffusion/vae_config.h"

namespace diffusion = auhead::diffusion;

namespace {

void run_schedulers(const diffusion::NoiseScheduleConfig& config, int64_t steps) {
  const torch::Tensor latent = torch::zeros({1, 1, 2, 2});
  diffusion::DdimScheduler ddim(config);
  for (int64_t t : ddim.set_timesteps(steps)) (void)ddim.step(latent, t, latent);
  diffusion::DpmSolverScheduler dpm(config);
  for (int64_t t : dpm.set_timesteps(steps)) (void)dpm.step(latent, t, latent);
}

}  // namespace

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static auhead::fuzz::ScratchFile file("config.json");
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 5) {
      case 0: {
        auto c = auhead::alm::Qwen2AudioConfig::from_json_file(file.write(text));
        auhead::fuzz::note("qwen2-audio config: audio d_model " + std::to_string(c.audio.d_model));
        if (c.text) (void)c.text->head_dim();
        break;
      }
      case 1: (void)diffusion::VaeConfig::from_file(file.write(text)); break;
      case 2: (void)diffusion::UNetConfig::from_file(file.write(text)); break;
      case 3: {
        const auto config = diffusion::NoiseScheduleConfig::from_json(auhead::parse_json_text(text, "scheduler_config.json"),
                                                                      "scheduler_config.json");
        auhead::fuzz::note("scheduler: " + std::to_string(config.num_train_timesteps) + " training steps");
        const int64_t steps = 1 + int64_t(size % 37);
        // As the renderer does when the models load: a schedule that cannot take the steps is refused.
        diffusion::check_schedule_fits(config, "ddim", steps, "scheduler_config.json");
        diffusion::check_schedule_fits(config, "dpmsolver++", steps, "scheduler_config.json");
        run_schedulers(config, steps);
        break;
      }
      case 4: (void)diffusion::ClipVisionConfig::from_file(file.write(text)); break;
    }
    auhead::fuzz::note("read");
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
