// `auhead train alm` as a library call: the learning-rate schedule, the chat JSONL reader, gradient
// checkpointing, reduced precision, and checkpoints that resume exactly — on a tiny random model.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio2au/alm/alm_model_dir.h"
#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "auhead/error.h"
#include "auhead/training.h"
#include "checkpoint/safetensors.h"
#include "core/activation_checkpoint.h"
#include "media/wav_writer.h"
#include "test_util.h"
#include "train/alm_chat_dataset.h"
#include "train/alm_lora_trainer.h"
#include "train/lora_adapter.h"
#include "train/lr_schedule.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::train;
using auhead::test::TempDir;

namespace {

// A tiny model and a chat JSONL of `n` one-second clips whose answers differ.
struct TinySet {
  explicit TinySet(const std::string& name, int n = 6) : dir(name) {
    audio2au::alm::write_random_qwen2_audio(dir.path() / "model", audio2au::alm::qwen2_audio_config_json(32, 1, 32, 2, 2, 1, 64, false), 11);
    fs::create_directories(dir.path() / "clips");
    std::ofstream jsonl(data());
    for (int i = 0; i < n; ++i) {
      std::vector<float> audio = audio2au::alm::test_speech_signal(1.0);
      for (auto& s : audio) s *= 0.3f + 0.1f * float(i);
      const std::string clip = "clips/" + std::to_string(i) + ".wav";
      media::write_wav_pcm16(dir.path() / clip, audio, 16000);
      std::vector<AuFrame> frames(5);
      for (auto& f : frames) f[std::size_t(i % 30)] = 0.1f * float(i + 1);
      const std::string answer = audio2au::alm::format_au_answer(EmotionState{Emotion::happy, 0.5f}, frames);
      const nlohmann::json line = {
          {"messages", {{{"role", "system"}, {"content", "You are a helpful assistant."}},
                        {{"role", "user"}, {"content", "<audio>Write the AUs."}},
                        {{"role", "assistant"}, {"content", answer}}}},
          {"audios", {clip}}};
      jsonl << line.dump() << "\n";
    }
  }
  fs::path model() const { return dir.path() / "model"; }
  fs::path data() const { return dir.path() / "train.jsonl"; }
  AlmTrainOptions options(const std::string& out) const {
    AlmTrainOptions o;
    o.model_dir = model();
    o.data_file = data();
    o.output_dir = dir.path() / out;
    o.lora.r = 2;
    o.lora.alpha = 4;
    o.lora.dropout = 0.1;
    o.adamw.lr = 1e-3;
    o.batch_size = 2;
    o.grad_accum = 2;  // 6 samples: 2 steps per epoch, the second with one micro-batch
    o.max_steps = 4;
    o.warmup_steps = 1;
    o.save_every = 2;
    o.keep_checkpoints = 5;
    return o;
  }
  TempDir dir;
};

double max_adapter_difference(const fs::path& a, const fs::path& b) {
  TensorMap ta = load_safetensors(a / "adapter_model.safetensors", true), tb = load_safetensors(b / "adapter_model.safetensors", true);
  EXPECT_EQ(ta.size(), tb.size());
  double worst = 0;
  for (const auto& [k, t] : ta) worst = std::max(worst, (t - tb.at(k)).abs().max().item<double>());
  return worst;
}

}  // namespace

TEST(LrSchedule, LinearWarmupThenCosineToZero) {
  EXPECT_DOUBLE_EQ(warmup_cosine_lr(1.0, 0, 10, 110), 0.0);  // Hugging Face's first step has rate 0
  EXPECT_DOUBLE_EQ(warmup_cosine_lr(1.0, 5, 10, 110), 0.5);
  EXPECT_DOUBLE_EQ(warmup_cosine_lr(1.0, 10, 10, 110), 1.0);
  EXPECT_NEAR(warmup_cosine_lr(1.0, 60, 10, 110), 0.5, 1e-12);
  EXPECT_NEAR(warmup_cosine_lr(2.0, 109, 10, 110), 2.0 * 0.5 * (1 + std::cos(M_PI * 99 / 100)), 1e-12);
  EXPECT_DOUBLE_EQ(warmup_cosine_lr(1.0, 110, 10, 110), 0.0);
  EXPECT_DOUBLE_EQ(warmup_cosine_lr(1.0, 0, 0, 10), 1.0);  // no warm-up
}

