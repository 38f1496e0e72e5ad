// The `phonetic` AU generator (Stage 1 default, no model weights): speech -> phones (accurate:
// pocketsphinx, fast: signal processing) -> visemes with coarticulation -> mouth AUs, plus emotion
// AUs (given, or estimated from prosody) modulated by emphasis, brow raises on stress, and blinks.
#pragma once
#include <span>
#include <string>

#include "audio2au/au_generator.h"
#include "auhead/au_plot.h"
#include "audio2au/phonetic/phone_segment.h"
#include "audio2au/phonetic/prosody_emotion.h"

namespace auhead::audio2au::phonetic {

struct PhoneticResult {
  AuSequence sequence;
  PhoneTrack phones;        // what the front end heard (for the plot's phoneme marks)
  ProsodyAnalysis prosody;  // the emotion estimate and its statistics
};

class PhoneticGenerator : public audio2au::AuGenerator {
 public:
  // Throws a usage error for a lipsync other than accurate|fast, fps outside (0, 1000] or an
  // emotion intensity outside [0, 1].
  explicit PhoneticGenerator(audio2au::AuGeneratorOptions options);

  AuSequence generate(std::span<const float> samples, const std::string& source) override;
  // The same, with the phones and prosody behind it. Errors: audio shorter than one output frame or
  // with non-finite samples is an input error naming `source`; silence gives a relaxed face with blinks.
  // `start_time`: where `samples` start in a longer stream (a streaming window), in seconds: the
  // blinks are the stream's own (the same seed gives the same blinks at the same stream times).
  PhoneticResult run(std::span<const float> samples, const std::string& source, double start_time = 0);
  // Phones of the last generate()/run() call.
  const PhoneTrack& last_phones() const { return last_phones_; }
  std::vector<PhoneMark> timeline() const override;

 private:
  PhoneTrack last_phones_;
};

// The phones as marks for write_au_plot().
std::vector<PhoneMark> phone_marks(const PhoneTrack& phones);

}  // namespace auhead::audio2au::phonetic
