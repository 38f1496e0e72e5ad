#include "audio2au/alm/answer_decoder.h"

#include <torch/torch.h>

#include <chrono>

#include "auhead/error.h"

namespace auhead::audio2au::alm {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

DecodedAnswer decode_au_answer(Qwen2AudioModelImpl& model, const torch::Tensor& prompt_embeds,
                               const AuAnswerGrammar& grammar, const VocabularyTrie& vocabulary,
                               const SamplingSettings& sampling, bool use_cache,
                               const std::function<void(int)>& on_frame) {
  torch::InferenceMode guard;
  TokenSampler sampler(sampling);
  DecodedAnswer out;
  out.prompt_tokens = prompt_embeds.size(1);
  Qwen2DecoderImpl& decoder = *model.language_model;
  KvCache cache;
  torch::Tensor sequence = prompt_embeds;
  auto t0 = std::chrono::steady_clock::now();
  torch::Tensor hidden = decoder.hidden_states(prompt_embeds, use_cache ? &cache : nullptr, true);
  out.prefill_seconds = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();

  AuAnswerGrammar::State state = grammar.start();
  std::vector<int64_t> allowed;
  // Every token adds at least one byte, so the grammar's length bound also bounds the steps.
  for (int64_t step = 0; !grammar.complete(state) && step <= grammar.max_length(); ++step) {
    allowed.clear();
    vocabulary.allowed(grammar, state, allowed);
    if (allowed.empty())  // a byte-level vocabulary holds every byte, so this would be a grammar bug
      throw Error(ExitCode::internal, "alm: no token continues the AU answer after \"" + out.text + "\"");
    // Only the allowed tokens' logits: the same choice as masking the full softmax.
    torch::Tensor logits = decoder.logits_for(hidden.reshape({-1}), torch::tensor(allowed, torch::kLong))
                               .to(torch::kFloat)
                               .contiguous();
    const int64_t next = allowed[sampler.pick({logits.data_ptr<float>(), allowed.size()})];
    const int before = state.frame;
    for (unsigned char c : vocabulary.bytes(next)) grammar.step(state, c);
    out.ids.push_back(next);
    out.text += vocabulary.bytes(next);
    if (on_frame)
      for (int k = before; k < state.frame; ++k) on_frame(k);
    if (grammar.complete(state)) break;
    torch::Tensor embed = decoder.embed(torch::full({1, 1}, next, torch::kLong));
    if (use_cache) {
      hidden = decoder.hidden_states(embed, &cache, true);
    } else {
      sequence = torch::cat({sequence, embed.to(sequence.scalar_type())}, 1);
      hidden = decoder.hidden_states(sequence, nullptr, true);
    }
  }
  out.decode_seconds = seconds_since(t0);
  if (!grammar.complete(state))  // each token adds a byte and max_length() bounds the bytes
    throw Error(ExitCode::internal, "alm: generation stopped before the answer was complete");
  return out;
}

}  // namespace auhead::audio2au::alm
