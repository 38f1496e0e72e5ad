// ChatML prompts as Qwen2-Audio-Instruct's chat template writes them, with the audio placeholder
// expanded to one <|AUDIO|> per audio embedding (what Qwen2-Audio's processor does).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace auhead::audio2au::alm {

inline constexpr const char* kQwen2AudioBos = "<|audio_bos|>";
inline constexpr const char* kQwen2AudioToken = "<|AUDIO|>";
inline constexpr const char* kQwen2AudioEos = "<|audio_eos|>";
inline constexpr const char* kDefaultSystemPrompt = "You are a helpful assistant.";

struct ChatTurn {
  std::string role;  // system | user | assistant
  std::string text;
  int64_t audio_tokens = 0;  // > 0: this turn carries one audio clip of that many embeddings
};

// "<|audio_bos|>" + n x "<|AUDIO|>" + "<|audio_eos|>".
std::string audio_placeholder(int64_t audio_tokens);

// "<|im_start|>role\ncontent<|im_end|>\n" per turn, a user turn's audio written first as
// "Audio 1: <placeholder>\n" (numbered across the conversation); a default system turn when the
// first turn is not one; "<|im_start|>assistant\n" at the end when `add_generation_prompt`.
std::string chatml_prompt(const std::vector<ChatTurn>& turns, bool add_generation_prompt = true,
                          const std::string& default_system = kDefaultSystemPrompt);

}  // namespace auhead::audio2au::alm
