// The triangle mesh the portrait is warped with: the 468 face-mesh points, a ring of anchors around
// the head (they follow head motion, not expressions) and anchors on the frame border (fixed), with
// the canonical face's triangles inside the face, the mouth and eye openings closed by strips
// between paired lip/lid points, and a Delaunay triangulation of the rest of the frame.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

namespace auhead::render::warp {

struct WarpMesh {
  // Points in frame pixel coordinates (pixel centres at integers): [0, face_points) the face mesh,
  // then the head ring, then the border.
  std::vector<cv::Point2f> points;
  std::vector<std::array<int, 3>> triangles;
  int face_points = 0;
  int ring_begin = 0, border_begin = 0;
  // How much each point follows the head motion: 1 for the face, less for the ring, 0 on the border.
  std::vector<float> head_weight;
};

// `face`: the portrait's 468 landmarks in frame pixel coordinates; `face_triangles`: the canonical
// face's triangles (indices < face.size()); `size`: the square frame's side.
WarpMesh build_warp_mesh(const std::vector<cv::Point2f>& face, const std::vector<std::array<int, 3>>& face_triangles,
                         int size);

// The mesh's points with the first face_points replaced by `face` (the anchors as built).
std::vector<cv::Point2f> mesh_points(const WarpMesh& mesh, const std::vector<cv::Point2f>& face);

}  // namespace auhead::render::warp
