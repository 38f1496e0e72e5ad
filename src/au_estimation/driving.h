// Video-driven animation: what a driving video gives the portrait. Its AUs (read relative to its own
// neutral) and its head pose (relative to its first frame) are chosen by the drive mode; when speech
// is given too, the mouth's speech AUs come from it and the rest from the video.
#pragma once
#include <string>

#include "auhead/au_sequence.h"

namespace auhead::au_estimation {

enum class DriveMode {
  all,    // every AU and the head pose from the video
  upper,  // eyes, brows, cheeks and nose and the head pose from the video; the mouth from the speech (or still)
  pose,   // only the head pose from the video; the AUs from the speech (or none)
};
// "all", "upper", "pose"; a usage error otherwise.
DriveMode parse_drive_mode(const std::string& name);

// The AUs the mouth makes in speech (the viseme channels): jaw, jaw slides, lip stretch, lip sucks,
// jaw thrust, lower-lip depress, chin raise, pucker, lip tighten, lips part.
bool is_speech_au(int au);
// The upper face: eye closure, lid raise, brows, nose wrinkle, cheek raise, lid tighten.
bool is_upper_face_au(int au);

// `video`: the driving video's AUs with its head_pose track; `speech`: Stage 1's AUs of the audio at
// the same fps, or nullptr. The result has the video's length and fps (speech is cut or held at its
// last frame) and the video's head pose track.
AuSequence driving_aus(const AuSequence& video, const AuSequence* speech, DriveMode mode);

}  // namespace auhead::au_estimation