TEST(AlmChatDataset, ReadsTheConversationLayoutAndNamesTheBadLine) {
  TinySet set("chat_jsonl", 2);
  auto samples = read_alm_chat_jsonl(set.data());
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].instruction, "Write the AUs.");
  EXPECT_EQ(samples[0].system, "You are a helpful assistant.");
  EXPECT_EQ(samples[1].audio, set.dir.path() / "clips/1.wav");
  EXPECT_EQ(samples[1].line, 2);

  const std::string good = R"({"role": "assistant", "content": "Emotion: sad (0.40)\nAU: <f0> |"})";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"messages": [{"role": "user", "content": "<audio>x"}, )" + good + R"(], "audios": ["clips/9.wav"]})", "no such audio file"},
      {R"({"messages": [{"role": "user", "content": "x"}, )" + good + R"(], "audios": ["clips/0.wav"]})", "no <audio> tag"},
      {R"({"messages": [{"role": "user", "content": "<audio>x"}, {"role": "assistant", "content": "Emotion: glum\nAU: <f0> |"}], "audios": ["clips/0.wav"]})", "assistant answer"},
      {R"({"messages": [{"role": "user", "content": "<audio>x"}, )" + good + ", " + good + R"(], "audios": ["clips/0.wav"]})", "extra \"assistant\" turn"},
      {R"({"messages": [{"role": "user", "content": "<audio>x"}, )" + good + R"(], "audios": []})", "exactly one audio"},
      {R"({"messages": )", "line 2"},
  };
  for (const auto& [line, want] : bad) {
    const fs::path file = set.dir.path() / "bad.jsonl";
    std::ofstream(file) << "\n" << line << "\n";
    const std::string message = test::error_of([&] { read_alm_chat_jsonl(file); });
    EXPECT_NE(message.find("bad.jsonl line 2"), std::string::npos) << message;
    EXPECT_NE(message.find(want), std::string::npos) << message;
    EXPECT_EQ(test::error_code_of([&] { read_alm_chat_jsonl(file); }), ExitCode::bad_input);
  }
  std::ofstream(set.dir.path() / "empty.jsonl") << "\n\n";
  EXPECT_EQ(test::error_code_of([&] { read_alm_chat_jsonl(set.dir.path() / "empty.jsonl"); }), ExitCode::bad_input);
}

TEST(AlmSampleEncoder, LabelsOnlyTheAnswerAndItsEnd) {
  TinySet set("encoder", 1);
  audio2au::alm::AlmModel m = audio2au::alm::load_alm_model_dir(set.model());
  AlmSampleEncoder encoder(m.model, *m.tokenizer, 4096);
  const auto samples = read_alm_chat_jsonl(set.data());
  EncodedAlmSample e = encoder.encode(samples[0]);
  ASSERT_EQ(e.ids.size(), e.labels.size());
  EXPECT_EQ(e.audio_embeds.size(1), 25);  // 1 s: 100 mel frames / 4
  std::vector<int64_t> answer;
  for (std::size_t i = 0; i < e.ids.size(); ++i)
    if (e.labels[i] != -100) answer.push_back(e.labels[i]);
  EXPECT_EQ(m.tokenizer->decode(answer), samples[0].answer + "<|im_end|>");
  EXPECT_EQ(e.labels.back(), m.tokenizer->token_to_id("<|im_end|>"));
  AlmSampleEncoder tight(m.model, *m.tokenizer, 40);
  EXPECT_EQ(test::error_code_of([&] { tight.encode(samples[0]); }), ExitCode::bad_input);
}

TEST(ActivationCheckpoint, GivesTheGradientsOfThePlainBackwardWithDropout) {
  TinySet set("checkpointing", 2);
  auto grads = [&](bool checkpointing) {
    audio2au::alm::AlmModel m = audio2au::alm::load_alm_model_dir(set.model());
    torch::manual_seed(4);
    LoraSpec spec;
    spec.r = 2;
    spec.dropout = 0.3;
    spec.targets = {"q_proj", "v_proj", "down_proj"};
    attach_lora(*m.model, spec);
    {
      torch::NoGradGuard no_grad;
      for (auto& [k, t] : lora_parameters(*m.model)) t.normal_(0, 0.1);
    }
    AlmLoraTrainer trainer(m.model, AdamWSettings{});
    m.model->language_model->set_gradient_checkpointing(checkpointing);
    AlmSampleEncoder encoder(m.model, *m.tokenizer, 4096);
    auto samples = read_alm_chat_jsonl(set.data());
    EncodedAlmSample a = encoder.encode(samples[0]), b = encoder.encode(samples[1]);
    AlmTrainBatch batch = collate({a.ids, b.ids}, {a.labels, b.labels}, {a.audio_embeds, b.audio_embeds}, 0);
    torch::manual_seed(9);  // the same dropout masks in both runs
    trainer.accumulate(batch, answer_tokens(batch));
    std::vector<torch::Tensor> out;
    for (auto& [k, t] : trainer.parameters()) out.push_back(t.grad().clone());
    return out;
  };
  auto plain = grads(false), checkpointed_grads = grads(true);
  ASSERT_EQ(plain.size(), checkpointed_grads.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    ASSERT_TRUE(checkpointed_grads[i].defined());
    EXPECT_GT(plain[i].abs().max().item<double>(), 0);
    EXPECT_LT((plain[i] - checkpointed_grads[i]).abs().max().item<double>(), 1e-6) << "matrix " << i;
  }
}

