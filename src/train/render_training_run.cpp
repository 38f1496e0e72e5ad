#include "auhead/training.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "auhead/au.h"
#include "auhead/error.h"
#include "checkpoint/safetensors.h"
#include "core/atomic_file.h"
#include "core/progress.h"
#include "render/diffusion/clip_vision_model.h"
#include "render/diffusion/diffusion_model_dir.h"
#include "train/au_adapter_trainer.h"
#include "train/checkpoint_folders.h"
#include "train/data_parallel.h"
#include "train/lr_schedule.h"
#include "train/render_frame_set.h"

namespace auhead::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kAdapterFile = "au_adapter.safetensors";
const char* kGuiderFile = "pose_guider.safetensors";

// The trained tensors: the UNet's adapter, or the pose guider's (without their "pose_guider." prefix).
TensorMap trained_tensors(const AuAdapterTrainer& trainer, bool guider) {
  const std::string prefix = "pose_guider.";
  TensorMap out;
  for (const auto& [name, p] : trainer.parameters()) {
    const bool is_guider = name.rfind(prefix, 0) == 0;
    if (is_guider == guider) out[guider ? name.substr(prefix.size()) : name] = p.detach().to(torch::kCPU, torch::kFloat);
  }
  return out;
}

// Copies `file`'s tensors into the trained parameters they name (all of them, same shapes).
void load_trained(const AuAdapterTrainer& trainer, const fs::path& file, bool guider) {
  const TensorMap state = load_safetensors(file);
  const TensorMap mine = trained_tensors(trainer, guider);
  const std::string prefix = guider ? "pose_guider." : "";
  torch::NoGradGuard no_grad;
  for (const auto& [name, p] : trainer.parameters()) {
    if ((name.rfind("pose_guider.", 0) == 0) != guider) continue;
    const auto it = state.find(name.substr(prefix.size()));
    if (it == state.end()) throw input_error(file.string(), "missing key " + name.substr(prefix.size()));
    if (it->second.sizes() != p.sizes()) throw input_error(file.string(), "key " + it->first + " has another shape than this run's");
    p.copy_(it->second);
  }
  if (state.size() != mine.size()) throw input_error(file.string(), "holds other tensors than this run trains");
}

// The base's files linked into the output (not the ones this run writes), so that OUTPUT is a model folder.
void link_base_files(const fs::path& base, const fs::path& out, bool guider_trained) {
  std::error_code ec;
  const fs::path abs = fs::absolute(base, ec);
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == kAdapterFile || name == "train_log.jsonl" || name.rfind("checkpoint-", 0) == 0 || name[0] == '.' ||
        (guider_trained && (name == "pose_guider" || name == "pose_guider.pth")))
      continue;
    const fs::path link = out / name;
    if (fs::is_symlink(link, ec) || fs::exists(link, ec)) fs::remove_all(link, ec);
    fs::create_symlink(abs / name, link, ec);
    if (ec) throw output_error(link.string(), "cannot link the base model's file: " + ec.message());
  }
}

// OUT/pose_guider/ (config.json + diffusion_pytorch_model.safetensors): the trained guider, whole.
void write_pose_guider(const render::diffusion::PoseGuider& guider, const fs::path& out) {
  const fs::path dir = out / "pose_guider";
  std::error_code ec;
  if (fs::is_symlink(dir, ec)) fs::remove(dir, ec);
  fs::remove(out / "pose_guider.pth", ec);
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) throw output_error(dir.string(), "cannot create the folder");
  TensorMap state;
  for (const auto& item : guider->named_parameters(true)) state[item.key()] = item.value().detach().to(torch::kCPU, torch::kFloat);
  for (const auto& item : guider->named_buffers(true))
    state[item.key()] = item.value().is_floating_point() ? item.value().to(torch::kCPU, torch::kFloat) : item.value().to(torch::kCPU);
  save_safetensors(dir / "diffusion_pytorch_model.safetensors", state);
  const json config = {{"_class_name", "PoseGuider"},
                       {"noise_latent_channels", guider->config().noise_latent_channels},
                       {"use_ca", guider->config().use_ca}};
  write_text_file_atomic(dir / "config.json", config.dump(1) + "\n");
}

