// libFuzzer harness: the config.json readers of model folders. The first byte picks the reader, the
// rest is the file:
//   0: Qwen2AudioConfig::from_json_file   (alm: DIR/config.json)
//   1: VaeConfig::from_file               (diffusion: vae/config.json)
//   2: UNetConfig::from_file              (diffusion: reference_unet/, denoising_unet/config.json)
//   3: NoiseScheduleConfig::from_json     (diffusion: scheduler/scheduler_config.json), then, as the
//      renderer does, check_schedule_fits and the DDIM and DPM-Solver++ schedulers built from it
//      (1 + size % 37 steps, one step each on a 1×1×2×2 latent)
//   4: ClipVisionConfig::from_file        (diffusion: image_encoder/config.json)
// and, for a first byte 0xF0..0xF7 (so that the older seeds and reproducers keep their reader):
//   0xF0/0xF4: read_render_config            (diffusion: render_config.json)
//   0xF1/0xF5: audio2au::alm::read_generation_config   (alm: generation_config.json)
//   0xF2/0xF6: audio2au::alm::read_prompt_settings     (alm: auhead_alm.json)
//   0xF3/0xF7: audio2au::alm::read_lora_adapter_config (alm: adapter_config.json)
// Files are written to a scratch file (the readers take paths).
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "audio2au/alm/alm_settings.h"
#include "audio2au/alm/lora_adapter_config.h"
#include "audio2au/alm/qwen2_audio_config.h"
#include "auhead/error.h"
#include "core/json_text.h"
#include "fuzz_util.h"
#include "render/diffusion/clip_vision_model.h"
#include "render/diffusion/ddim_scheduler.h"
#include "render/diffusion/render_config.h"
#include "render/diffusion/dpm_solver_scheduler.h"
#include "render/diffusion/noise_schedule.h"
#include "render/diffusion/schedule_fit.h"
#include "render/diffusion/unet_config.h"
#include "render/diffusion/vae_config.h"

namespace diffusion = auhead::render::diffusion;

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
    const uint8_t sel = data[0];
    switch (sel >= 0xF0 && sel <= 0xF7 ? 5 + (sel - 0xF0) % 4 : sel % 5) {
      case 0: {
        auto c = auhead::audio2au::alm::Qwen2AudioConfig::from_json_file(file.write(text));
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
      case 5: {
        auto r = diffusion::read_render_config(file.write(text));
        auhead::fuzz::note("render config: " + std::to_string(r.steps) + " steps");
        break;
      }
      case 6: {
        auto g = auhead::audio2au::alm::read_generation_config(file.write(text));
        auhead::fuzz::note("generation config: top_k " + std::to_string(g.top_k));
        break;
      }
      case 7: (void)auhead::audio2au::alm::read_prompt_settings(file.write(text)); break;
      case 8: {
        auto a = auhead::audio2au::alm::read_lora_adapter_config(file.write(text));
        auhead::fuzz::note("adapter: scale " + std::to_string(a.alpha_of("q_proj") / a.rank_of("q_proj")));
        break;
      }
    }
    auhead::fuzz::note("read");
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
