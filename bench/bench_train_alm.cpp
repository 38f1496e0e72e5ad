// Bench for issue #18: LoRA training throughput of `auhead train alm` on a seeded random Qwen2-Audio of
// a chosen size, with synthetic 10-s clips whose answers hold 50 AU frames. Prints the steady-state
// step time (the first step, which also runs the frozen audio tower for its clips, is left out),
// samples/s, answer tokens/s, sequence tokens/s and the peak resident memory.
//   bench_train_alm [tiny|small] [steps=6] [fp32|bf16] [checkpointing=0|1] [threads=all]
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
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
#include "peak_memory.h"
#include "core/progress.h"
#include "media/wav_writer.h"
#include "train/alm_training_run.h"

using namespace auhead;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  try {
    const std::string size = argc > 1 ? argv[1] : "tiny";
    const int steps = argc > 2 ? std::atoi(argv[2]) : 6;
    const std::string precision = argc > 3 ? argv[3] : "fp32";
    const bool checkpointing = argc > 4 && std::atoi(argv[4]) != 0;
    if (argc > 5) torch::set_num_threads(std::atoi(argv[5]));
    std::string config;
    if (size == "tiny") config = alm::qwen2_audio_config_json(64, 2, 64, 2, 4, 2, 128, true);
    else if (size == "small") config = alm::qwen2_audio_config_json(256, 2, 512, 8, 8, 2, 1408, true);
    else throw usage_error("size must be tiny or small");
    if (steps < 2) throw usage_error("steps must be at least 2");
    Progress::set_quiet(true);

    const fs::path dir = fs::temp_directory_path() / ("auhead_bench_train_alm_" + std::to_string(::getpid()));
    fs::create_directories(dir / "clips");
    alm::write_random_qwen2_audio(dir / "model", config, 1);
    const int batch = 2, clips = 8;
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> value(0.05f, 0.9f);
    std::ofstream jsonl(dir / "train.jsonl");
    for (int i = 0; i < clips; ++i) {
      media::write_wav_pcm16(dir / "clips" / (std::to_string(i) + ".wav"), alm::test_speech_signal(10.0), 16000);
      std::vector<AuFrame> frames(50);
      for (auto& f : frames)
        for (int k = 0; k < 3; ++k) f[std::size_t(rng() % 30)] = value(rng);
      const nlohmann::json line = {
          {"messages", {{{"role", "user"}, {"content", std::string("<audio>") + alm::kDefaultAuInstruction}},
                        {{"role", "assistant"}, {"content", alm::format_au_answer(EmotionState{Emotion::happy, 0.7f}, frames)}}}},
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
    std::printf("bench_train_alm %s %s%s, batch %d, LoRA r 8 on q/k/v/o, %d threads\n", size.c_str(), precision.c_str(),
                checkpointing ? " + gradient checkpointing" : "", batch, torch::get_num_threads());
    std::printf("  first step (with the audio tower for its clips): %.2f s\n", r.log[0].seconds);
    std::printf("  steady step: %.2f s; %.2f samples/s; %.0f answer tokens/s; ~%.0f sequence tokens/s\n",
                seconds / double(r.log.size() - 1), double(samples) / seconds, double(answer_tokens) / seconds,
                tokens_per_sample * double(samples) / seconds);
    std::printf("  loss %.3f -> %.3f; peak RSS %.0f MiB\n", r.log.front().loss, r.log.back().loss, peak_resident_mib());
    fs::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train_alm: %s\n", e.what());
    return 1;
  }
}
