// Bench for issue #18: LoRA training throughput of `auhead train alm` on a seeded random Qwen2-Audio of
// a chosen size, with synthetic 10-s clips whose answers hold 50 AU frames. Prints the steady-state
// step time (the first step, which also runs the frozen audio tower for its clips, is left out),
// samples/s, answer tokens/s, sequence tokens/s and the peak resident memory.
//   bench_train_alm [tiny|small] [--steps 6] [--precision fp32|bf16|fp16] [--gradient-checkpointing] [--threads N] [--json]
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unistd.h>

#include "audio2au/alm/alm_model_dir.h"
#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "auhead/error.h"
#include "auhead/training.h"
#include "bench_options.h"
#include "core/progress.h"
#include "media/wav_writer.h"
#include "peak_memory.h"

using namespace auhead;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  CLI::App app{"LoRA training throughput of `train alm` on a seeded random Qwen2-Audio"};
  auhead::bench::BenchReport report("bench_train_alm");
  std::string size = "tiny", precision = "fp32";
  int steps = 6, threads = 0;
  bool checkpointing = false;
  app.add_option("size", size, "model size")->check(CLI::IsMember({"tiny", "small"}))->capture_default_str();
  app.add_option("--steps", steps, "optimizer steps (the first is left out of the figures)")->check(CLI::Range(2, 100000))->capture_default_str();
  app.add_option("--precision", precision, "fp32, bf16 or fp16")->check(CLI::IsMember({"fp32", "bf16", "fp16"}))->capture_default_str();
  app.add_flag("--gradient-checkpointing", checkpointing, "recompute decoder activations in backward");
  app.add_option("--threads", threads, "libtorch threads (0: all)")->check(CLI::Range(0, 1024));
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    if (threads > 0) torch::set_num_threads(threads);
    std::string config;
    if (size == "tiny") config = audio2au::alm::qwen2_audio_config_json(64, 2, 64, 2, 4, 2, 128, true);
    else if (size == "small") config = audio2au::alm::qwen2_audio_config_json(256, 2, 512, 8, 8, 2, 1408, true);
    else throw usage_error("size must be tiny or small");
    Progress::set_quiet(true);

    const fs::path dir = fs::temp_directory_path() / ("auhead_bench_train_alm_" + std::to_string(::getpid()));
    fs::create_directories(dir / "clips");
    audio2au::alm::write_random_qwen2_audio(dir / "model", config, 1);
    const int batch = 2, clips = 8;
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> value(0.05f, 0.9f);
    std::ofstream jsonl(dir / "train.jsonl");
    for (int i = 0; i < clips; ++i) {
      media::write_wav_pcm16(dir / "clips" / (std::to_string(i) + ".wav"), audio2au::alm::test_speech_signal(10.0), 16000);
      std::vector<AuFrame> frames(50);
      for (auto& f : frames)
        for (int k = 0; k < 3; ++k) f[std::size_t(rng() % 30)] = value(rng);
      const nlohmann::json line = {
          {"messages", {{{"role", "user"}, {"content", std::string("<audio>") + audio2au::alm::kDefaultAuInstruction}},
                        {{"role", "assistant"}, {"content", audio2au::alm::format_au_answer(EmotionState{Emotion::happy, 0.7f}, frames)}}}},
          {"audios", {"clips/" + std::to_string(i) + ".wav"}}};
      jsonl << line.dump() << "\n";
    }
    jsonl.close();

    train::AlmTrainOptions o;
    o.model_dir = dir / "model";
    o.data_file = dir / "train.jsonl";
    o.output_dir = dir / "out";
    o.lora.r = 8;
    o.lora.alpha = 16;
    o.lora.targets = {"q_proj", "k_proj", "v_proj", "o_proj"};
    o.batch_size = batch;
    o.max_steps = steps;
    o.warmup_steps = 1;
    o.precision = train::parse_train_precision(precision);
    o.gradient_checkpointing = checkpointing;
    o.adamw.lr = 1e-4;
    train::AlmTrainReport r = train::train_alm(o);
    double seconds = 0;
    int64_t samples = 0, answer_tokens = 0;
    for (std::size_t i = 1; i < r.log.size(); ++i) {
      seconds += r.log[i].seconds;
      samples += r.log[i].samples;
      answer_tokens += r.log[i].tokens;
    }
    // Each sample: 250 audio embeddings for 10 s plus the prompt's text and the answer.
    const double tokens_per_sample = 250.0 + 60.0 + double(answer_tokens) / double(samples);
    report.text("bench_train_alm %s %s%s, batch %d, LoRA r 8 on q/k/v/o, %d threads\n", size.c_str(), precision.c_str(),
                checkpointing ? " + gradient checkpointing" : "", batch, torch::get_num_threads());
    report.text("  first step (with the audio tower for its clips): %.2f s\n", r.log[0].seconds);
    report.text("  steady step: %.2f s; %.2f samples/s; %.0f answer tokens/s; ~%.0f sequence tokens/s\n",
                seconds / double(r.log.size() - 1), double(samples) / seconds, double(answer_tokens) / seconds,
                tokens_per_sample * double(samples) / seconds);
    report.text("  loss %.3f -> %.3f; peak RSS %.0f MiB\n", r.log.front().loss, r.log.back().loss, peak_resident_mib());
    report.record("", {{"size", size}, {"precision", precision}, {"gradient_checkpointing", checkpointing}, {"batch", batch},
                       {"threads", torch::get_num_threads()}, {"first_step_s", r.log[0].seconds},
                       {"steady_step_s", seconds / double(r.log.size() - 1)}, {"samples_per_s", double(samples) / seconds},
                       {"answer_tokens_per_s", double(answer_tokens) / seconds}, {"loss_first", r.log.front().loss},
                       {"loss_last", r.log.back().loss}, {"peak_rss_mib", peak_resident_mib()}});
    fs::remove_all(dir);
    return 0;
  });
}
