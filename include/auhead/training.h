// Training the paper's two learned models (`auhead train alm`, `auhead train render`), in libtorch:
// LoRA fine-tuning of a Qwen2-Audio-layout Stage 1 model on a chat JSONL (auhead/dataset.h writes one),
// and the AU adapter of the Stage 2 diffusion renderer on a frozen AniPortrait-class base. Both share
// one loop: shuffled epochs, micro-batches with gradient accumulation, warm-up + cosine learning rate,
// AdamW with global-norm clipping, fp32/bf16/fp16, and checkpoints that resume exactly. Their outputs
// load back with --au-model / --render-model. A run uses the calling thread; runs in parallel need
// separate output folders.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace auhead::train {

// fp32: everything in float32. bf16 / fp16: the frozen weights in that dtype; the trained ones, their
// gradients and the optimizer in float32 (master weights); fp16 adds dynamic loss scaling.
enum class TrainPrecision { fp32, bf16, fp16 };
TrainPrecision parse_train_precision(const std::string& name);  // fp32 | bf16 | fp16, else usage error
const char* train_precision_name(TrainPrecision p);

// AdamW (decoupled weight decay, as torch.optim.AdamW) with global-norm gradient clipping.
struct AdamWSettings {
  double lr = 1e-4;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.01;
  double max_grad_norm = 1.0;  // ≤ 0: no clipping
};

// The options every training run shares: where it writes and resumes, the optimizer, precision,
// length (epochs or steps), batching, warm-up and checkpointing.
struct TrainLoopOptions {
  std::filesystem::path output_dir;  // checkpoints, log and what the run trains
  std::string resume;                // optional: "latest" or a checkpoint folder of output_dir
  AdamWSettings adamw;               // adamw.lr is the peak rate
  TrainPrecision precision = TrainPrecision::fp32;
  int64_t epochs = 3;
  int64_t max_steps = 0;             // > 0: this many optimizer steps, whatever `epochs` says
  int64_t batch_size = 1;            // samples per micro-batch
  int64_t grad_accum = 1;            // micro-batches per optimizer step
  int64_t warmup_steps = -1;         // < 0: warmup_ratio of the steps, rounded up
  double warmup_ratio = 0.03;
  int64_t save_every = 0;            // > 0: a checkpoint every this many steps (and always at the end)
  int64_t keep_checkpoints = 2;      // older checkpoints are removed
  uint64_t seed = 42;

  // The run's optimizer steps for `samples` samples in global batches of `per_step`, and its warm-up.
  int64_t total_steps(int64_t samples, int64_t per_step) const;
  int64_t warmup(int64_t total) const;
};

// Checks the ranges of the shared options (a usage error naming the option); `command` ("train alm")
// names the command in the message for a missing -o.
void check_train_loop_options(const TrainLoopOptions& o, const std::string& command);

// One optimizer step of a run, as its log (train_log.jsonl, trainer_state.json) records it.
struct TrainLogEntry {
  int64_t step = 0, total_steps = 0;  // step counts from 1
  double epoch = 0, loss = 0, grad_norm = 0, lr = 0;  // grad_norm: NaN for a skipped step
  int64_t tokens = 0;                 // answer tokens (0: a run without tokens)
  int64_t samples = 0;
  double seconds = 0;                 // this step's wall time
  bool skipped = false;               // fp16: the gradients overflowed and no update was made
};

// ---- Stage 1: LoRA on the ALM ----

struct LoraSpec {
  int64_t r = 8;
  double alpha = 16;
  double dropout = 0.05;
  bool rslora = false;  // scale alpha / √r instead of alpha / r
  // Module names (their last component: q_proj, v_proj, ...) that get an adapter.
  std::vector<std::string> targets{"q_proj", "v_proj"};
  double scale() const;
};

// Checks a spec (r in [1, 4096], |alpha| ≤ 1e6, dropout in [0, 1), known target names); a bad value
// is a usage error naming the option.
void check_lora_spec(const LoraSpec& spec);

struct AlmTrainOptions : TrainLoopOptions {
  std::filesystem::path model_dir;   // the base: a Hugging Face Qwen2-Audio folder without an adapter
  std::filesystem::path data_file;   // chat JSONL
  std::filesystem::path adapter;     // optional: a PEFT adapter to go on training (its r, alpha, targets)
  LoraSpec lora;
  bool gradient_checkpointing = false;
  int64_t max_tokens = 4096;
};

// Checks the ranges of every option (a usage error naming the option).
void check_alm_train_options(const AlmTrainOptions& o);

using AlmTrainLogEntry = TrainLogEntry;

struct AlmTrainReport {
  int64_t first_step = 0;  // > 0 when resumed: the steps before it came from a checkpoint
  int64_t steps = 0, samples = 0, tokens = 0;  // what this run trained
  double seconds = 0;
  std::vector<AlmTrainLogEntry> log;           // every step, the resumed ones included
};

// Trains; `on_step` sees each step as it ends. OUTPUT gets checkpoint-N/ folders (adapter, trainer
// state, optimizer state, random state), train_log.jsonl (a line per step), and at the end the adapter
// (adapter_config.json + adapter_model.safetensors) beside links to the base model's files and an
// auhead_alm.json with the training prompt, so that `--au-model OUTPUT` runs the fine-tuned model.
AlmTrainReport train_alm(const AlmTrainOptions& options, const std::function<void(const AlmTrainLogEntry&)>& on_step = {});

// ---- Stage 2: the AU adapter of the diffusion renderer ----

struct RenderTrainOptions : TrainLoopOptions {
  RenderTrainOptions() { epochs = 1; }
  std::filesystem::path model_dir;   // the base: a diffusion model folder (as --render-model takes)
  std::filesystem::path data;        // a dataset folder with stage2/ (or stage2/ itself, or a clip index)
  std::string device = "auto";       // auto | cpu | cuda
  double au_drop = 0.1;              // share of samples trained without their AUs
  double reference_drop = 0.1;       // share trained without their reference (and image embedding)
  bool train_pose_guider = false;
  int64_t au_tokens = 4, au_hidden = 256;  // a new adapter's shape (a base that has one keeps its own)
};

// Checks the ranges of every option (a usage error naming the option).
void check_render_train_options(const RenderTrainOptions& o);

using RenderTrainLogEntry = TrainLogEntry;

struct RenderTrainReport {
  int64_t first_step = 0;  // > 0 when resumed
  int64_t steps = 0, samples = 0;
  int64_t adapter_parameters = 0, trained_parameters = 0;
  double seconds = 0;
  std::vector<RenderTrainLogEntry> log;  // every step, the resumed ones included
};

// Trains; `on_step` sees each step as it ends. A sample is one frame: its face crop (the target), another
// frame of the same clip drawn at random (the reference, through the ReferenceNet and the image
// encoder), its landmark image (the pose guider) and its AUs. OUTPUT gets checkpoint-N/ folders,
// train_log.jsonl, and at the end au_adapter.safetensors (+ pose_guider/ when trained) beside links to
// the base's other files.
RenderTrainReport train_render(const RenderTrainOptions& options,
                               const std::function<void(const RenderTrainLogEntry&)>& on_step = {});

}  // namespace auhead::train
