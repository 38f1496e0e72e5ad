#include "auhead/training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "audio2au/alm/alm_model_dir.h"
#include "auhead/au.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "core/progress.h"
#include "train/alm_chat_dataset.h"
#include "train/alm_lora_trainer.h"
#include "train/checkpoint_folders.h"
#include "train/data_parallel.h"
#include "train/lora_adapter.h"
#include "train/lr_schedule.h"

namespace auhead::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What a resumed run must share with the run that wrote the checkpoint.
json run_fingerprint(const AlmTrainOptions& o, const LoraSpec& spec, int64_t samples, const std::string& data_hash,
                     int64_t total_steps) {
  return {{"samples", samples},
          {"data_hash", data_hash},
          {"batch_size", o.batch_size},
          {"grad_accum", o.grad_accum},
          {"total_steps", total_steps},
          {"seed", o.seed},
          {"precision", train_precision_name(o.precision)},
          {"lora_r", spec.r},
          {"lora_alpha", spec.alpha},
          {"lora_targets", spec.targets},
          {"lr", o.adamw.lr}};
}

void write_checkpoint(const fs::path& out, int64_t step, AlmLoraTrainer& trainer, const LoraSpec& spec,
                      const std::string& base_model, const json& fingerprint, const std::vector<AlmTrainLogEntry>& log,
                      int64_t keep) {
  publish_checkpoint(out, step, keep, [&](const fs::path& tmp) {
    save_peft_adapter(*trainer.model(), spec, tmp, base_model);
    json history = json::array();
    for (const auto& e : log) history.push_back(log_json(e));
    save_training_state(tmp, step, fingerprint, history, [&](auto& archive) { trainer.save_state(archive); });
  });
}

// The base model's files, linked into the output so that `--au-model OUTPUT` is the fine-tuned model.
void link_base_files(const fs::path& base, const fs::path& out) {
  std::error_code ec;
  const fs::path abs = fs::absolute(base, ec);
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    const bool wanted = name == "config.json" || name == "generation_config.json" || name == "tokenizer.json" ||
                        name == "tokenizer_config.json" || name == "vocab.json" || name == "merges.txt" ||
                        name == "special_tokens_map.json" || name == "preprocessor_config.json" ||
                        name == "model.safetensors.index.json" ||
                        (name.rfind("model", 0) == 0 && name.size() > 12 && name.substr(name.size() - 12) == ".safetensors");
    if (!wanted || !entry.is_regular_file()) continue;
    const fs::path link = out / name;
    fs::remove(link, ec);
    fs::create_symlink(abs / name, link, ec);
    if (ec) throw output_error(link.string(), "cannot link the base model's file: " + ec.message());
  }
}

}  // namespace

void check_alm_train_options(const AlmTrainOptions& o) {
  check_lora_spec(o.lora);
  check_train_loop_options(o, "train alm");
  if (!(o.max_tokens >= 16 && o.max_tokens <= 1 << 20)) throw usage_error("--max-tokens must be in [16, 1048576]");
}

