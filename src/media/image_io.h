// Image reading and writing with OpenCV, in the RGB channel order the rest of auhead uses
// (OpenCV itself works in BGR); writes are atomic (temporary name, then rename).
#pragma once
#include <filesystem>

#include <opencv2/core.hpp>

namespace auhead::media {

// Reads png, jpg, webp (and the other formats OpenCV reads) as CV_8UC3 in RGB order. Greyscale is
// expanded to three channels, 16-bit is scaled to 8-bit, an alpha channel is composited over white,
// and JPEG EXIF orientation is applied (OpenCV's imread does it).
// Errors (auhead::Error, bad_input): "no such file", "is a folder, not a file", "cannot read: ...",
// "is empty", "not an image or corrupt".
cv::Mat load_image_rgb(const std::filesystem::path& file);

// Writes an RGB CV_8UC3 (or greyscale CV_8UC1) image as PNG, atomically. Output problems are
// auhead::Error with code output; an image of another type is an internal error (a bug).
void write_png(const std::filesystem::path& file, const cv::Mat& rgb);

}  // namespace auhead::media
