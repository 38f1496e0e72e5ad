// The Stage 1 training set: a JSONL file of chat samples in the conversation layout used to
// fine-tune Qwen2-Audio (one line per clip: system, a user turn with the audio and the instruction,
// the assistant's answer in the emotion-then-AU format), and the samples encoded as the model sees
// them — token ids, labels on the answer only, and the frozen audio tower's embeddings.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audio2au/alm/bpe_tokenizer.h"
#include "audio2au/alm/qwen2_audio_model.h"

namespace auhead::train {

// One line: {"messages": [{"role": "system", "content": S}, {"role": "user", "content": "<audio>I"},
// {"role": "assistant", "content": A}], "audios": ["clips/x.wav"]}. The system turn is optional;
// "<audio>" marks the clip in the user turn (it is removed: Qwen2-Audio's template writes the clip
// before the text); audio paths are relative to the JSONL file's folder.
struct AlmChatSample {
  std::filesystem::path audio;
  std::string system, instruction, answer;
  int line = 0;
};

// Reads and checks every line (blank lines skipped): the layout above, exactly one audio that
// exists, an answer that parses as an AU answer (alm/au_answer.h). Any fault is an input error naming
// the file and the line; an empty set is one too.
std::vector<AlmChatSample> read_alm_chat_jsonl(const std::filesystem::path& file);

struct EncodedAlmSample {
  std::vector<int64_t> ids, labels;  // labels: -100 on the prompt, the ids on answer + <|im_end|>
  torch::Tensor audio_embeds;        // (1, N, hidden), no gradient
};

// Turns samples into model inputs. The audio is decoded at 16 kHz mono and may be at most 30 s (one
// Qwen2-Audio window); longer clips and sequences over `max_tokens` are input errors naming the clip.
class AlmSampleEncoder {
 public:
  AlmSampleEncoder(audio2au::alm::Qwen2AudioModel model, const audio2au::alm::BpeTokenizer& tokenizer, int64_t max_tokens);
  EncodedAlmSample encode(const AlmChatSample& sample) const;

 private:
  audio2au::alm::Qwen2AudioModel model_;
  const audio2au::alm::BpeTokenizer& tokenizer_;
  int64_t max_tokens_;
};

}  // namespace auhead::train
