// MediaPipe FaceMesh index sets the warp renderer needs: the face outline, and the openings of the
// mesh (mouth, eyes) as an upper and a lower lid/lip path from corner to corner, whose points pair up.
#pragma once
#include <array>

namespace auhead::render::warp {

// Face outline, clockwise in the image from the forehead top (10).
inline constexpr std::array<int, 36> kFaceOval = {10,  338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288,
                                                  397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
                                                  172, 58,  132, 93,  234, 127, 162, 21,  54,  103, 67,  109};

// An opening of the mesh: upper[i] pairs with lower[i]; both start and end at the same corners.
template <std::size_t N>
struct Opening {
  std::array<int, N> upper;
  std::array<int, N> lower;
};

// Inner lip line, from the right mouth corner (78, image left) to the left one (308).
inline constexpr Opening<11> kInnerLips = {{78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308},
                                           {78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308}};
// Outer lip line, same corners order.
inline constexpr Opening<11> kOuterLips = {{61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291},
                                           {61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291}};
// Eyes (the subject's right eye is on the image's left), from the outer to the inner corner.
inline constexpr Opening<9> kRightEye = {{33, 246, 161, 160, 159, 158, 157, 173, 133},
                                         {33, 7, 163, 144, 145, 153, 154, 155, 133}};
inline constexpr Opening<9> kLeftEye = {{263, 466, 388, 387, 386, 385, 384, 398, 362},
                                        {263, 249, 390, 373, 374, 380, 381, 382, 362}};

}  // namespace auhead::render::warp
