// The `accurate` acoustic front end: phones with timings from pocketsphinx all-phone decoding
// (Debian pocketsphinx-en-us acoustic model and phone language model) through its C API.
// Speed: the audio is cut at pauses into chunks of at most chunk_max seconds, decoded by `threads`
// decoders in parallel; beams, frame downsampling (ds) and top-N are in data/phonetic.json "accurate".
#pragma once
#include <span>
#include <vector>

#include "audio2au/phonetic/phone_segment.h"
#include "audio2au/phonetic/phonetic_params.h"
#include "audio2au/phonetic/signal_features.h"

namespace auhead::audio2au::phonetic {

// True when this build has pocketsphinx and its model files are installed.
bool pocketsphinx_available();

// Phones of 16 kHz mono speech; `frames` (from analyse_frames) place the chunk cuts in pauses, and
// chunks with no speech are not decoded. Fillers (+NSN+, +SPN+, ...) become "SIL". Throws an
// unavailable error when the model is missing.
PhoneTrack pocketsphinx_phones(std::span<const float> samples, const std::vector<FrameFeatures>& frames,
                               const AccurateParams& params);

}  // namespace auhead::audio2au::phonetic
