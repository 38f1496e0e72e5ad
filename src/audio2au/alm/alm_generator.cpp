#include "audio2au/alm/alm_generator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "audio2au/alm/answer_decoder.h"
#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/audio_windows.h"
#include "audio2au/alm/chat_prompt.h"
#include "audio2au/alm/whisper_logmel.h"
#include "auhead/error.h"
#include "core/progress.h"

namespace auhead::audio2au::alm {

AlmGenerator::AlmGenerator(const audio2au::AuGeneratorOptions& options) : AuGenerator(options) {
  loaded_ = load_alm_model_dir(options.model_dir);
  sampling_ = loaded_.sampling;
  if (options.temperature) sampling_.temperature = *options.temperature;
  if (options.top_k) sampling_.top_k = *options.top_k;
  if (options.top_p) sampling_.top_p = *options.top_p;
  sampling_.seed = options.seed;
  TokenSampler check(sampling_);  // out-of-range settings fail here, before any audio is read
  vocabulary_ = std::make_unique<VocabularyTrie>(*loaded_.tokenizer);
}

AuSequence AlmGenerator::generate(std::span<const float> samples, const std::string& source) {
  if (samples.empty()) throw input_error(source, "no audio samples");
  torch::InferenceMode guard;
  Qwen2AudioModelImpl& model = *loaded_.model;
  const std::vector<AudioWindow> windows = plan_audio_windows(int64_t(samples.size()));
  const int total_frames = windows.back().first_frame + windows.back().frames;
  AuGrammarOptions grammar_options;
  grammar_options.au_count = au_set_width(loaded_.prompt.au_set);
  if (options_.emotion) grammar_options.emotion = EmotionState{*options_.emotion, options_.emotion_intensity};

  answers_.clear();
  stats_.clear();
  std::vector<std::vector<AuFrame>> frames;
  std::vector<EmotionState> emotions;
  int answer_frames = 0;  // frames shared by two windows are written twice
  for (const auto& w : windows) answer_frames += w.frames;
  Progress progress("writing AUs", answer_frames);
  for (std::size_t k = 0; k < windows.size(); ++k) {
    const AudioWindow& w = windows[k];
    AlmWindowStats stats;
    auto t0 = std::chrono::steady_clock::now();
    const std::span<const float> clip = samples.subspan(std::size_t(w.begin), std::size_t(w.end - w.begin));
    torch::Tensor mel = whisper_log_mel(clip, int(model.config().audio.num_mel_bins)).unsqueeze(0);
    torch::Tensor audio = model.encode_audio(mel, whisper_valid_frames(int64_t(clip.size())));
    stats.encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const std::string prompt = chatml_prompt({{"user", loaded_.prompt.instruction, audio.size(1)}}, true,
                                             loaded_.prompt.system_prompt);
    const std::vector<int64_t> ids = loaded_.tokenizer->encode(prompt);
    torch::Tensor embeds = model.embed(torch::tensor(ids, torch::kLong).unsqueeze(0), audio);

    grammar_options.frames = w.frames;
    const AuAnswerGrammar grammar(grammar_options);
    SamplingSettings sampling = sampling_;
    sampling.seed = options_.seed + k;  // each window its own stream, the same on every run
    DecodedAnswer answer =
        decode_au_answer(model, embeds, grammar, *vocabulary_, sampling, use_cache_, [&](int) { progress.advance(); });
    stats.prompt_tokens = answer.prompt_tokens;
    stats.answer_tokens = int64_t(answer.ids.size());
    stats.prefill_seconds = answer.prefill_seconds;
    stats.decode_seconds = answer.decode_seconds;
    stats_.push_back(stats);
    answers_.push_back(answer.text);

    const std::string where = source + " (alm answer" + (windows.size() > 1 ? " for window " + std::to_string(k + 1) : "") + ")";
    AuAnswer parsed = parse_au_answer(answer.text, where);
    if (int(parsed.frames.size()) != w.frames || !parsed.emotion)
      throw Error(ExitCode::internal, where + ": the answer does not have the asked shape");  // the grammar rules this out
    frames.push_back(std::move(parsed.frames));
    emotions.push_back(*parsed.emotion);
  }
  progress.finish();

  AuSequence seq;
  seq.fps = kAnswerFps;
  seq.au_set = loaded_.prompt.au_set;
  seq.emotion = combine_window_emotions(windows, emotions);
  seq.frames = stitch_window_frames(windows, frames);
  if (int(seq.frames.size()) != total_frames) throw Error(ExitCode::internal, source + ": stitched frame count differs");
  // 5 fps → the video rate (monotone cubic, frame j at t = j / 5 s), then exactly the audio's length.
  seq = resample(seq, options_.fps);
  const auto n = std::max<std::size_t>(1, std::size_t(std::llround(double(samples.size()) / 16000.0 * options_.fps)));
  seq.frames.resize(n, seq.frames.back());
  return seq;
}

}  // namespace auhead::audio2au::alm
