#include "render/diffusion/parity.h"

#include <torch/torch.h>

#include <cstdio>

#include "auhead/error.h"
#include "core/safetensors.h"
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "render/diffusion/autoencoder_kl.h"
#include "render/diffusion/ddim_scheduler.h"
#include "render/diffusion/dpm_solver_scheduler.h"
#include "core/parity_compare.h"

namespace auhead::diffusion {

namespace fs = std::filesystem;

namespace {

using Emit = ParityEmit;

torch::Tensor need(const SafetensorsFile& f, const std::string& name) { return f.get(name, /*copy=*/true); }

void require(const fs::path& p, const std::string& what) {
  if (!fs::exists(p)) throw input_error(p.string(), "no such file (" + what + ")");
}

// vae/ (diffusers AutoencoderKL folder) + vae_io.safetensors.
void run_vae(const fs::path& dir, const Emit& emit) {
  require(dir / "vae_io.safetensors", "the VAE fixture's inputs and outputs");
  require(dir / "vae" / "config.json", "the VAE fixture's config");
  AutoencoderKL vae = load_autoencoder_kl(dir / "vae");
  SafetensorsFile io(dir / "vae_io.safetensors");
  torch::InferenceMode guard;
  LatentMoments m = vae->encode(need(io, "image"));
  emit(compare_tensors("vae_io:latent_mean", m.mean, need(io, "latent_mean")));
  emit(compare_tensors("vae_io:latent_logvar", m.logvar, need(io, "latent_logvar")));
  emit(compare_tensors("vae_io:decode_out", vae->decode(need(io, "decode_in")), need(io, "decode_out")));
}

// schedulers.json + scheduler_<name>.safetensors: the timesteps and a full sampling loop from x_init
// with the analytic "model" eps_or_v(x, t) = 0.3 x + 0.01 sqrt(t) named in schedulers.json.
void run_schedulers(const fs::path& dir, const Emit& emit) {
  const fs::path json_file = dir / "schedulers.json";
  require(json_file, "the scheduler fixtures' index");
  nlohmann::json all;
  try {
    all = nlohmann::json::parse(read_text_file(json_file));
  } catch (const nlohmann::json::exception& e) {
    throw input_error(json_file.string(), std::string("bad JSON: ") + e.what());
  }
  if (!all.is_object()) throw input_error(json_file.string(), "bad JSON: not an object");
  for (auto it = all.begin(); it != all.end(); ++it) {
    if (!it.value().is_object() || !it.value().contains("config")) continue;  // e.g. "model_for_loop"
    const std::string name = it.key();
    const nlohmann::json& entry = it.value();
    const nlohmann::json& cfg = entry["config"];
    const fs::path io_file = dir / ("scheduler_" + name + ".safetensors");
    require(io_file, "the recorded loop of scheduler '" + name + "'");
    const auto config = NoiseScheduleConfig::from_json(cfg, json_file.string() + " (" + name + ")");
    std::vector<int64_t> expected;
    int64_t steps = 0;
    try {
      expected = entry.at("timesteps").get<std::vector<int64_t>>();
      steps = entry.at("num_inference_steps").get<int64_t>();
    } catch (const nlohmann::json::exception& e) {
      throw input_error(json_file.string(), name + ": " + e.what());
    }
    const std::string algorithm = cfg.value("algorithm_type", std::string());
    std::function<torch::Tensor(const torch::Tensor&, int64_t, const torch::Tensor&)> step;
    std::vector<int64_t> timesteps;
    std::shared_ptr<DdimScheduler> ddim;
    std::shared_ptr<DpmSolverScheduler> dpm;
    if (algorithm.empty()) {
      ddim = std::make_shared<DdimScheduler>(config);
      timesteps = ddim->set_timesteps(steps);
      step = [ddim](const torch::Tensor& m, int64_t t, const torch::Tensor& x) { return ddim->step(m, t, x); };
    } else if (algorithm == "dpmsolver++") {
      dpm = std::make_shared<DpmSolverScheduler>(config, cfg.value("solver_order", 2));
      timesteps = dpm->set_timesteps(steps);
      step = [dpm](const torch::Tensor& m, int64_t t, const torch::Tensor& x) { return dpm->step(m, t, x); };
    } else {
      throw input_error(json_file.string(), name + ": unsupported algorithm_type '" + algorithm + "'");
    }
    ParityResult ts = compare_tensors("schedulers:" + name + ":timesteps", torch::tensor(timesteps), torch::tensor(expected));
    ts.tolerance = 0;  // integers: exact
    ts.pass = ts.pass && ts.max_error == 0;
    emit(ts);
    SafetensorsFile io(io_file);
    torch::InferenceMode guard;
    torch::Tensor x = need(io, "x_init");
    for (std::size_t i = 0; i < timesteps.size(); ++i) {
      const int64_t t = timesteps[i];
      x = step(0.3 * x + 0.01 * std::sqrt(static_cast<double>(t)), t, x);
      const std::string key = "x_after_step_" + std::to_string(i);
      if (io.contains(key)) emit(compare_tensors("scheduler_" + name + ":" + key, x, need(io, key)));
    }
    emit(compare_tensors("scheduler_" + name + ":x_final", x, need(io, "x_final")));
  }
}

const bool registered = register_parity_handler(
                              {"vae",
                               {"vae", "vae_io.safetensors"},
                               [](const fs::path& d) { return fs::exists(d / "vae") || fs::exists(d / "vae_io.safetensors"); },
                               run_vae}) &&
                          register_parity_handler({"schedulers",
                                                   {"schedulers.json"},
                                                   [](const fs::path& d) { return fs::exists(d / "schedulers.json"); },
                                                   run_schedulers});

}  // namespace

}  // namespace auhead::diffusion
