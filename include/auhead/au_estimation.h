// Reading AUs from faces (`auhead au --video/--image`): the face mesh of every frame, fitted in the
// pose-free canonical frame against the AU displacement basis. A video's neutral is estimated from its
// least expressive frames; a single photo is fitted under a shape prior so that a neutral face reads
// near zero. Notes (frames without a face, bridged by interpolation; several faces) go to hooks.log.
#pragma once
#include <filesystem>

#include "auhead/au_sequence.h"
#include "auhead/run_hooks.h"

namespace auhead {

// The AUs of the face in a video (any format FFmpeg reads), one frame per video frame, fps from the
// video; face_index chooses among several faces (-1 or 0: the largest). Errors (auhead::Error naming
// the file): not a video, corrupt or truncated, no face in any frame, a face_index beyond the faces.
AuSequence read_video_aus(const std::filesystem::path& video, int face_index = -1, const RunHooks& hooks = {});

// The AUs of the face in one photo: a sequence of one frame at 25 fps. Errors: those of image loading,
// no face found.
AuSequence read_image_aus(const std::filesystem::path& image, int face_index = -1, const RunHooks& hooks = {});

}  // namespace auhead
