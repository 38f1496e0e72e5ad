// Finding the face in a portrait (`auhead face`): BlazeFace detection, then the 468-point FaceMesh
// (or the attention mesh's eyes and lips), written as JSON with the box, keypoints, head pose and the
// canonical alignment, and optionally drawn over the photo. What the renderers start from.
#pragma once
#include <filesystem>
#include <string>

#include "auhead/run_hooks.h"

namespace auhead {

struct FaceLandmarksOptions {
  std::filesystem::path image;     // portrait: png, jpg, webp, ...
  std::filesystem::path output;    // landmarks JSON to write
  std::filesystem::path overlay;   // optional: the mesh drawn over the portrait (.png or .jpg)
  int face_index = -1;             // which face when there are several (-1 or 0: the largest)
  std::string mesh = "face_mesh";  // face_mesh (FaceMesh v1, the points the renderers warp) | attention
};

// Writes the JSON (and the overlay), each atomically; returns how many faces the detector found (a
// warning goes to hooks.log when there are several and face_index was not given). Errors: the image's,
// no face found, an unwritable output, an overlay type OpenCV cannot write (usage error).
int write_face_landmarks(const FaceLandmarksOptions& options, const RunHooks& hooks = {});

}  // namespace auhead
