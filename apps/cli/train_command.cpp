// `auhead train alm`: LoRA fine-tuning of the Stage 1 audio-language model; `auhead train render`: the
// diffusion renderer's AU adapter (README "Training").
#include <cstdio>

#include "auhead/error.h"
#include "auhead/training.h"
#include "command.h"

namespace auhead::cli {
namespace {

struct TrainAlmArgs {
  train::AlmTrainOptions o;
  std::string model, data, adapter, precision = "fp32", targets = "q_proj,v_proj";
  int64_t log_every = 10;
};

struct TrainRenderArgs {
  train::RenderTrainOptions o;
  std::string model, data, precision = "fp32";
  int64_t log_every = 10;
};

// The options of train::TrainLoopOptions, shared by every `train` command; `unit` is what a sample is.
void add_train_loop_options(CLI::App* cmd, train::TrainLoopOptions& o, std::string& precision, int64_t& log_every,
                            const std::string& unit) {
  cmd->add_option("-o,--output", o.output_dir, "output folder: checkpoints, train_log.jsonl, what the run trains")->required();
  cmd->add_option("--resume", o.resume, "go on from a checkpoint: 'latest' (of -o) or a checkpoint-N folder");
  cmd->add_option("--epochs", o.epochs, "passes over the data")->check(finite_range(1, 100000))->capture_default_str();
  cmd->add_option("--max-steps", o.max_steps, "optimizer steps (overrides --epochs; 0: from the epochs)")->check(finite_range(0, 1e8))->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, unit + " per micro-batch")->check(finite_range(1, 4096))->capture_default_str();
  cmd->add_option("--grad-accum", o.grad_accum, "micro-batches per optimizer step")->check(finite_range(1, 65536))->capture_default_str();
  cmd->add_option("--lr", o.adamw.lr, "peak learning rate")->check(finite_range(1e-12, 1))->capture_default_str();
  cmd->add_option("--warmup-steps", o.warmup_steps, "linear warm-up steps (default: --warmup-ratio of the steps)")->check(finite_range(0, 1e8));
  cmd->add_option("--warmup-ratio", o.warmup_ratio, "warm-up as a share of the steps")->check(finite_range(0, 1))->capture_default_str();
  cmd->add_option("--weight-decay", o.adamw.weight_decay, "AdamW decoupled weight decay")->check(finite_range(0, 10))->capture_default_str();
  cmd->add_option("--max-grad-norm", o.adamw.max_grad_norm, "clip the global gradient norm (0: no clipping)")->check(finite_range(0, 1e6))->capture_default_str();
  cmd->add_option("--precision", precision, "fp32, bf16 or fp16 (frozen weights; the trained ones and the optimizer stay fp32)")->capture_default_str();
  cmd->add_option("--save-every", o.save_every, "write a checkpoint every N steps (0: at the end only)")->check(finite_range(0, 1e8))->capture_default_str();
  cmd->add_option("--keep-checkpoints", o.keep_checkpoints, "checkpoints kept (older ones are removed)")->check(finite_range(1, 1000))->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the run's initialisation, shuffling and random draws")->capture_default_str();
  cmd->add_option("--log-every", log_every, "print the loss every N steps (0: never)")->check(finite_range(0, 1e8))->capture_default_str();
}

// The line a step prints (every --log-every steps and the last), unless --quiet.
void print_step(const GlobalOptions& global, int64_t log_every, int64_t step, int64_t total, double epoch, double loss,
                double grad_norm, double lr, bool skipped) {
  if (global.quiet || log_every <= 0 || (step % log_every != 0 && step != total)) return;
  std::fprintf(stderr, "\rauhead: step %lld/%lld  epoch %.2f  loss %.4f  grad-norm %.3g  lr %.3g%s\n", (long long)step,
               (long long)total, epoch, loss, grad_norm, lr, skipped ? "  (skipped: fp16 overflow)" : "");
}

// `train render`'s options and what it does.
void add_train_render(CLI::App* train, const GlobalOptions& global) {
  auto a = std::make_shared<TrainRenderArgs>();
  auto& o = a->o;
  o.adamw.lr = 1e-4;
  auto* cmd = train->add_subcommand("render", "train the diffusion renderer's AU adapter on a frozen AniPortrait-class base");
  cmd->add_option("--model", a->model, "base model: a diffusion model folder (as --render-model takes)")->required();
  cmd->add_option("--data", a->data, "Stage 2 frames: a dataset folder written with `auhead dataset --stage2-size S`")->required();
  add_train_loop_options(cmd, o, a->precision, a->log_every, "frames");
  cmd->add_option("--device", o.device, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--au-drop", o.au_drop, "share of frames trained without their AUs (the guidance's AU-free branch)")->check(finite_range(0, 1))->capture_default_str();
  cmd->add_option("--reference-drop", o.reference_drop, "share of frames trained without their reference image")->check(finite_range(0, 1))->capture_default_str();
  cmd->add_flag("--train-guider", o.train_pose_guider, "train the pose guider's weights too");
  cmd->add_option("--au-tokens", o.au_tokens, "a new adapter's AU tokens per frame")->check(finite_range(1, 64))->capture_default_str();
  cmd->add_option("--au-hidden", o.au_hidden, "a new adapter's AU encoder width")->check(finite_range(1, 8192))->capture_default_str();
  cmd->callback([a, &global] {
    auto& o = a->o;
    o.model_dir = a->model;
    o.data = a->data;
    o.precision = train::parse_train_precision(a->precision);
    const train::RenderTrainReport r = train::train_render(o, [&](const train::RenderTrainLogEntry& e) {
      print_step(global, a->log_every, e.step, e.total_steps, e.epoch, e.loss, e.grad_norm, e.lr, e.skipped);
    });
    if (!global.quiet && r.seconds > 0)
      std::fprintf(stderr, "auhead: trained %lld steps in %.1f s (%.2f frames/s, %lld trained parameters); model in %s\n",
                   (long long)r.steps, r.seconds, double(r.samples) / r.seconds, (long long)r.trained_parameters,
                   printable(o.output_dir.string()).c_str());
  });
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    const std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

CommandRegistration reg(80, [](CLI::App& app, const GlobalOptions& global) {
  auto* train = app.add_subcommand("train", "train the paper's models: `train alm` (LoRA on the Stage 1 ALM), `train render` (the AU adapter of Stage 2)");
  train->require_subcommand(1);
  auto a = std::make_shared<TrainAlmArgs>();
  auto& o = a->o;
  auto* cmd = train->add_subcommand("alm", "LoRA fine-tuning of a Qwen2-Audio-layout model on a chat JSONL");
  cmd->add_option("--model", a->model, "base model: a Hugging Face Qwen2-Audio folder")->required();
  cmd->add_option("--data", a->data, "training samples: chat JSONL (README \"Training\")")->required();
  add_train_loop_options(cmd, o, a->precision, a->log_every, "samples");
  cmd->add_option("--adapter", a->adapter, "go on training this PEFT adapter folder (its r, alpha and targets)");
  cmd->add_option("--lora-r", o.lora.r, "LoRA rank")->check(finite_range(1, 4096))->capture_default_str();
  cmd->add_option("--lora-alpha", o.lora.alpha, "LoRA alpha (scale alpha / r)")->check(finite_range(-1e6, 1e6))->capture_default_str();
  cmd->add_option("--lora-dropout", o.lora.dropout, "dropout on the adapter's input")->check(finite_range(0, 0.999))->capture_default_str();
  cmd->add_flag("--rslora", o.lora.rslora, "scale alpha / sqrt(r) (rank-stabilised LoRA)");
  cmd->add_option("--target", a->targets, "decoder projections that get an adapter, comma-separated "
                                          "(q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj)")->capture_default_str();
  cmd->add_flag("--gradient-checkpointing", o.gradient_checkpointing, "recompute decoder activations in backward (less memory)");
  cmd->add_option("--max-tokens", o.max_tokens, "longest sample, prompt and answer (tokens)")->check(finite_range(16, 1 << 20))->capture_default_str();
  add_train_render(train, global);
  cmd->callback([a, &global] {
    auto& o = a->o;
    o.model_dir = a->model;
    o.data_file = a->data;
    o.adapter = a->adapter;
    o.precision = train::parse_train_precision(a->precision);
    o.lora.targets = split_commas(a->targets);
    const train::AlmTrainReport r = train::train_alm(o, [&](const train::AlmTrainLogEntry& e) {
      print_step(global, a->log_every, e.step, e.total_steps, e.epoch, e.loss, e.grad_norm, e.lr, e.skipped);
    });
    if (!global.quiet && r.seconds > 0)
      std::fprintf(stderr, "auhead: trained %lld steps in %.1f s (%.2f samples/s, %.0f answer tokens/s); adapter in %s\n",
                   (long long)r.steps, r.seconds, double(r.samples) / r.seconds, double(r.tokens) / r.seconds,
                   printable(o.output_dir.string()).c_str());
  });
});

}  // namespace
}  // namespace auhead::cli
