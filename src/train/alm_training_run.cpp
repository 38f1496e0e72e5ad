#include "train/alm_training_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <unordered_map>

#include "audio2au/alm/alm_model_dir.h"
#include "auhead/au.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "core/progress.h"
#include "core/rng_state.h"
#include "train/alm_chat_dataset.h"
#include "train/data_parallel.h"
#include "train/lr_schedule.h"

namespace auhead::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kStateFile = "training_state.pt";
const char* kTrainerStateFile = "trainer_state.json";

// Epoch `epoch`'s order of the samples: Fisher–Yates driven by a 64-bit Mersenne twister, so that
// the order depends on nothing but (seed, epoch) and a resumed run sees the same one.
std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[std::size_t(i)] = i;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + uint64_t(epoch));
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[std::size_t(i)], order[std::size_t(rng() % uint64_t(i + 1))]);
  return order;
}

std::string fnv1a_hex(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  uint64_t h = 0xcbf29ce484222325ull;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) h = (h ^ uint8_t(buf[i])) * 0x100000001b3ull;
    if (!in) break;
  }
  std::ostringstream s;
  s << std::hex << h;
  return s.str();
}

const char* precision_name(TrainPrecision p) {
  return p == TrainPrecision::bf16 ? "bf16" : p == TrainPrecision::fp16 ? "fp16" : "fp32";
}

// What a resumed run must share with the run that wrote the checkpoint.
json run_fingerprint(const AlmTrainOptions& o, const LoraSpec& spec, int64_t samples, const std::string& data_hash,
                     int64_t total_steps) {
  return {{"samples", samples},
          {"data_hash", data_hash},
          {"batch_size", o.batch_size},
          {"grad_accum", o.grad_accum},
          {"total_steps", total_steps},
          {"seed", o.seed},
          {"precision", precision_name(o.precision)},
          {"lora_r", spec.r},
          {"lora_alpha", spec.alpha},
          {"lora_targets", spec.targets},
          {"lr", o.adamw.lr}};
}

json log_json(const AlmTrainLogEntry& e) {
  json j = {{"step", e.step}, {"epoch", e.epoch}, {"loss", e.loss}, {"lr", e.lr}, {"tokens", e.tokens},
            {"samples", e.samples}, {"seconds", e.seconds}};
  j["grad_norm"] = std::isfinite(e.grad_norm) ? json(e.grad_norm) : json(nullptr);
  if (e.skipped) j["skipped"] = true;
  return j;
}

AlmTrainLogEntry log_entry(const json& j, int64_t total) {
  AlmTrainLogEntry e;
  e.step = j.at("step").get<int64_t>();
  e.total_steps = total;
  e.epoch = j.at("epoch").get<double>();
  e.loss = j.at("loss").get<double>();
  e.lr = j.at("lr").get<double>();
  e.tokens = j.at("tokens").get<int64_t>();
  e.samples = j.at("samples").get<int64_t>();
  e.seconds = j.at("seconds").get<double>();
  e.grad_norm = j.at("grad_norm").is_null() ? std::nan("") : j.at("grad_norm").get<double>();
  e.skipped = j.value("skipped", false);
  return e;
}

