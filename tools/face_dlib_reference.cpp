// Reference landmarks for the face accuracy test (issue #3): dlib's HOG face detector and its
// 68-point shape predictor (Debian libdlib-dev, libdlib-data) on the bundled portrait and two
// variants of it (mirrored, rotated 15°). Built and run by scripts/face-dlib-reference.sh, which
// writes tests/face/dlib68_reference.json; the test compares FaceMesh with it without needing dlib.
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv.h>

#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

// The variants, exactly as tests/face/face_accuracy_test.cpp builds them.
static cv::Mat variant(const cv::Mat& bgr, const std::string& name) {
  cv::Mat out;
  if (name == "original") return bgr.clone();
  if (name == "mirrored") {
    cv::flip(bgr, out, 1);
    return out;
  }
  if (name == "rotated15") {
    cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(bgr.cols / 2.f, bgr.rows / 2.f), 15.0, 1.0);
    cv::warpAffine(bgr, out, m, bgr.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return out;
  }
  throw std::runtime_error("unknown variant " + name);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s portrait.jpg shape_predictor_68_face_landmarks.dat out.json\n", argv[0]);
    return 2;
  }
  cv::Mat bgr = cv::imread(argv[1]);
  if (bgr.empty()) return std::fprintf(stderr, "cannot read %s\n", argv[1]), 1;
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  dlib::shape_predictor sp;
  dlib::deserialize(argv[2]) >> sp;
  std::ofstream out(argv[3]);
  out << "{\n \"source\": \"dlib 19.24 get_frontal_face_detector + shape_predictor_68_face_landmarks.dat"
         " (tools/face_dlib_reference.cpp); pixel-index coordinates\",\n \"images\": {";
  const char* names[] = {"original", "mirrored", "rotated15"};
  for (int v = 0; v < 3; ++v) {
    cv::Mat img = variant(bgr, names[v]);
    dlib::cv_image<dlib::bgr_pixel> dimg(img);
    std::vector<dlib::rectangle> faces = detector(dimg);
    if (faces.size() != 1) return std::fprintf(stderr, "%s: %zu faces\n", names[v], faces.size()), 1;
    dlib::full_object_detection s = sp(dimg, faces[0]);
    out << (v ? ",\n" : "\n") << "  \"" << names[v] << "\": [";
    for (unsigned i = 0; i < s.num_parts(); ++i)
      out << (i ? ", " : "") << "[" << s.part(i).x() << ", " << s.part(i).y() << "]";
    out << "]";
  }
  out << "\n }\n}\n";
  return 0;
}