TEST(AlmTraining, ResumingACheckpointEqualsTheUninterruptedRun) {
  TinySet set("resume");
  AlmTrainOptions o = set.options("a");
  AlmTrainReport whole = train_alm(o);
  ASSERT_EQ(whole.log.size(), 4u);
  EXPECT_EQ(whole.log[1].samples, 2);  // the epoch's last step: 6 = 4 + 2
  EXPECT_DOUBLE_EQ(whole.log[0].lr, 0.0);
  for (const auto& e : whole.log) EXPECT_TRUE(std::isfinite(e.loss) && e.loss > 0);
  EXPECT_TRUE(fs::exists(o.output_dir / "checkpoint-2" / "training_state.pt"));
  EXPECT_TRUE(fs::exists(o.output_dir / "checkpoint-4" / "adapter_model.safetensors"));

  // Interrupted after step 2: only that checkpoint exists; resuming it must give the same adapter.
  const fs::path b = set.dir.path() / "b";
  fs::create_directories(b);
  fs::copy(o.output_dir / "checkpoint-2", b / "checkpoint-2");
  AlmTrainOptions r = o;
  r.output_dir = b;
  r.resume = "latest";
  AlmTrainReport resumed = train_alm(r);
  EXPECT_EQ(resumed.first_step, 2);
  EXPECT_EQ(resumed.steps, 2);
  ASSERT_EQ(resumed.log.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(resumed.log[i].loss, whole.log[i].loss) << "step " << i + 1;
  EXPECT_EQ(max_adapter_difference(o.output_dir, b), 0.0);

  // The output is a model folder: the base's files linked, the adapter and the prompt beside them.
  audio2au::alm::AlmModel tuned = audio2au::alm::load_alm_model_dir(o.output_dir);
  EXPECT_EQ(tuned.lora_modules, 4);  // 2 layers × q_proj, v_proj
  EXPECT_EQ(tuned.prompt.instruction, "Write the AUs.");
  std::ifstream log(o.output_dir / "train_log.jsonl");
  int lines = 0;
  for (std::string l; std::getline(log, l);) ++lines;
  EXPECT_EQ(lines, 4);

  // Another batch size, or other data, cannot resume this run.
  AlmTrainOptions other = r;
  other.batch_size = 1;
  const std::string message = test::error_of([&] { train_alm(other); });
  EXPECT_NE(message.find("batch_size"), std::string::npos) << message;
}

TEST(AlmTraining, Bf16TrainsTheFloat32Adapter) {
  TinySet set("bf16", 4);
  AlmTrainOptions o = set.options("out");
  o.precision = TrainPrecision::bf16;
  o.gradient_checkpointing = true;
  o.max_steps = 3;
  o.save_every = 0;
  AlmTrainReport r = train_alm(o);
  ASSERT_EQ(r.log.size(), 3u);
  for (const auto& e : r.log) EXPECT_TRUE(std::isfinite(e.loss) && std::isfinite(e.grad_norm));
  TensorMap t = load_safetensors(o.output_dir / "adapter_model.safetensors", true);
  ASSERT_FALSE(t.empty());
  for (const auto& [k, v] : t) EXPECT_EQ(v.scalar_type(), torch::kFloat) << k;
}

TEST(AlmTraining, BadSetupsAreOneLineErrors) {
  TinySet set("bad", 2);
  AlmTrainOptions o = set.options("out");
  AlmTrainOptions missing = o;
  missing.data_file = set.dir.path() / "nope.jsonl";
  EXPECT_EQ(test::error_code_of([&] { train_alm(missing); }), ExitCode::bad_input);
  AlmTrainOptions same = o;
  same.output_dir = set.model();
  EXPECT_EQ(test::error_code_of([&] { train_alm(same); }), ExitCode::usage);
  AlmTrainOptions no_checkpoint = o;
  no_checkpoint.resume = "latest";
  EXPECT_EQ(test::error_code_of([&] { train_alm(no_checkpoint); }), ExitCode::usage);
  AlmTrainOptions bad_target = o;
  bad_target.lora.targets = {"qproj"};
  EXPECT_EQ(test::error_code_of([&] { train_alm(bad_target); }), ExitCode::usage);
  AlmTrainOptions zero_accum = o;
  zero_accum.grad_accum = 0;
  EXPECT_EQ(test::error_code_of([&] { train_alm(zero_accum); }), ExitCode::usage);
}