AlmTrainReport train_alm(const AlmTrainOptions& o, const std::function<void(const AlmTrainLogEntry&)>& on_step) {
  check_alm_train_options(o);
  // Several processes (WORLD_SIZE > 1): each takes a share of every step's samples; rank 0 writes.
  const std::unique_ptr<DataParallel> group = DataParallel::from_environment();
  const int64_t world = group ? group->world() : 1;
  const bool writer = !group || group->rank() == 0;
  std::error_code ec;
  if (fs::exists(o.model_dir, ec) && fs::exists(o.output_dir, ec) && fs::equivalent(o.model_dir, o.output_dir, ec))
    throw usage_error("-o must not be the base model's folder");
  const std::vector<AlmChatSample> samples = read_alm_chat_jsonl(o.data_file);
  const std::string data_hash = fnv1a_hex(o.data_file);

  audio2au::alm::AlmModel loaded = audio2au::alm::load_alm_model_dir(o.model_dir, /*merge_adapter=*/false);
  if (!loaded.adapter_dir.empty())
    throw usage_error(o.model_dir.string() + " holds a LoRA adapter: give the base model's folder, and the adapter with --adapter to go on training it");
  fs::create_directories(o.output_dir, ec);
  if (!fs::is_directory(o.output_dir)) throw output_error(o.output_dir.string(), "cannot create the output folder");

  const fs::path resume = o.resume.empty() ? fs::path()
                                          : resume_checkpoint(o.resume, o.output_dir, {"adapter_config.json"}, "train alm");
  torch::manual_seed(o.seed);
  LoraSpec spec = o.lora;
  if (!resume.empty()) {
    spec = load_lora_adapter(*loaded.model, resume);
  } else if (!o.adapter.empty()) {
    spec = load_lora_adapter(*loaded.model, o.adapter);
  } else {
    attach_lora(*loaded.model, spec);
  }

  const int64_t n = int64_t(samples.size());
  const int64_t per_step = o.batch_size * o.grad_accum * world;  // the global batch
  const int64_t total = o.total_steps(n, per_step);
  const int64_t warmup = o.warmup(total);
  json fingerprint = run_fingerprint(o, o.lora, n, data_hash, total);
  fingerprint["world_size"] = world;
  if (!o.adapter.empty()) {  // the adapter's own r, alpha and targets, whatever the --lora options say
    for (const char* k : {"lora_r", "lora_alpha", "lora_targets"}) fingerprint.erase(k);
    fingerprint["adapter"] = fs::absolute(o.adapter, ec).lexically_normal().string();
  }

  AlmLoraTrainer trainer(loaded.model, o.adamw, o.precision);
  loaded.model->language_model->set_gradient_checkpointing(o.gradient_checkpointing);
  if (group) {  // the same seed made the same adapter everywhere; rank 0's values make sure of it
    std::vector<torch::Tensor> values;
    for (const auto& [name, t] : trainer.parameters()) values.push_back(t);
    group->broadcast(values);
  }
  AlmTrainReport report;
  int64_t start = 0;
  if (!resume.empty()) {
    const TrainingState state = load_training_state(resume, fingerprint, "train alm", [&](auto& archive, const std::string& source) {
      trainer.load_state(archive, source);
    });
    start = state.step;
    report.log = resumed_log(state, total, resume);
  }
  report.first_step = start;

  audio2au::alm::BpeTokenizer& tokenizer = *loaded.tokenizer;
  int64_t pad_id = tokenizer.token_to_id("<|endoftext|>");
  if (pad_id < 0) pad_id = 0;
  AlmSampleEncoder encoder(loaded.model, tokenizer, o.max_tokens);
  // Encoded samples are kept while they fit 1 GiB: the frozen audio tower runs once per clip.
  std::unordered_map<int64_t, EncodedAlmSample> cache;
  int64_t cache_bytes = 0;
  auto encoded = [&](int64_t i) -> const EncodedAlmSample& {
    if (auto it = cache.find(i); it != cache.end()) return it->second;
    EncodedAlmSample e = encoder.encode(samples[std::size_t(i)]);
    const int64_t bytes = int64_t(e.audio_embeds.numel() * e.audio_embeds.element_size() + e.ids.size() * 16);
    if (cache_bytes + bytes <= (int64_t(1) << 30)) {
      cache_bytes += bytes;
      return cache.emplace(i, std::move(e)).first->second;
    }
    static thread_local EncodedAlmSample scratch;
    scratch = std::move(e);
    return scratch;
  };

  std::ofstream log_file;
  if (writer) log_file = open_train_log(o.output_dir, report.log);

  const std::string base_model = fs::absolute(o.model_dir, ec).lexically_normal().string();
  Progress progress("training", total);
  progress.set(start);
  const auto run_start = std::chrono::steady_clock::now();
  StepSamples order(n, per_step, o.seed);
  for (int64_t step = start; step < total; ++step) {
    const auto [epoch, begin, end] = order.slice(step);
    const auto t0 = std::chrono::steady_clock::now();
    // This process's share of the step's samples: a contiguous slice of ceil(samples / world).
    const int64_t share = (end - begin + world - 1) / world, rank = group ? group->rank() : 0;
    const int64_t mine = std::min(end, begin + rank * share), mine_end = std::min(end, mine + share);
    std::vector<AlmTrainBatch> micro;
    for (int64_t b = mine; b < mine_end; b += o.batch_size) {
      std::vector<std::vector<int64_t>> ids, labels;
      std::vector<torch::Tensor> audio;
      for (int64_t i = b; i < std::min(mine_end, b + o.batch_size); ++i) {
        const EncodedAlmSample& e = encoded(order.at(i));
        ids.push_back(e.ids);
        labels.push_back(e.labels);
        audio.push_back(e.audio_embeds);
      }
      micro.push_back(collate(ids, labels, std::move(audio), pad_id));
    }
    const double lr = warmup_cosine_lr(o.adamw.lr, step, warmup, total);
    const StepResult r = trainer.step(micro, lr, group.get());
    AlmTrainLogEntry e;
    e.step = step + 1;
    e.total_steps = total;
    e.epoch = double(epoch) + double(end) / double(n);
    e.loss = r.loss;
    e.grad_norm = r.grad_norm;
    e.lr = lr;
    e.tokens = r.tokens;
    e.samples = end - begin;
    e.skipped = r.skipped;
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!std::isfinite(e.loss))
      throw Error(ExitCode::bad_input, o.data_file.string() + ": the loss became " + std::to_string(e.loss) +
                                           " at step " + std::to_string(e.step) + " (lower --lr, or use bf16 rather than fp16)");
    report.log.push_back(e);
    report.steps += 1;
    report.samples += e.samples;
    report.tokens += e.tokens;
    if (writer) log_file << log_json(e).dump() << "\n" << std::flush;
    if (on_step && writer) on_step(e);
    progress.advance();
    if (writer && o.save_every > 0 && (step + 1) % o.save_every == 0 && step + 1 < total)
      write_checkpoint(o.output_dir, step + 1, trainer, spec, base_model, fingerprint, report.log, o.keep_checkpoints);
  }
  progress.finish();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  if (!writer) {
    group->barrier();  // rank 0 has written the checkpoint and the adapter
    return report;
  }
  if (start < total || checkpoints_in(o.output_dir).empty())
    write_checkpoint(o.output_dir, total, trainer, spec, base_model, fingerprint, report.log, o.keep_checkpoints);

  // The final adapter, the base's files and the prompt the model was trained with.
  save_peft_adapter(*trainer.model(), spec, o.output_dir, base_model);
  link_base_files(o.model_dir, o.output_dir);
  std::map<std::pair<std::string, std::string>, int> prompts;
  for (const auto& s : samples) prompts[{s.system, s.instruction}] += 1;
  const auto common = std::max_element(prompts.begin(), prompts.end(), [](auto& a, auto& b) { return a.second < b.second; });
  const json prompt = {{"system_prompt", common->first.first},
                       {"instruction", common->first.second},
                       {"au_set", std::string(au_set_name(loaded.prompt.au_set))}};
  write_text_file_atomic(o.output_dir / "auhead_alm.json", prompt.dump(2) + "\n");
  if (group) group->barrier();
  return report;
}

}  // namespace auhead::train
