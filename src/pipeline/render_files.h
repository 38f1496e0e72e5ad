// Checks of a render's output paths, shared by the Renderer handle and the two-stage pipeline, which
// makes them before any long work.
#pragma once
#include "auhead/renderer.h"

namespace auhead {

// Usage error when nothing is to be written; output error when the video's or the frame folder's
// folder cannot take it.
void check_render_files(const RenderFiles& files);

}  // namespace auhead
