#include "au_estimation/driving.h"

#include <algorithm>

#include "auhead/error.h"

namespace auhead::au_estimation {

DriveMode parse_drive_mode(const std::string& name) {
  if (name == "all") return DriveMode::all;
  if (name == "upper") return DriveMode::upper;
  if (name == "pose") return DriveMode::pose;
  throw usage_error("--drive must be all, upper or pose, got '" + name + "'");
}

bool is_speech_au(int k) {
  static const int speech[] = {8, 9, 10, 13, 14, 15, 16, 17, 19, 20, 21, 28, 29};
  return std::find(std::begin(speech), std::end(speech), k) != std::end(speech);
}

bool is_upper_face_au(int k) { return (k >= 0 && k <= 7) || k == 23 || k == 24 || k == 25; }

AuSequence driving_aus(const AuSequence& video, const AuSequence* speech, DriveMode mode) {
  AuSequence out = video;
  out.au_set = AuSet::auhead30;
  if (speech) out.emotion = speech->emotion;
  for (size_t t = 0; t < out.frames.size(); ++t) {
    AuFrame s{};
    if (speech && !speech->frames.empty()) s = speech->frames[std::min(t, speech->frames.size() - 1)];
    AuFrame& f = out.frames[t];
    for (int k = 0; k < kNumAus; ++k) {
      bool from_video = mode == DriveMode::all ? !(speech && is_speech_au(k))
                        : mode == DriveMode::upper ? is_upper_face_au(k)
                                                   : false;
      if (!from_video) f[k] = s[k];
    }
  }
  return out;
}

}  // namespace auhead::au_estimation