std::vector<std::pair<int64_t, fs::path>> checkpoints_in(const fs::path& out) {
  std::vector<std::pair<int64_t, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("checkpoint-", 0) != 0) continue;
    const std::string digits = name.substr(11);
    if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    found.emplace_back(std::stoll(digits), entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

void write_checkpoint(const fs::path& out, int64_t step, AlmLoraTrainer& trainer, const LoraSpec& spec,
                      const std::string& base_model, const json& fingerprint, const std::vector<AlmTrainLogEntry>& log,
                      int64_t keep) {
  const fs::path final_dir = out / ("checkpoint-" + std::to_string(step));
  const fs::path tmp = out / ("checkpoint-" + std::to_string(step) + ".tmp");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec) || ec) throw output_error(tmp.string(), "cannot create the checkpoint folder");
  const int slot = track_temporary_folder(tmp);
  try {
    save_peft_adapter(*trainer.model(), spec, tmp, base_model);
    torch::serialize::OutputArchive archive;
    trainer.save_state(archive);
    archive.write("rng", cpu_rng_state());
    archive.write("step", torch::tensor(step, torch::kLong));
    archive.save_to((tmp / kStateFile).string());
    json history = json::array();
    for (const auto& e : log) history.push_back(log_json(e));
    const json state = {{"global_step", step}, {"run", fingerprint}, {"log_history", history}};
    write_text_file_atomic(tmp / kTrainerStateFile, state.dump(1) + "\n");
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir, ec);
    if (ec) throw output_error(final_dir.string(), "cannot move the checkpoint into place: " + ec.message());
  } catch (const c10::Error& e) {
    untrack_temporary_folder(slot);
    fs::remove_all(tmp, ec);
    throw output_error(tmp.string(), std::string("cannot write the training state: ") + e.what_without_backtrace());
  } catch (...) {
    untrack_temporary_folder(slot);
    fs::remove_all(tmp, ec);
    throw;
  }
  untrack_temporary_folder(slot);
  auto all = checkpoints_in(out);
  for (std::size_t i = 0; i + std::size_t(std::max<int64_t>(1, keep)) < all.size(); ++i) fs::remove_all(all[i].second, ec);
}

