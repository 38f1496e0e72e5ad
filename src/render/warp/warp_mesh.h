// The triangle mesh the portrait is warped with: the 468 face-mesh points, rings of anchors around
// the face and anchors on the frame border, with the canonical face's triangles inside the face, the
// mouth and eye openings closed by strips between paired lip/lid points, and a Delaunay
// triangulation of the rest of the frame. The rings follow the face outline's motion (expression
// and head motion) less and less with distance and the border stays put, so the background and hair
// bend smoothly instead of kinking at the face border; under the jaw they stop following within a
// short band, so that a dropping chin compresses the neck instead of dragging the collar.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

struct WarpMesh {
  // Points in frame pixel coordinates (pixel centres at integers): [0, face_points) the face mesh,
  // then the rings, then the border.
  std::vector<cv::Point2f> points;
  std::vector<std::array<int, 3>> triangles;
  int face_points = 0;
  int ring_begin = 0, border_begin = 0;
  // Per ring point (index - ring_begin): how it follows the outline: sum of weight × the outline
  // points' displacement (weights sum to the point's falloff, 1 at the outline → 0 far out).
  std::vector<std::vector<std::pair<int, float>>> follow;
};

// `face`: the portrait's 468 landmarks in frame pixel coordinates; `face_triangles`: the canonical
// face's triangles (indices < face.size()); `size`: the square frame's side.
WarpMesh build_warp_mesh(const std::vector<cv::Point2f>& face, const std::vector<std::array<int, 3>>& face_triangles,
                         int size);

// The mesh's target points for a frame: `face` (the moved face points), the rings following it,
// the border where it was. `out` is resized to mesh.points.size().
void mesh_targets(const WarpMesh& mesh, const std::vector<cv::Point2f>& face, std::vector<cv::Point2f>& out);
std::vector<cv::Point2f> mesh_targets(const WarpMesh& mesh, const std::vector<cv::Point2f>& face);

}  // namespace auhead::render::warp
