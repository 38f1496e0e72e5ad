#include "audio2au/alm/alm_model_dir.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <system_error>

#include "audio2au/alm/chat_prompt.h"
#include "audio2au/alm/lora_merge.h"
#include "auhead/error.h"
#include "core/input_file.h"
#include "core/json_text.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;

namespace {

void require(const fs::path& file, const std::string& what) {
  if (!path_exists(file)) throw unavailable_error(file.string() + ": no such file (the alm AU generator needs " + what + ")");
}

BpeTokenizer load_tokenizer(const fs::path& dir, const Qwen2AudioConfig& config, fs::path& used) {
  if (path_exists(dir / "tokenizer.json")) {
    used = dir / "tokenizer.json";
    return BpeTokenizer::from_tokenizer_json(used);
  }
  if (path_exists(dir / "vocab.json") || path_exists(dir / "merges.txt")) {
    require(dir / "vocab.json", "vocab.json beside merges.txt");
    require(dir / "merges.txt", "merges.txt beside vocab.json");
    used = dir / "vocab.json";
    return BpeTokenizer::from_vocab_and_merges(dir / "vocab.json", dir / "merges.txt");
  }
  used = default_qwen_tokenizer_file();
  require(used, "a tokenizer: DIR/tokenizer.json, or the Qwen tokenizer that scripts/setup.sh installs");
  BpeTokenizer t = BpeTokenizer::from_tokenizer_json(used);
  const int64_t audio = config.audio_token_index;
  t.override_added_tokens({{kQwen2AudioToken, audio, true}, {kQwen2AudioBos, audio + 1, true}, {kQwen2AudioEos, audio + 2, true}});
  return t;
}

// The tokens the prompt needs exist, <|AUDIO|> is the model's audio token, and no id is beyond the
// model's vocabulary.
void check_tokenizer_fits(const BpeTokenizer& t, const fs::path& file, const Qwen2AudioConfig& config) {
  for (const char* token : {"<|im_start|>", "<|im_end|>", kQwen2AudioToken, kQwen2AudioBos, kQwen2AudioEos})
    if (t.token_to_id(token) < 0) throw input_error(file.string(), std::string("the tokenizer has no ") + token + " token");
  if (t.token_to_id(kQwen2AudioToken) != config.audio_token_index)
    throw input_error(file.string(), std::string(kQwen2AudioToken) + " is id " + std::to_string(t.token_to_id(kQwen2AudioToken)) +
                                         " but config.json's audio_token_index is " + std::to_string(config.audio_token_index));
  if (int64_t(t.vocab_size()) > config.text->vocab_size)
    throw input_error(file.string(), "the tokenizer has " + std::to_string(t.vocab_size()) + " tokens but the model's vocabulary only " +
                                         std::to_string(config.text->vocab_size));
}

}  // namespace

AlmModel load_alm_model_dir(const fs::path& dir, bool merge_adapter) {
  if (dir.empty()) throw usage_error("--au-generator alm needs --au-model DIR (a Qwen2-Audio checkpoint folder)");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw unavailable_error(dir.string() + ": no such folder (--au-model)");
  require(dir / "config.json", "the model configuration");
  if (!path_exists(dir / "model.safetensors.index.json")) require(dir / "model.safetensors", "the model weights");
  const Qwen2AudioConfig config = Qwen2AudioConfig::from_json_file(dir / "config.json");
  if (!config.text) throw input_error((dir / "config.json").string(), "no text_config: this is an audio tower, not a whole Qwen2-Audio");

  AlmModel m;
  m.tokenizer.emplace(load_tokenizer(dir, config, m.tokenizer_file));
  check_tokenizer_fits(*m.tokenizer, m.tokenizer_file, config);
  m.prompt = read_prompt_settings(dir / "auhead_alm.json");
  m.sampling = read_generation_config(dir / "generation_config.json");
  m.model = load_qwen2_audio(dir);
  for (const fs::path& adapter : {dir, dir / "adapter"})
    if (path_exists(adapter / "adapter_config.json")) {
      m.adapter_dir = adapter;
      if (merge_adapter) m.lora_modules = merge_peft_lora(*m.model, adapter);
      break;
    }
  return m;
}

}  // namespace auhead::audio2au::alm
