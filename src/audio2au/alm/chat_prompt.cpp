#include "audio2au/alm/chat_prompt.h"

#include "auhead/error.h"

namespace auhead::audio2au::alm {

std::string audio_placeholder(int64_t audio_tokens) {
  if (audio_tokens <= 0) throw usage_error("audio placeholder: the clip must have at least one embedding");
  std::string s = kQwen2AudioBos;
  s.reserve(s.size() + static_cast<std::size_t>(audio_tokens) * 9 + 13);
  for (int64_t i = 0; i < audio_tokens; ++i) s += kQwen2AudioToken;
  return s + kQwen2AudioEos;
}

std::string chatml_prompt(const std::vector<ChatTurn>& turns, bool add_generation_prompt,
                          const std::string& default_system) {
  std::string out;
  if ((turns.empty() || turns.front().role != "system") && !default_system.empty())
    out += "<|im_start|>system\n" + default_system + "<|im_end|>\n";
  int audio_index = 0;
  for (const auto& t : turns) {
    if (t.role != "system" && t.role != "user" && t.role != "assistant")
      throw usage_error("chat prompt: unknown role '" + t.role + "'");
    out += "<|im_start|>" + t.role + "\n";
    if (t.audio_tokens > 0) out += "Audio " + std::to_string(++audio_index) + ": " + audio_placeholder(t.audio_tokens) + "\n";
    out += t.text + "<|im_end|>\n";
  }
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

}  // namespace auhead::audio2au::alm
