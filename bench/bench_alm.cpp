// Bench for issue #8: the alm AU generator on a seeded random Qwen2-Audio of a chosen size. Prints
// the load time, the audio encoder time for one 30-s window, prefill and decode tokens/s, the decode
// cost per token early, midway and late in a long answer (flat when the KV cache works) against one
// uncached step, and a whole constrained answer for 10 s of audio with the grammar's share of it.
//   bench_alm [tiny|small|qwen2-0.5b] [--decode-tokens 512] [--threads N (default: all)] [--json]
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "audio2au/alm/alm_model_dir.h"
#include "audio2au/alm/answer_decoder.h"
#include "audio2au/alm/au_answer_grammar.h"
#include "audio2au/alm/chat_prompt.h"
#include "audio2au/alm/random_qwen2_audio.h"
#include "audio2au/alm/vocabulary_trie.h"
#include "audio2au/alm/whisper_logmel.h"
#include "auhead/error.h"
#include "bench_options.h"

using namespace auhead;
using namespace auhead::audio2au::alm;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
  CLI::App app{"the alm AU generator on a seeded random Qwen2-Audio: load, encoder, prefill, decode, a whole answer"};
  auhead::bench::BenchReport report("bench_alm");
  std::string size = "small";
  int decode_tokens = 512, threads = 0;
  app.add_option("size", size, "model size")->check(CLI::IsMember({"tiny", "small", "qwen2-0.5b"}))->capture_default_str();
  app.add_option("--decode-tokens", decode_tokens, "tokens decoded with the cache")->check(CLI::Range(6, 100000))->capture_default_str();
  app.add_option("--threads", threads, "libtorch threads (0: all)")->check(CLI::Range(0, 1024));
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    if (threads > 0) torch::set_num_threads(threads);
    std::string config;
    if (size == "tiny") config = qwen2_audio_config_json(64, 2, 64, 2, 4, 2, 128, true);
    else if (size == "small") config = qwen2_audio_config_json(256, 2, 512, 8, 8, 2, 1408, true);
    // Qwen2-0.5B's decoder (896 wide, 24 layers, 14 heads, 2 KV heads) behind a small audio tower.
    else if (size == "qwen2-0.5b") config = qwen2_audio_config_json(384, 4, 896, 24, 14, 2, 4864, true);
    else throw usage_error("size must be tiny, small or qwen2-0.5b");

    const fs::path dir = fs::temp_directory_path() / ("auhead_bench_alm_" + std::to_string(::getpid()));
    auto t0 = Clock::now();
    write_random_qwen2_audio(dir, config, 1);
    const double write_ms = ms_since(t0);
    t0 = Clock::now();
    AlmModel m = load_alm_model_dir(dir);
    const double load_ms = ms_since(t0);
    t0 = Clock::now();
    VocabularyTrie vocabulary(*m.tokenizer);
    const double trie_ms = ms_since(t0);
    Qwen2AudioModelImpl& model = *m.model;
    const auto& text = *model.config().text;
    int64_t params = 0;
    for (const auto& p : model.parameters()) params += p.numel();
    report.text("bench_alm: %s model (decoder %lld wide, %lld layers, %lld/%lld heads; %.1fM parameters), %d threads\n",
                size.c_str(), (long long)text.hidden_size, (long long)text.num_hidden_layers,
                (long long)text.num_attention_heads, (long long)text.num_key_value_heads, params / 1e6,
                torch::get_num_threads());
    report.text("  write random model   %8.0f ms\n  load folder          %8.0f ms\n  vocabulary trie      %8.0f ms\n",
                write_ms, load_ms, trie_ms);

    torch::InferenceMode guard;
    const auto audio = test_speech_signal(30.0);
    t0 = Clock::now();
    torch::Tensor mel = whisper_log_mel(audio, 128).unsqueeze(0);
    const double mel_ms = ms_since(t0);
    t0 = Clock::now();
    torch::Tensor audio_embeds = model.encode_audio(mel, whisper_valid_frames(int64_t(audio.size())));
    const double encode_ms = ms_since(t0);
    report.text("  log-mel, 30 s        %8.1f ms\n  audio encoder, 30 s  %8.1f ms (%lld embeddings)\n", mel_ms, encode_ms,
                (long long)audio_embeds.size(1));

    const std::string prompt = chatml_prompt({{"user", m.prompt.instruction, audio_embeds.size(1)}}, true, m.prompt.system_prompt);
    const std::vector<int64_t> ids = m.tokenizer->encode(prompt);
    torch::Tensor embeds = model.embed(torch::tensor(ids).unsqueeze(0), audio_embeds);
    KvCache cache;
    t0 = Clock::now();
    torch::Tensor logits = model.forward(embeds, &cache, true);
    const double prefill_ms = ms_since(t0);
    report.text("  prefill              %8.1f ms for %zu tokens = %.0f tokens/s\n", prefill_ms, ids.size(),
                ids.size() / (prefill_ms / 1e3));

    // Greedy decoding with the cache, timing each token.
    std::vector<double> step_ms;
    for (int i = 0; i < decode_tokens; ++i) {
      t0 = Clock::now();
      const int64_t next = logits[0][-1].argmax().item<int64_t>();
      logits = model.forward(model.language_model->embed(torch::full({1, 1}, next, torch::kLong)), &cache, true);
      step_ms.push_back(ms_since(t0));
    }
    auto mean = [&](int from, int n) {
      double s = 0;
      for (int i = from; i < from + n; ++i) s += step_ms[i];
      return s / n;
    };
    const int bucket = std::min(64, decode_tokens / 3);
    double total = 0;
    for (double v : step_ms) total += v;
    const double early = mean(0, bucket), mid = mean(decode_tokens / 2 - bucket / 2, bucket),
                 late = mean(decode_tokens - bucket, bucket);
    report.text("  decode (cached)      %8.2f ms/token = %.0f tokens/s over %d tokens\n", total / decode_tokens,
                decode_tokens / (total / 1e3), decode_tokens);
    report.text("    per token at positions %zu+: first %d %.2f ms, middle %.2f ms, last %.2f ms (last/first %.2f)\n",
                ids.size(), bucket, early, mid, late, late / early);
    // One uncached step at the final length: the whole sequence again.
    torch::Tensor whole = torch::cat({embeds, embeds.narrow(1, 0, decode_tokens)}, 1);
    t0 = Clock::now();
    model.forward(whole, nullptr, true);
    report.text("    one uncached step at %lld tokens: %.1f ms (%.0fx a cached one)\n", (long long)whole.size(1),
                ms_since(t0), ms_since(t0) / late);

    // A whole constrained answer for 10 s of speech (50 frames at 5 fps), greedy.
    const auto speech = test_speech_signal(10.0);
    torch::Tensor a10 = model.encode_audio(whisper_log_mel(speech, 128).unsqueeze(0), whisper_valid_frames(int64_t(speech.size())));
    const std::string p10 = chatml_prompt({{"user", m.prompt.instruction, a10.size(1)}}, true, m.prompt.system_prompt);
    torch::Tensor e10 = model.embed(torch::tensor(m.tokenizer->encode(p10)).unsqueeze(0), a10);
    AuGrammarOptions go;
    go.frames = 50;
    AuAnswerGrammar grammar(go);
    t0 = Clock::now();
    DecodedAnswer answer = decode_au_answer(model, e10, grammar, vocabulary, {});
    const double answer_ms = ms_since(t0);
    // The grammar's share: the trie walks of the same answer replayed alone.
    auto state = grammar.start();
    std::vector<int64_t> allowed;
    t0 = Clock::now();
    for (int64_t id : answer.ids) {
      allowed.clear();
      vocabulary.allowed(grammar, state, allowed);
      for (unsigned char c : vocabulary.bytes(id)) grammar.step(state, c);
    }
    const double grammar_ms = ms_since(t0);
    report.text("  constrained answer, 10 s speech: %zu tokens, %zu bytes in %.0f ms (prefill %.0f ms, %.0f tokens/s decoding);"
                " grammar %.3f ms/token (%.1f%%)\n",
                answer.ids.size(), answer.text.size(), answer_ms, answer.prefill_seconds * 1e3,
                answer.ids.size() / answer.decode_seconds, grammar_ms / answer.ids.size(), 100 * grammar_ms / answer_ms);
    report.text("    answer starts: %.80s...\n", answer.text.c_str());
    report.record("", {{"size", size}, {"threads", torch::get_num_threads()}, {"parameters", params}, {"load_ms", load_ms},
                       {"trie_ms", trie_ms}, {"logmel_30s_ms", mel_ms}, {"audio_encoder_30s_ms", encode_ms},
                       {"prefill_tokens", ids.size()}, {"prefill_ms", prefill_ms},
                       {"decode_tokens", decode_tokens}, {"decode_ms_per_token", total / decode_tokens},
                       {"decode_first_ms", early}, {"decode_middle_ms", mid}, {"decode_last_ms", late},
                       {"answer_10s_tokens", answer.ids.size()}, {"answer_10s_ms", answer_ms},
                       {"grammar_ms_per_token", grammar_ms / answer.ids.size()}});
    fs::remove_all(dir);
    return 0;
  });
}
