// The model folders' optional settings files, read strictly (issue #17): generation_config.json and
// auhead_alm.json of an ALM folder, a PEFT adapter_config.json, and the diffusion folder's
// render_config.json. A value of the wrong type, fractional where an integer is due, or out of range
// is an input error naming the file; valid files read as written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "audio2au/alm/alm_model_dir.h"
#include "audio2au/alm/lora_merge.h"
#include "auhead/error.h"
#include "render/diffusion/diffusion_model_dir.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace auhead;

namespace {

fs::path write(const fs::path& file, const std::string& text) {
  std::ofstream(file) << text;
  return file;
}

// The message of the input error that reading `text` gives, or "" when it reads.
template <class Read>
std::string rejection(const fs::path& file, const std::string& text, Read read) {
  try {
    read(write(file, text));
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input) << e.what();
    EXPECT_NE(std::string(e.what()).find(file.filename().string()), std::string::npos) << e.what();
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SettingsFiles, GenerationConfig) {
  test::TempDir dir("settings_gen");
  const fs::path f = dir / "generation_config.json";
  auto s = audio2au::alm::read_generation_config(write(f, R"({"do_sample": true, "temperature": 0.7, "top_k": 20, "top_p": 0.9})"));
  EXPECT_FLOAT_EQ(s.temperature, 0.7f);
  EXPECT_EQ(s.top_k, 20);
  EXPECT_FLOAT_EQ(s.top_p, 0.9f);
  EXPECT_TRUE(audio2au::alm::read_generation_config(write(f, R"({"do_sample": false, "top_k": 1e10})")).greedy());
  const auto read = [](const fs::path& p) { audio2au::alm::read_generation_config(p); };
  EXPECT_NE(rejection(f, R"({"do_sample": true, "top_k": 1e10})", read).find("top_k"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"do_sample": true, "top_k": 2.5})", read).find("top_k"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"do_sample": true, "temperature": 1e300})", read).find("temperature"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"do_sample": true, "top_p": "high"})", read).find("top_p"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"do_sample": "yes"})", read), "");
}

TEST(SettingsFiles, PromptSettings) {
  test::TempDir dir("settings_prompt");
  const fs::path f = dir / "auhead_alm.json";
  auto s = audio2au::alm::read_prompt_settings(write(f, R"({"instruction": "Write AUs.", "au_set": "feafa24"})"));
  EXPECT_EQ(s.instruction, "Write AUs.");
  EXPECT_EQ(s.au_set, AuSet::feafa24);
  const auto read = [](const fs::path& p) { audio2au::alm::read_prompt_settings(p); };
  EXPECT_NE(rejection(f, R"({"au_set": "facs99"})", read), "");
  EXPECT_NE(rejection(f, R"({"system_prompt": 3})", read), "");
}

TEST(SettingsFiles, LoraAdapterConfig) {
  test::TempDir dir("settings_lora");
  const fs::path f = dir / "adapter_config.json";
  auto c = audio2au::alm::read_lora_adapter_config(
      write(f, R"({"r": 8, "lora_alpha": 16, "rank_pattern": {"q_proj": 4}, "alpha_pattern": {"v_proj": 2}})"));
  EXPECT_EQ(c.rank_of("model.layers.0.self_attn.q_proj"), 4);
  EXPECT_EQ(c.rank_of("model.layers.0.self_attn.k_proj"), 8);
  EXPECT_EQ(c.alpha_of("model.layers.0.self_attn.v_proj"), 2);
  EXPECT_EQ(c.alpha_of("model.layers.0.self_attn.q_proj"), 16);
  EXPECT_EQ(audio2au::alm::read_lora_adapter_config(write(f, R"({"r": 4})")).alpha, 4);  // alpha defaults to r
  const auto read = [](const fs::path& p) { audio2au::alm::read_lora_adapter_config(p); };
  EXPECT_NE(rejection(f, R"({"r": 8, "rank_pattern": {"q_proj": "x"}})", read).find("rank_pattern.q_proj"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"r": 8, "rank_pattern": {"q_proj": 0}})", read).find("rank_pattern.q_proj"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"r": 0})", read).find("r must be positive"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"r": 1e300})", read).find("r must be"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"lora_alpha": 8})", read).find("no r"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"r": 8, "use_dora": true})", read).find("DoRA"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"r": 8, "alpha_pattern": [1]})", read).find("alpha_pattern"), std::string::npos);
}

TEST(SettingsFiles, RenderConfig) {
  test::TempDir dir("settings_render");
  const fs::path f = dir / "render_config.json";
  auto s = render::diffusion::read_render_config(
      write(f, R"({"steps": 8, "sampler": "dpmsolver++", "context_frames": 12, "context_overlap": 2})"));
  EXPECT_EQ(s.steps, 8);
  EXPECT_EQ(s.sampler, "dpmsolver++");
  EXPECT_EQ(s.context_frames, 12);
  EXPECT_EQ(render::diffusion::read_render_config(dir / "absent.json").steps, 20);  // defaults
  const auto read = [](const fs::path& p) { render::diffusion::read_render_config(p); };
  EXPECT_NE(rejection(f, R"({"steps": 3e9})", read).find("steps"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"steps": 2.5})", read).find("steps"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"steps": 0})", read).find("steps"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"context_frames": 100000})", read).find("context_frames"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"context_frames": 4, "context_overlap": 4})", read).find("context_overlap"), std::string::npos);
  EXPECT_NE(rejection(f, R"({"sampler": 3})", read).find("sampler"), std::string::npos);
  EXPECT_NE(rejection(f, R"([1, 2])", read), "");
}
