#include "train/lora_train_parity.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "audio2au/alm/qwen2_audio_model.h"
#include "auhead/error.h"
#include "core/json_text.h"
#include "core/parity_compare.h"
#include "checkpoint/safetensors.h"
#include "train/alm_lora_trainer.h"
#include "train/causal_lm_loss.h"
#include "train/lora_adapter.h"

namespace auhead::train {

namespace fs = std::filesystem;

namespace {

bool is_lora_train_fixture(const fs::path& d) {
  return fs::exists(d / "train_io.safetensors") && fs::exists(d / "adapter_config.json");
}

std::vector<fs::path> fixtures(const fs::path& d) {
  std::vector<fs::path> out;
  if (is_lora_train_fixture(d)) out.push_back(d);
  if (is_lora_train_fixture(d / "qwen2_audio_lora_train")) out.push_back(d / "qwen2_audio_lora_train");
  return out;
}

// A scalar against a float64 reference: |ours − ref| ≤ 1e-4 · max(1, |ref|).
ParityResult compare_scalar(const std::string& name, double ours, double ref) {
  ParityResult r;
  r.name = name;
  r.max_error = std::abs(ours - ref);
  r.tolerance = 1e-4 * std::max(1.0, std::abs(ref));
  r.pass = std::isfinite(ours) && r.max_error <= r.tolerance;
  return r;
}

void run_fixture(const fs::path& dir, const ParityEmit& emit) {
  const std::string tag = (dir.filename().empty() ? dir.parent_path().filename() : dir.filename()).string() + ":";
  for (const char* f : {"config.json", "model.safetensors", "adapter_model.safetensors", "train_config.json"})
    if (!fs::exists(dir / f)) throw input_error((dir / f).string(), "no such file (part of the LoRA training fixture)");
  SafetensorsFile io(dir / "train_io.safetensors");
  const auto need = [&](const std::string& name) { return io.get(name, true); };
  const nlohmann::json tc = read_json_object_file(dir / "train_config.json");
  const std::string tc_file = (dir / "train_config.json").string();
  AdamWSettings s;
  s.lr = config_number(tc, "lr", 1e-3, 0, 1, tc_file);
  if (tc.contains("betas") && tc["betas"].is_array() && tc["betas"].size() == 2) {
    s.beta1 = config_number(tc["betas"], "0", 0.9, 0, 1, tc_file);
    s.beta2 = config_number(tc["betas"], "1", 0.999, 0, 1, tc_file);
  }
  s.eps = config_number(tc, "eps", 1e-8, 0, 1, tc_file);
  s.weight_decay = config_number(tc, "weight_decay", 0.01, 0, 10, tc_file);
  s.max_grad_norm = config_number(tc, "max_grad_norm", 1.0, 0, 1e6, tc_file);
  const int steps = int(config_number(tc, "steps", 3, 1, 1000, tc_file));

  audio2au::alm::Qwen2AudioModel model = audio2au::alm::load_qwen2_audio(dir);
  load_lora_adapter(*model, dir);
  AlmTrainBatch batch;
  batch.input_ids = need("input_ids");
  batch.labels = need("labels");
  {
    // Sample 0 holds the audio; the tower and projector are frozen, so no graph is kept for them.
    torch::NoGradGuard no_grad;
    torch::Tensor embeds = model->multi_modal_projector(model->audio_tower->forward_all(need("input_features")).pooled);
    if (io.contains("audio_embeds")) emit(compare_tensors(tag + "audio_embeds", embeds, need("audio_embeds")));
    batch.audio_embeds = {embeds, torch::Tensor()};
  }
  AlmLoraTrainer trainer(model, s);
  if (io.contains("logits_with_lora")) {
    torch::NoGradGuard no_grad;
    AlmTrainBatch first{batch.input_ids.narrow(0, 0, 1), batch.labels.narrow(0, 0, 1), {batch.audio_embeds[0]}};
    torch::Tensor ref = need("logits_with_lora");
    emit(compare_tensors(tag + "logits_with_lora", trainer.logits(first).reshape(ref.sizes()), ref));
  }
  const torch::Tensor ref_loss = need("loss").to(torch::kDouble), ref_norm = need("grad_norm").to(torch::kDouble);
  if (ref_loss.numel() < steps + 1 || ref_norm.numel() < steps)
    throw input_error((dir / "train_io.safetensors").string(), "loss / grad_norm hold fewer values than train_config.json's steps");
  const auto compare_params = [&](const std::string& prefix, bool grads) {
    for (const auto& [key, t] : trainer.parameters()) {
      const std::string ref_key = prefix + key;
      if (!io.contains(ref_key)) throw input_error((dir / "train_io.safetensors").string(), "no " + ref_key);
      emit(compare_tensors(tag + ref_key, grads ? t.grad() : t.detach(), need(ref_key)));
    }
  };
  const int64_t tokens = answer_tokens(batch);
  for (int step = 1; step <= steps; ++step) {
    const double loss = trainer.accumulate(batch, tokens) / double(tokens);
    emit(compare_scalar(tag + "loss[" + std::to_string(step - 1) + "]", loss, ref_loss[step - 1].item<double>()));
    if (step == 1) compare_params("grad.", true);
    const double norm = trainer.apply(s.lr);
    emit(compare_scalar(tag + "grad_norm[" + std::to_string(step - 1) + "]", norm, ref_norm[step - 1].item<double>()));
    if (step == 1 || step == 3) compare_params("after_step" + std::to_string(step) + ".", false);
  }
  torch::NoGradGuard no_grad;
  const double after = causal_lm_loss(trainer.logits(batch), batch.labels).sum.item<double>() / double(tokens);
  emit(compare_scalar(tag + "loss[" + std::to_string(steps) + "]", after, ref_loss[steps].item<double>()));
}

}  // namespace

std::vector<ParityHandler> parity_handlers() {
  return {{"qwen2_audio_lora_train",
           {"qwen2_audio_lora_train"},
           [](const fs::path& d) { return !fixtures(d).empty(); },
           [](const fs::path& d, const ParityEmit& emit) {
             for (const auto& f : fixtures(d)) run_fixture(f, emit);
           }}};
}

}  // namespace auhead::train