fs::path resume_folder(const AlmTrainOptions& o) {
  if (o.resume == "latest") {
    auto all = checkpoints_in(o.output_dir);
    if (all.empty()) throw usage_error("--resume latest: no checkpoint-N folder in " + o.output_dir.string());
    return all.back().second;
  }
  const fs::path dir = o.resume;
  if (!fs::is_directory(dir)) throw input_error(dir.string(), "no such checkpoint folder (--resume)");
  for (const char* f : {kStateFile, kTrainerStateFile, "adapter_config.json"})
    if (!fs::is_regular_file(dir / f)) throw input_error((dir / f).string(), "no such file: not a checkpoint of `auhead train alm`");
  return dir;
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
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw usage_error(what);
  };
  need(o.epochs >= 1 && o.epochs <= 100000, "--epochs must be in [1, 100000]");
  need(o.max_steps >= 0 && o.max_steps <= 100000000, "--max-steps must be in [0, 1e8]");
  need(o.batch_size >= 1 && o.batch_size <= 4096, "--batch-size must be in [1, 4096]");
  need(o.grad_accum >= 1 && o.grad_accum <= 65536, "--grad-accum must be in [1, 65536]");
  need(std::isfinite(o.adamw.lr) && o.adamw.lr > 0 && o.adamw.lr <= 1, "--lr must be in (0, 1]");
  need(std::isfinite(o.adamw.weight_decay) && o.adamw.weight_decay >= 0 && o.adamw.weight_decay <= 10, "--weight-decay must be in [0, 10]");
  need(std::isfinite(o.adamw.max_grad_norm) && o.adamw.max_grad_norm >= 0 && o.adamw.max_grad_norm <= 1e6, "--max-grad-norm must be in [0, 1e6]");
  need(std::isfinite(o.warmup_ratio) && o.warmup_ratio >= 0 && o.warmup_ratio <= 1, "--warmup-ratio must be in [0, 1]");
  need(o.warmup_steps <= 100000000, "--warmup-steps must be at most 1e8");
  need(o.save_every >= 0, "--save-every must be >= 0");
  need(o.keep_checkpoints >= 1 && o.keep_checkpoints <= 1000, "--keep-checkpoints must be in [1, 1000]");
  need(o.max_tokens >= 16 && o.max_tokens <= 1 << 20, "--max-tokens must be in [16, 1048576]");
  need(!o.output_dir.empty(), "train alm needs -o OUTPUT (a folder)");
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

  alm::AlmModel loaded = alm::load_alm_model_dir(o.model_dir, /*merge_adapter=*/false);
  if (!loaded.adapter_dir.empty())
    throw usage_error(o.model_dir.string() + " holds a LoRA adapter: give the base model's folder, and the adapter with --adapter to go on training it");
  fs::create_directories(o.output_dir, ec);
  if (!fs::is_directory(o.output_dir)) throw output_error(o.output_dir.string(), "cannot create the output folder");

  const fs::path resume = o.resume.empty() ? fs::path() : resume_folder(o);
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
  const int64_t steps_per_epoch = (n + per_step - 1) / per_step;
  const int64_t total = o.max_steps > 0 ? o.max_steps : o.epochs * steps_per_epoch;
  const int64_t warmup = o.warmup_steps >= 0 ? o.warmup_steps : int64_t(std::ceil(o.warmup_ratio * double(total)));
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
    const json state = read_json_object_file(resume / kTrainerStateFile);
    const std::string src = (resume / kTrainerStateFile).string();
    if (!state.contains("run") || !state.contains("global_step") || !state.contains("log_history"))
      throw input_error(src, "not a trainer state of `auhead train alm`");
    for (const auto& [key, value] : fingerprint.items()) {
      const json saved = state["run"].value(key, json());
      if (saved != value)
        throw usage_error("--resume " + resume.string() + ": the checkpoint's " + key + " is " + saved.dump() +
                          ", this run's " + value.dump() + " (resume with the same data and options)");
    }
    try {
      for (const auto& e : state["log_history"]) report.log.push_back(log_entry(e, total));
    } catch (const json::exception& e) {
      throw input_error(src, std::string("bad log_history: ") + e.what());
    }
    torch::serialize::InputArchive archive;
    const std::string state_file = (resume / kStateFile).string();
    try {
      archive.load_from(state_file);
      torch::Tensor rng, step;
      archive.read("rng", rng);
      archive.read("step", step);
      start = step.item<int64_t>();
      trainer.load_state(archive, state_file);
      set_cpu_rng_state(rng);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw input_error(state_file, std::string("unreadable training state: ") + e.what());
    }
    if (start != state["global_step"].get<int64_t>() || start > total || int64_t(report.log.size()) != start)
      throw input_error(state_file, "the training state and trainer_state.json disagree");
  }
  report.first_step = start;

  alm::BpeTokenizer& tokenizer = *loaded.tokenizer;
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

  const fs::path log_path = o.output_dir / "train_log.jsonl";
  std::ofstream log_file;
  if (writer) {
    {
      std::ofstream rewrite(log_path, std::ios::trunc);
      if (!rewrite) throw output_error(log_path.string(), "cannot write the training log");
      for (const auto& e : report.log) rewrite << log_json(e).dump() << "\n";
    }
    log_file.open(log_path, std::ios::app);
  }

  const std::string base_model = fs::absolute(o.model_dir, ec).lexically_normal().string();
  Progress progress("training", total);
  progress.set(start);
  const auto run_start = std::chrono::steady_clock::now();
  int64_t order_epoch = -1;
  std::vector<int64_t> order;
  for (int64_t step = start; step < total; ++step) {
    const int64_t epoch = step / steps_per_epoch, k = step % steps_per_epoch;
    if (epoch != order_epoch) order = epoch_order(n, o.seed, epoch), order_epoch = epoch;
    const int64_t begin = k * per_step, end = std::min(n, begin + per_step);
    const auto t0 = std::chrono::steady_clock::now();
    // This process's share of the step's samples: a contiguous slice of ceil(samples / world).
    const int64_t share = (end - begin + world - 1) / world, rank = group ? group->rank() : 0;
    const int64_t mine = std::min(end, begin + rank * share), mine_end = std::min(end, mine + share);
    std::vector<AlmTrainBatch> micro;
    for (int64_t b = mine; b < mine_end; b += o.batch_size) {
      std::vector<std::vector<int64_t>> ids, labels;
      std::vector<torch::Tensor> audio;
      for (int64_t i = b; i < std::min(mine_end, b + o.batch_size); ++i) {
        const EncodedAlmSample& e = encoded(order[std::size_t(i)]);
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
