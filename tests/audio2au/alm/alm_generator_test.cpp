#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "audio2au/alm/alm_generator.h"
#include "audio2au/alm/alm_model_dir.h"
#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "auhead/error.h"
#include "checkpoint/safetensors.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::audio2au::alm;
using auhead::test::error_of;
using auhead::test::TempDir;

namespace {
// One tiny random Qwen2-Audio with the real vocabulary (the bundled Qwen tokenizer fits it), made
// once for the suite.
class AlmGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("alm_generator");
    write_random_qwen2_audio(model(), qwen2_audio_config_json(32, 1, 32, 2, 4, 2, 64, true), 1234);
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static fs::path model() { return dir_->path() / "model"; }
  static fs::path scratch(const std::string& name) {
    fs::path p = dir_->path() / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }
  // A copy of the model folder to break.
  static fs::path copy_model(const std::string& name) {
    fs::path p = scratch(name);
    for (const auto& f : fs::directory_iterator(model())) fs::copy(f.path(), p / f.path().filename());
    return p;
  }

  static std::unique_ptr<AlmGenerator> make(audio2au::AuGeneratorOptions o = {}) {
    if (o.model_dir.empty()) o.model_dir = model();
    return std::make_unique<AlmGenerator>(o);
  }

  static std::vector<float> speech(double seconds) { return test_speech_signal(seconds); }

  static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> AlmGeneratorTest::dir_;
}  // namespace

TEST_F(AlmGeneratorTest, IsRegisteredAndAnswersInTheGrammar) {
  audio2au::AuGeneratorOptions o;
  o.model_dir = model();
  auto g = audio2au::make_au_generator("alm", o);
  const auto audio = speech(2.4);
  AuSequence seq = g->generate(audio, "speech.wav");
  EXPECT_EQ(seq.fps, 25.0);
  EXPECT_EQ(seq.frames.size(), 60u);  // 2.4 s · 25
  ASSERT_TRUE(seq.emotion);
  seq.validate();
  auto* alm = dynamic_cast<AlmGenerator*>(g.get());
  ASSERT_NE(alm, nullptr);
  ASSERT_EQ(alm->answers().size(), 1u);
  const AuAnswer a = parse_au_answer(alm->answers()[0], "answer");
  EXPECT_EQ(a.frames.size(), 12u);  // 38400 / 3200 at 5 fps
  EXPECT_EQ(a.emotion, seq.emotion);
  EXPECT_GT(alm->stats()[0].prompt_tokens, 60);  // 2.4 s → 60 audio embeddings, plus the text
  EXPECT_GT(alm->stats()[0].answer_tokens, 12);
  // The 5-fps values carry over to the video rate: frame 5k of the output is answer frame k.
  for (int k = 0; k < 11; ++k)
    for (int i = 0; i < kNumAus; ++i) EXPECT_NEAR(seq.frames[5 * k][i], a.frames[k][i], 1e-6) << k << " " << i;
}

TEST_F(AlmGeneratorTest, CachedAndUncachedDecodingWriteTheSameAnswer) {
  auto cached = make();
  auto uncached = make();
  uncached->set_use_cache(false);
  const auto audio = speech(1.0);
  EXPECT_EQ(cached->generate(audio, "a.wav"), uncached->generate(audio, "a.wav"));
  EXPECT_EQ(cached->answers(), uncached->answers());
}

TEST_F(AlmGeneratorTest, AGivenEmotionIsStatedFirstAndKept) {
  audio2au::AuGeneratorOptions o;
  o.emotion = Emotion::sad;
  o.emotion_intensity = 0.4f;
  auto g = make(o);
  AuSequence seq = g->generate(speech(1.0), "a.wav");
  EXPECT_EQ(g->answers()[0].rfind("Emotion: sad (0.40)\nAU: <f0>", 0), 0u) << g->answers()[0];
  EXPECT_EQ(seq.emotion, (EmotionState{Emotion::sad, 0.4f}));
}

