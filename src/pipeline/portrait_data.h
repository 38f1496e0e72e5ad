// What a public auhead::Portrait holds (include/auhead/renderer.h), for the library's handles.
#pragma once
#include <string>

#include <opencv2/core/mat.hpp>

#include "auhead/renderer.h"

namespace auhead {

struct Portrait::Data {
  cv::Mat rgb;  // CV_8UC3, never written after construction
  std::string name;
};

}  // namespace auhead
