// Stage 1 of the paper: the audio-language model writes the emotion, then 5-fps AU frames, under
// the answer grammar; windows of 30 s are stitched and the frames resampled to the video rate.
// Registered as the `alm` AU generator.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "audio2au/alm/alm_model_dir.h"
#include "audio2au/alm/vocabulary_trie.h"
#include "audio2au/au_generator.h"

namespace auhead::audio2au::alm {

struct AlmWindowStats {
  int64_t prompt_tokens = 0, answer_tokens = 0;
  double encode_seconds = 0, prefill_seconds = 0, decode_seconds = 0;
};

class AlmGenerator : public audio2au::AuGenerator {
 public:
  // Loads options.model_dir (see load_alm_model_dir); sampling from the options, else the folder's
  // generation_config.json, else greedy.
  explicit AlmGenerator(const audio2au::AuGeneratorOptions& options);
  AuSequence generate(std::span<const float> samples, const std::string& source) override;

  // The raw answers and timings of the last generate(), one per window.
  const std::vector<std::string>& answers() const { return answers_; }
  const std::vector<AlmWindowStats>& stats() const { return stats_; }
  // With false, every token reruns the whole sequence (to test the cache against).
  void set_use_cache(bool use) { use_cache_ = use; }

 private:
  AlmModel loaded_;
  SamplingSettings sampling_;
  std::unique_ptr<VocabularyTrie> vocabulary_;
  std::vector<std::string> answers_;
  std::vector<AlmWindowStats> stats_;
  bool use_cache_ = true;
};

}  // namespace auhead::audio2au::alm