TEST_F(AlmGeneratorTest, SamplingIsSeeded) {
  audio2au::AuGeneratorOptions o;
  o.temperature = 1.f;
  o.top_p = 0.95f;
  o.seed = 1;
  const auto audio = speech(1.0);
  auto a = make(o), b = make(o);
  a->generate(audio, "a.wav");
  b->generate(audio, "a.wav");
  EXPECT_EQ(a->answers(), b->answers());
  o.seed = 2;
  auto c = make(o);
  c->generate(audio, "a.wav");
  EXPECT_NE(a->answers(), c->answers());
  for (const auto& text : c->answers()) EXPECT_NO_THROW(parse_au_answer(text, "sampled"));
}

TEST_F(AlmGeneratorTest, SpeechLongerThanAWindowIsAnsweredInWindows) {
  auto g = make();
  audio2au::AuGeneratorOptions o;
  AuSequence seq = g->generate(speech(31.0), "long.wav");
  ASSERT_EQ(g->answers().size(), 2u);  // 0–30 s and 28–31 s
  EXPECT_EQ(parse_au_answer(g->answers()[0], "w0").frames.size(), 150u);
  EXPECT_EQ(parse_au_answer(g->answers()[1], "w1").frames.size(), 15u);
  EXPECT_EQ(seq.frames.size(), 775u);
}

TEST_F(AlmGeneratorTest, GoldenLogitsOfTheSeededRandomModel) {
  AlmModel m = load_alm_model_dir(model());
  torch::InferenceMode guard;
  const std::vector<int64_t> ids = m.tokenizer->encode("<|im_start|>user\nHello<|im_end|>\n");
  torch::Tensor logits = m.model->forward(m.model->embed(torch::tensor(ids).unsqueeze(0)));
  ASSERT_EQ(logits.size(2), 151936);
  // Regression values of this implementation for write_random_qwen2_audio(seed 1234); the model
  // code itself is checked against Hugging Face's in the qwen2_audio_tiny parity fixture.
  const torch::Tensor last = logits[0][-1];
  std::vector<double> got;
  for (int64_t id : {0, 1000, 151643, 151935}) got.push_back(last[id].item<double>());
  const std::vector<double> golden = {-0.008451, -0.037255, -0.059771, 0.009533};
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], golden[i], 1e-4) << i;
}

TEST_F(AlmGeneratorTest, LoraAdapterBesideTheModelIsMerged) {
  fs::path dir = copy_model("with_lora");
  const std::string q = "language_model.model.layers.0.self_attn.q_proj";
  fs::create_directories(dir / "adapter");
  torch::manual_seed(5);
  torch::Tensor a = torch::randn({2, 32}), b = torch::randn({32, 2});
  save_safetensors(dir / "adapter/adapter_model.safetensors",
                   {{"base_model.model." + q + ".lora_A.weight", a}, {"base_model.model." + q + ".lora_B.weight", b}});
  std::ofstream(dir / "adapter/adapter_config.json") << R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4})";
  AlmModel base = load_alm_model_dir(model()), merged = load_alm_model_dir(dir);
  EXPECT_EQ(merged.lora_modules, 1);
  // The merged layer equals the base layer plus the unmerged adapter path, scale = alpha / r = 2.
  torch::Tensor x = torch::randn({3, 32});
  auto weight = [&](AlmModel& m) { return m.model->named_parameters()[q + ".weight"]; };
  auto bias = [&](AlmModel& m) { return m.model->named_parameters()[q + ".bias"]; };
  torch::Tensor unmerged = torch::nn::functional::linear(x, weight(base), bias(base)) + 2.0 * torch::matmul(torch::matmul(x, a.t()), b.t());
  torch::Tensor out = torch::nn::functional::linear(x, weight(merged), bias(merged));
  EXPECT_LT((out - unmerged).abs().max().item<double>(), 1e-5);
}

