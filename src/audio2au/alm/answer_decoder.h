// Constrained generation of an AU answer: after the prompt, each step keeps only the tokens whose
// bytes the answer grammar accepts, picks one (greedy or sampled) and stops when the answer is whole,
// so what comes out always parses and has exactly the asked number of frames.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "audio2au/alm/au_answer_grammar.h"
#include "audio2au/alm/qwen2_audio_model.h"
#include "audio2au/alm/token_sampler.h"
#include "audio2au/alm/vocabulary_trie.h"

namespace auhead::audio2au::alm {

struct DecodedAnswer {
  std::string text;
  std::vector<int64_t> ids;
  int64_t prompt_tokens = 0;
  double prefill_seconds = 0, decode_seconds = 0;  // wall time of the prompt pass and of the new tokens
};

// `prompt_embeds` (1, T, H) from Qwen2AudioModelImpl::embed(). With use_cache = false every step runs
// the whole sequence again (the reference the cached path is tested against). `on_frame(k)` is called
// when frame k closes.
DecodedAnswer decode_au_answer(Qwen2AudioModelImpl& model, const torch::Tensor& prompt_embeds,
                               const AuAnswerGrammar& grammar, const VocabularyTrie& vocabulary,
                               const SamplingSettings& sampling, bool use_cache = true,
                               const std::function<void(int)>& on_frame = {});

}  // namespace auhead::audio2au::alm