struct Sample {
  int clip = 0, frame = 0, reference = 0;
  uint64_t seed = 0;  // its timestep, noise and drops
};

}  // namespace

void check_render_train_options(const RenderTrainOptions& o) {
  check_train_loop_options(o, "train render");
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw usage_error(what);
  };
  need(std::isfinite(o.au_drop) && o.au_drop >= 0 && o.au_drop <= 1, "--au-drop must be in [0, 1]");
  need(std::isfinite(o.reference_drop) && o.reference_drop >= 0 && o.reference_drop <= 1, "--reference-drop must be in [0, 1]");
  need(o.au_tokens >= 1 && o.au_tokens <= 64, "--au-tokens must be in [1, 64]");
  need(o.au_hidden >= 1 && o.au_hidden <= 8192, "--au-hidden must be in [1, 8192]");
  need(o.device == "auto" || o.device == "cpu" || o.device == "cuda", "--device must be auto, cpu or cuda");
}

RenderTrainReport train_render(const RenderTrainOptions& o, const std::function<void(const RenderTrainLogEntry&)>& on_step) {
  check_render_train_options(o);
  // Several processes (WORLD_SIZE > 1): each takes a share of every step's frames; rank 0 writes.
  const std::unique_ptr<DataParallel> group = DataParallel::from_environment();
  const int64_t world = group ? group->world() : 1, rank = group ? group->rank() : 0;
  const bool writer = rank == 0;
  std::error_code ec;
  if (fs::exists(o.model_dir, ec) && fs::exists(o.output_dir, ec) && fs::equivalent(o.model_dir, o.output_dir, ec))
    throw usage_error("-o must not be the base model's folder");
  const RenderFrameSet set(o.data);

  render::diffusion::DiffusionModels m = render::diffusion::load_diffusion_models(o.model_dir);
  render::diffusion::place_models(m, o.device, "fp32");
  const int64_t vae_factor = render::diffusion::vae_factor(m);
  const int64_t down = int64_t{1} << (m.denoising_unet->config().block_out_channels.size() - 1);
  const int64_t latent = set.size() / vae_factor;
  if (set.size() % vae_factor != 0 || latent % down != 0)
    throw usage_error(o.data.string() + ": frames of " + std::to_string(set.size()) + " px are not a multiple of " +
                      std::to_string(vae_factor * down) + " px (the VAE's and the UNet's downsampling); write the set with another --stage2-size");
  fs::create_directories(o.output_dir, ec);
  if (!fs::is_directory(o.output_dir)) throw output_error(o.output_dir.string(), "cannot create the output folder");

  torch::manual_seed(o.seed);
  render::diffusion::UNetConditionModel unet =
      m.denoising_unet->has_au_adapter() ? m.denoising_unet
                                         : render::diffusion::with_new_au_adapter(m.denoising_unet, kNumAus, o.au_tokens, o.au_hidden);
  const torch::ScalarType dtype = train_dtype(o.precision);
  {  // the frozen encoders run without gradients, in the run's dtype
    torch::NoGradGuard no_grad;
    m.vae->to(dtype);
    m.reference_unet->to(dtype);
    if (m.image_encoder) m.image_encoder->to(dtype);
  }
  AuAdapterTrainerOptions topt;
  topt.au_drop = o.au_drop;
  topt.reference_drop = o.reference_drop;
  topt.seed = o.seed;
  topt.precision = o.precision;
  topt.pose_guider = m.pose_guider;
  topt.train_pose_guider = o.train_pose_guider;
  AuAdapterTrainer trainer(unet, m.scheduler, o.adamw, topt);
  if (group) {  // the same seed made the same adapter everywhere; rank 0's values make sure of it
    std::vector<torch::Tensor> values;
    for (const auto& [name, p] : trainer.parameters()) values.push_back(p.detach());
    group->broadcast(values);
  }

  const int64_t n = set.frames();
  const int64_t per_step = o.batch_size * o.grad_accum * world;  // the global batch
  const int64_t total = o.total_steps(n, per_step);
  const int64_t warmup = o.warmup(total);
  const json fingerprint = {{"frames", n},
                            {"data_hash", set.fingerprint()},
                            {"batch_size", o.batch_size},
                            {"grad_accum", o.grad_accum},
                            {"total_steps", total},
                            {"seed", o.seed},
                            {"precision", train_precision_name(o.precision)},
                            {"lr", o.adamw.lr},
                            {"au_drop", o.au_drop},
                            {"reference_drop", o.reference_drop},
                            {"train_pose_guider", o.train_pose_guider},
                            {"au_tokens", unet->config().au_tokens},
                            {"au_hidden", unet->config().au_hidden},
                            {"world_size", world}};

  RenderTrainReport report;
  for (const auto& [name, p] : trainer.parameters()) {
    report.trained_parameters += p.numel();
    if (name.rfind("pose_guider.", 0) != 0) report.adapter_parameters += p.numel();
  }
  int64_t start = 0;
  const fs::path resume =
      o.resume.empty() ? fs::path()
                       : resume_checkpoint(o.resume, o.output_dir, {kAdapterFile}, "train render");
  if (!resume.empty()) {
    const TrainingState state = load_training_state(resume, fingerprint, "train render", [&](auto& archive, const std::string& source) {
      trainer.load_state(archive, source);
    });
    start = state.step;
    report.log = resumed_log(state, total, resume);
    load_trained(trainer, resume / kAdapterFile, false);
    if (o.train_pose_guider) load_trained(trainer, resume / kGuiderFile, true);
  }
  report.first_step = start;

  auto save_checkpoint = [&](int64_t step) {
    publish_checkpoint(o.output_dir, step, o.keep_checkpoints, [&](const fs::path& tmp) {
      save_safetensors(tmp / kAdapterFile, trained_tensors(trainer, false), {{"format", "auhead.au_adapter/1"}});
      if (o.train_pose_guider) save_safetensors(tmp / kGuiderFile, trained_tensors(trainer, true));
      json history = json::array();
      for (const auto& e : report.log) history.push_back(log_json(e));
      save_training_state(tmp, step, fingerprint, history, [&](auto& archive) { trainer.save_state(archive); });
    });
  };

  std::ofstream log_file;
  if (writer) log_file = open_train_log(o.output_dir, report.log);

  const auto device = m.vae->parameters().front().device();
  const int64_t width = unet->config().cross_attention_dim, pose_size = latent * 8;
  const double scaling = m.vae->config().scaling_factor;
  // Frames (N, 3, S, S) in [0, 1] -> latents, without gradients, in the run's dtype.
  auto encode = [&](const torch::Tensor& images01) {
    return m.vae->encode((images01 * 2 - 1).to(device, dtype)).mean * scaling;
  };
  Progress progress("training", total);
  progress.set(start);
  const auto run_start = std::chrono::steady_clock::now();
  StepSamples order(n, per_step, o.seed);
  for (int64_t step = start; step < total; ++step) {
    const auto [epoch, begin, end] = order.slice(step);
    const auto t0 = std::chrono::steady_clock::now();
    // This process's share of the step's samples (a contiguous slice of ceil(samples / world)), each
    // with a reference frame of its clip and its noise drawn from (seed, step, place in the step), so
    // that a sample trains alike whichever process takes it.
    const int64_t share = (end - begin + world - 1) / world;
    const int64_t mine = std::min(end, begin + rank * share), mine_end = std::min(end, mine + share);
    std::vector<Sample> samples;
    for (int64_t i = mine; i < mine_end; ++i) {
      const auto [clip, frame] = set.locate(order.at(i));
      std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ull ^ (uint64_t(step) << 20) ^ uint64_t(i - begin));
      samples.push_back({clip, frame, int(rng() % uint64_t(set.clip_frames(clip))), rng()});
    }
    const double global = double(end - begin);
    double loss = 0;
    for (std::size_t b = 0; b < samples.size(); b += std::size_t(o.batch_size)) {
      const std::size_t e = std::min(samples.size(), b + std::size_t(o.batch_size));
      std::vector<torch::Tensor> targets, references, poses, aus;
      AuAdapterBatch batch;
      for (std::size_t i = b; i < e; ++i) {
        RenderFrame f = set.frame(samples[i].clip, samples[i].frame);
        targets.push_back(f.image);
        poses.push_back(f.landmarks);
        aus.push_back(f.aus);
        batch.sample_seeds.push_back(samples[i].seed);
        references.push_back(set.frame(samples[i].clip, samples[i].reference).image);
      }
      const int64_t count = int64_t(e - b);
      render::diffusion::ReferenceBank bank;
      {
        torch::NoGradGuard no_grad;
        const torch::Tensor ref01 = torch::stack(references);
        batch.latents = encode(torch::stack(targets));
        const torch::Tensor ref_latents = encode(ref01);
        torch::Tensor embeds = m.image_encoder ? m.image_encoder
                                                     ->forward(render::diffusion::clip_normalize(ref01.to(device, dtype), m.image_encoder->config().image_size))
                                                     .image_embeds.unsqueeze(1)
                                               : torch::zeros({count, 1, width}, ref_latents.options());
        m.reference_unet->write_reference(ref_latents, torch::zeros({count}, ref_latents.options()), embeds, bank);
        batch.encoder_hidden_states = embeds;
        torch::Tensor pose = torch::stack(poses);
        if (pose.size(-1) != pose_size)
          pose = torch::nn::functional::interpolate(
              pose, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{pose_size, pose_size}).mode(torch::kBilinear).align_corners(false));
        batch.pose_images = pose.to(device);
      }
      batch.au = torch::stack(aus).to(device);
      batch.bank = &bank;
      loss += trainer.accumulate(batch, double(count) / global) * double(count);
    }
    if (group) {  // every process then holds the global batch's gradients and takes the same step
      trainer.sum_gradients(*group);
      loss = group->sum(loss);
    }
    const double lr = warmup_cosine_lr(o.adamw.lr, step, warmup, total);
    RenderTrainLogEntry entry;
    entry.grad_norm = trainer.apply(lr);
    entry.skipped = std::isnan(entry.grad_norm);
    entry.step = step + 1;
    entry.total_steps = total;
    entry.epoch = double(epoch) + double(end) / double(n);
    entry.loss = loss / global;
    entry.lr = lr;
    entry.samples = end - begin;
    entry.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!std::isfinite(entry.loss))
      throw Error(ExitCode::bad_input, o.data.string() + ": the loss became " + std::to_string(entry.loss) + " at step " +
                                           std::to_string(entry.step) + " (lower --lr, or use bf16 rather than fp16)");
    report.log.push_back(entry);
    report.steps += 1;
    report.samples += entry.samples;
    if (writer) log_file << log_json(entry).dump() << "\n" << std::flush;
    if (on_step && writer) on_step(entry);
    progress.advance();
    if (writer && o.save_every > 0 && (step + 1) % o.save_every == 0 && step + 1 < total) save_checkpoint(step + 1);
  }
  progress.finish();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  if (!writer) {
    group->barrier();  // rank 0 has written the checkpoint and the model folder
    return report;
  }
  if (start < total || checkpoints_in(o.output_dir).empty()) save_checkpoint(total);

  // The model folder: the base's files, the trained adapter (and guider).
  link_base_files(o.model_dir, o.output_dir, o.train_pose_guider);
  save_safetensors(o.output_dir / kAdapterFile, trained_tensors(trainer, false), {{"format", "auhead.au_adapter/1"}});
  if (o.train_pose_guider) write_pose_guider(m.pose_guider, o.output_dir);
  if (group) group->barrier();
  return report;
}

}  // namespace auhead::train
