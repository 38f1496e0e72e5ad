#include "train/alm_chat_dataset.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/chat_prompt.h"
#include "audio2au/alm/whisper_logmel.h"
#include "auhead/error.h"
#include "core/json_text.h"
#include "media/audio_decoder.h"
#include "train/causal_lm_loss.h"

namespace auhead::train {

namespace fs = std::filesystem;

namespace {

std::string text_field(const nlohmann::json& turn, const std::string& where) {
  auto it = turn.find("content");
  if (it == turn.end() || !it->is_string()) throw input_error(where, "a message needs a text \"content\"");
  return it->get<std::string>();
}

AlmChatSample parse_line(const std::string& text, const fs::path& folder, const std::string& where) {
  const nlohmann::json j = parse_json_text(text, where);
  if (!j.is_object()) throw input_error(where, "a sample must be a JSON object");
  auto messages = j.find("messages");
  if (messages == j.end() || !messages->is_array()) throw input_error(where, "no \"messages\" list");
  AlmChatSample s;
  bool have_user = false, have_answer = false;
  for (const auto& turn : *messages) {
    if (!turn.is_object() || !turn.contains("role") || !turn["role"].is_string())
      throw input_error(where, "each message needs a \"role\"");
    const std::string role = turn["role"].get<std::string>();
    const std::string content = text_field(turn, where);
    if (role == "system" && !have_user && s.system.empty()) {
      s.system = content;
    } else if (role == "user" && !have_user) {
      have_user = true;
      const auto tag = content.find("<audio>");
      if (tag == std::string::npos) throw input_error(where, "the user turn has no <audio> tag");
      if (content.find("<audio>", tag + 1) != std::string::npos)
        throw input_error(where, "one clip per sample: the user turn has several <audio> tags");
      s.instruction = content.substr(0, tag) + content.substr(tag + 7);
    } else if (role == "assistant" && have_user && !have_answer) {
      have_answer = true;
      s.answer = content;
    } else {
      throw input_error(where, "messages must be [system,] user, assistant; got an extra \"" + role + "\" turn");
    }
  }
  if (!have_user || !have_answer) throw input_error(where, "a sample needs a user turn and an assistant answer");
  if (s.system.empty()) s.system = audio2au::alm::kDefaultSystemPrompt;
  // Leading and trailing blank lines around the tag are layout, not instruction.
  while (!s.instruction.empty() && (s.instruction.front() == '\n' || s.instruction.front() == ' ')) s.instruction.erase(0, 1);
  while (!s.instruction.empty() && (s.instruction.back() == '\n' || s.instruction.back() == ' ')) s.instruction.pop_back();

  nlohmann::json audios = j.contains("audios") ? j["audios"] : j.contains("audio") ? nlohmann::json::array({j["audio"]}) : nlohmann::json();
  if (!audios.is_array() || audios.size() != 1 || !audios[0].is_string() || audios[0].get<std::string>().empty())
    throw input_error(where, "\"audios\" must list exactly one audio file");
  fs::path audio = audios[0].get<std::string>();
  s.audio = audio.is_absolute() ? audio : folder / audio;
  if (!fs::is_regular_file(s.audio)) throw input_error(where, s.audio.string() + ": no such audio file");
  audio2au::alm::parse_au_answer(s.answer, where + " (assistant answer)");
  return s;
}

}  // namespace

std::vector<AlmChatSample> read_alm_chat_jsonl(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(file.string(), fs::exists(file) ? "cannot read" : "no such file");
  if (fs::is_directory(file)) throw input_error(file.string(), "is a folder, not a JSONL file");
  const fs::path folder = file.parent_path();
  std::vector<AlmChatSample> out;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    AlmChatSample s = parse_line(text, folder, file.string() + " line " + std::to_string(line));
    s.line = line;
    out.push_back(std::move(s));
  }
  if (out.empty()) throw input_error(file.string(), "no training samples");
  return out;
}

AlmSampleEncoder::AlmSampleEncoder(audio2au::alm::Qwen2AudioModel model, const audio2au::alm::BpeTokenizer& tokenizer, int64_t max_tokens)
    : model_(std::move(model)), tokenizer_(tokenizer), max_tokens_(max_tokens) {}

EncodedAlmSample AlmSampleEncoder::encode(const AlmChatSample& sample) const {
  const std::string clip = sample.audio.string();
  const media::Audio audio = media::decode_audio(sample.audio);
  if (int64_t(audio.samples.size()) > audio2au::alm::kWhisperWindowSamples)
    throw input_error(clip, "longer than 30 s: a training clip must fit one Qwen2-Audio window (cut it, as `auhead dataset` does)");
  EncodedAlmSample e;
  {
    torch::NoGradGuard no_grad;
    audio2au::alm::Qwen2AudioModelImpl& m = *model_.ptr();
    const auto dtype = m.audio_tower->parameters().front().scalar_type();
    torch::Tensor mel = audio2au::alm::whisper_log_mel(audio.samples, int(m.config().audio.num_mel_bins)).unsqueeze(0);
    e.audio_embeds = m.encode_audio(mel.to(dtype), audio2au::alm::whisper_valid_frames(int64_t(audio.samples.size())));
  }
  const std::string prompt = audio2au::alm::chatml_prompt({{"system", sample.system}, {"user", sample.instruction, e.audio_embeds.size(1)}}, true);
  e.ids = tokenizer_.encode(prompt);
  e.labels.assign(e.ids.size(), kIgnoreIndex);
  const std::vector<int64_t> answer = tokenizer_.encode(sample.answer + "<|im_end|>");
  e.ids.insert(e.ids.end(), answer.begin(), answer.end());
  e.labels.insert(e.labels.end(), answer.begin(), answer.end());
  if (int64_t(e.ids.size()) > max_tokens_)
    throw input_error(clip, std::to_string(e.ids.size()) + " tokens with its answer, more than --max-tokens " + std::to_string(max_tokens_));
  return e;
}

}  // namespace auhead::train