TEST_F(AlmGeneratorTest, ModelFolderProblemsAreErrorsNamingTheFile) {
  audio2au::AuGeneratorOptions o;
  auto code_and_message = [&](const fs::path& dir) -> std::pair<ExitCode, std::string> {
    o.model_dir = dir;
    try {
      AlmGenerator g(o);
    } catch (const Error& e) {
      return {e.code(), e.what()};
    }
    return {ExitCode::ok, ""};
  };
  o.model_dir.clear();
  EXPECT_EQ(error_of([&] { AlmGenerator g(o); }), "--au-generator alm needs --au-model DIR (a Qwen2-Audio checkpoint folder)");

  auto [code, msg] = code_and_message(dir_->path() / "nowhere");
  EXPECT_EQ(code, ExitCode::unavailable);
  EXPECT_EQ(msg, (dir_->path() / "nowhere").string() + ": no such folder (--au-model)");

  fs::path no_weights = copy_model("no_weights");
  fs::remove(no_weights / "model.safetensors");
  std::tie(code, msg) = code_and_message(no_weights);
  EXPECT_EQ(code, ExitCode::unavailable);
  EXPECT_EQ(msg, (no_weights / "model.safetensors").string() + ": no such file (the alm AU generator needs the model weights)");

  fs::path wrong_shape = copy_model("wrong_shape");
  write_random_qwen2_audio(wrong_shape / "other", qwen2_audio_config_json(32, 1, 32, 2, 4, 2, 48, true), 1);
  fs::rename(wrong_shape / "other/model.safetensors", wrong_shape / "model.safetensors");
  std::tie(code, msg) = code_and_message(wrong_shape);
  EXPECT_EQ(code, ExitCode::bad_input);
  EXPECT_NE(msg.find("language_model.model.layers.0.mlp.down_proj.weight"), std::string::npos) << msg;

  fs::path bad_config = copy_model("bad_config");
  std::ofstream(bad_config / "config.json") << "{\"text_config\": ";
  std::tie(code, msg) = code_and_message(bad_config);
  EXPECT_EQ(code, ExitCode::bad_input);
  EXPECT_EQ(msg.rfind((bad_config / "config.json").string() + ": ", 0), 0u) << msg;

  fs::path bad_audio_id = copy_model("bad_audio_id");
  {
    std::string text = qwen2_audio_config_json(32, 1, 32, 2, 4, 2, 64, true);
    text.replace(text.find("151646"), 6, "151000");
    std::ofstream(bad_audio_id / "config.json") << text;
    // The fallback tokenizer follows audio_token_index, so give the folder its own tokenizer.
    fs::copy(default_qwen_tokenizer_file(), bad_audio_id / "tokenizer.json");
  }
  std::tie(code, msg) = code_and_message(bad_audio_id);
  EXPECT_EQ(code, ExitCode::bad_input);
  EXPECT_NE(msg.find("tokenizer.json: the tokenizer has no <|AUDIO|> token"), std::string::npos) << msg;

  fs::path bad_sampling = copy_model("bad_sampling");
  std::ofstream(bad_sampling / "generation_config.json") << R"({"do_sample": true, "top_p": 0})";
  std::tie(code, msg) = code_and_message(bad_sampling);
  EXPECT_EQ(code, ExitCode::bad_input);
  EXPECT_EQ(msg, (bad_sampling / "generation_config.json").string() +
                     ": bad generation settings: need temperature >= 0, top_k >= 0, 0 < top_p <= 1");

  fs::path bad_prompt = copy_model("bad_prompt");
  std::ofstream(bad_prompt / "auhead_alm.json") << R"({"au_set": "feafa99"})";
  std::tie(code, msg) = code_and_message(bad_prompt);
  EXPECT_EQ(code, ExitCode::bad_input);
  EXPECT_EQ(msg, (bad_prompt / "auhead_alm.json").string() + ": au_set must be auhead30 or feafa24, got 'feafa99'");
}

TEST_F(AlmGeneratorTest, AFeafaModelWritesOnlyTheFirst24Aus) {
  fs::path dir = copy_model("feafa");
  std::ofstream(dir / "auhead_alm.json") << R"({"au_set": "feafa24", "instruction": "Write AUs."})";
  audio2au::AuGeneratorOptions o;
  o.model_dir = dir;
  o.temperature = 1.f;
  AlmGenerator g(o);
  AuSequence seq = g.generate(speech(2.0), "a.wav");
  EXPECT_EQ(seq.au_set, AuSet::feafa24);
  EXPECT_LT(parse_au_answer(g.answers()[0], "a").highest_index, 24);
  seq.validate();
}

TEST_F(AlmGeneratorTest, EmptyAudioIsAnInputError) {
  auto g = make();
  EXPECT_EQ(error_of([&] { g->generate({}, "empty.wav"); }), "empty.wav: no audio samples");
}
