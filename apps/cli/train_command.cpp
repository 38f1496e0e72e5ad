// `auhead train alm`: LoRA fine-tuning of the Stage 1 audio-language model (README "Training").
#include <cstdio>

#include "auhead/error.h"
#include "command.h"
#include "train/alm_training_run.h"

namespace auhead::cli {
namespace {

struct TrainAlmArgs {
  train::AlmTrainOptions o;
  std::string model, data, out, adapter, precision = "fp32", targets = "q_proj,v_proj";
  int64_t log_every = 10;
};

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
  auto* train = app.add_subcommand("train", "train the paper's models: `train alm` (LoRA on the Stage 1 ALM)");
  train->require_subcommand(1);
  auto a = std::make_shared<TrainAlmArgs>();
  auto& o = a->o;
  auto* cmd = train->add_subcommand("alm", "LoRA fine-tuning of a Qwen2-Audio-layout model on a chat JSONL");
  cmd->add_option("--model", a->model, "base model: a Hugging Face Qwen2-Audio folder")->required();
  cmd->add_option("--data", a->data, "training samples: chat JSONL (README \"Training\")")->required();
  cmd->add_option("-o,--output", a->out, "output folder: checkpoints, train_log.jsonl, the final adapter")->required();
  cmd->add_option("--adapter", a->adapter, "go on training this PEFT adapter folder (its r, alpha and targets)");
  cmd->add_option("--resume", o.resume, "go on from a checkpoint: 'latest' (of -o) or a checkpoint-N folder");
  cmd->add_option("--lora-r", o.lora.r, "LoRA rank")->check(finite_range(1, 4096))->capture_default_str();
  cmd->add_option("--lora-alpha", o.lora.alpha, "LoRA alpha (scale alpha / r)")->check(finite_range(-1e6, 1e6))->capture_default_str();
  cmd->add_option("--lora-dropout", o.lora.dropout, "dropout on the adapter's input")->check(finite_range(0, 0.999))->capture_default_str();
  cmd->add_flag("--rslora", o.lora.rslora, "scale alpha / sqrt(r) (rank-stabilised LoRA)");
  cmd->add_option("--target", a->targets, "decoder projections that get an adapter, comma-separated "
                                          "(q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj)")->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "passes over the data")->check(finite_range(1, 100000))->capture_default_str();
  cmd->add_option("--max-steps", o.max_steps, "optimizer steps (overrides --epochs; 0: from the epochs)")->check(finite_range(0, 1e8))->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, "samples per micro-batch")->check(finite_range(1, 4096))->capture_default_str();
  cmd->add_option("--grad-accum", o.grad_accum, "micro-batches per optimizer step")->check(finite_range(1, 65536))->capture_default_str();
  cmd->add_option("--lr", o.adamw.lr, "peak learning rate")->check(finite_range(1e-12, 1))->capture_default_str();
  cmd->add_option("--warmup-steps", o.warmup_steps, "linear warm-up steps (default: --warmup-ratio of the steps)")->check(finite_range(0, 1e8));
  cmd->add_option("--warmup-ratio", o.warmup_ratio, "warm-up as a share of the steps")->check(finite_range(0, 1))->capture_default_str();
  cmd->add_option("--weight-decay", o.adamw.weight_decay, "AdamW decoupled weight decay")->check(finite_range(0, 10))->capture_default_str();
  cmd->add_option("--max-grad-norm", o.adamw.max_grad_norm, "clip the global gradient norm (0: no clipping)")->check(finite_range(0, 1e6))->capture_default_str();
  cmd->add_option("--precision", a->precision, "fp32, bf16 or fp16 (base weights; LoRA and optimizer stay fp32)")->capture_default_str();
  cmd->add_flag("--gradient-checkpointing", o.gradient_checkpointing, "recompute decoder activations in backward (less memory)");
  cmd->add_option("--save-every", o.save_every, "write a checkpoint every N steps (0: at the end only)")->check(finite_range(0, 1e8))->capture_default_str();
  cmd->add_option("--keep-checkpoints", o.keep_checkpoints, "checkpoints kept (older ones are removed)")->check(finite_range(1, 1000))->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the adapter's initialisation, the shuffling and the dropout")->capture_default_str();
  cmd->add_option("--max-tokens", o.max_tokens, "longest sample, prompt and answer (tokens)")->check(finite_range(16, 1 << 20))->capture_default_str();
  cmd->add_option("--log-every", a->log_every, "print the loss every N steps (0: never)")->check(finite_range(0, 1e8))->capture_default_str();
  cmd->callback([a, &global] {
    auto& o = a->o;
    o.model_dir = a->model;
    o.data_file = a->data;
    o.output_dir = a->out;
    o.adapter = a->adapter;
    o.precision = train::parse_train_precision(a->precision);
    o.lora.targets = split_commas(a->targets);
    const train::AlmTrainReport r = train::train_alm(o, [&](const train::AlmTrainLogEntry& e) {
      if (global.quiet || a->log_every <= 0 || (e.step % a->log_every != 0 && e.step != e.total_steps)) return;
      std::fprintf(stderr, "\rauhead: step %lld/%lld  epoch %.2f  loss %.4f  grad-norm %.3g  lr %.3g%s\n",
                   (long long)e.step, (long long)e.total_steps, e.epoch, e.loss, e.grad_norm, e.lr,
                   e.skipped ? "  (skipped: fp16 overflow)" : "");
    });
    if (!global.quiet && r.seconds > 0)
      std::fprintf(stderr, "auhead: trained %lld steps in %.1f s (%.2f samples/s, %.0f answer tokens/s); adapter in %s\n",
                   (long long)r.steps, r.seconds, double(r.samples) / r.seconds, double(r.tokens) / r.seconds,
                   printable(a->out).c_str());
  });
});

}  // namespace
}  // namespace auhead::cli
