// Phoneme -> viseme -> mouth AU targets, with the coarticulation parameters of each viseme, loaded
// from data/visemes.json (the file documents its fields) so that the mouth shapes are tuned as data.
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

#include "audio2au/phonetic/phone_segment.h"
#include "auhead/au_sequence.h"

namespace auhead::audio2au::phonetic {

struct Viseme {
  std::string name;
  AuFrame aus{};              // targets at full loudness
  double dominance = 1;       // weight inside its own segment
  double anticipation = 0.04; // decay constant before the segment, seconds
  double carryover = 0.04;    // decay constant after it, seconds
  bool closure = false;       // lips closed and held (p, b, m)
  float f1 = 0, f2 = 0;       // typical vowel formants (fast front end), 0 for non-vowels
};

// A stretch of time with one viseme: a phone segment, or half of a diphthong's.
struct VisemeSegment {
  const Viseme* viseme = nullptr;
  double start = 0, end = 0;
  float jaw = -1;  // measured jaw opening replacing the viseme's, < 0 for none
};

class VisemeTable {
 public:
  // Reads and checks the file; errors name the file and the bad entry.
  static VisemeTable load(const std::string& path);
  // The table in data/visemes.json, loaded once.
  static const VisemeTable& standard();

  // Viseme segments for phone segments; unknown phones (fillers such as "+NSN+") count as rest.
  std::vector<VisemeSegment> visemes(const PhoneTrack& phones) const;
  const Viseme& rest() const { return visemes_.at(rest_); }
  // Vowel visemes (those with formants) and one phone that shows each, for the fast front end.
  struct Vowel {
    Viseme viseme;
    std::string phone;
  };
  const std::vector<Vowel>& vowels() const { return vowels_; }
  // AUs scaled by loudness: factor = floor + gain * loudness.
  const std::vector<int>& loudness_aus() const { return loudness_aus_; }
  float loudness_floor() const { return loudness_floor_; }
  float loudness_gain() const { return loudness_gain_; }
  float loudness_exponent() const { return loudness_exponent_; }
  // Every AU some viseme moves (the speech channels).
  const std::array<bool, kNumAus>& speech_aus() const { return speech_aus_; }
  bool knows_phone(const std::string& phone) const { return phones_.count(phone) > 0; }
  // A phone whose (first) viseme has formants.
  bool is_vowel(const std::string& phone) const;

 private:
  std::map<std::string, Viseme> visemes_;
  std::map<std::string, std::vector<std::string>> phones_;  // phone -> 1 or 2 viseme names
  std::string rest_ = "rest";
  std::vector<Vowel> vowels_;
  std::vector<int> loudness_aus_;
  float loudness_floor_ = 0.45f, loudness_gain_ = 0.75f, loudness_exponent_ = 1.f;
  std::array<bool, kNumAus> speech_aus_{};
};

}  // namespace auhead::audio2au::phonetic
