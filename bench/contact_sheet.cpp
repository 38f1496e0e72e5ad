// Contact sheet of the warp renderer's emotions (issue #14): for every portrait a row, for every
// emotion and intensity a close-up of one still frame (the emotion's prototype × intensity, mouth as
// the prototype has it, no head motion), labelled, written as one PNG. For looking at the frames.
// Usage: contact_sheet -o sheet.png [--tile 160] [--intensities 0.4,0.7,1.0]
//          [--emotions angry,fear,...] [--keep-portrait-expression] [--talking] [--talk-jaw J] [--talk-lips L]
//          [--mouth] [--score [--probe]] [--json] portrait...
// (--talking: every column mid-speech, the jaw at 0.3 and the lips apart 0.5, as in a video; --talk-jaw J
//  and --talk-lips L set that pose (and imply --talking);
//  --score: face-api's expression net reads every cell; its answer and the probability it gives the
//  requested emotion are printed (with their mean over the scored cells), the answer written under it;
//  --mouth: the cells show the mouth close up;
//  --probe: with --score, prints each portrait's own AUs and mouth-corner elevation (photo and
//  neutralised), and reads each cell again with one face region at a time blurred away (brows, eyes,
//  cheeks, nose, mouth, chin), printing how the read class's probability changes: which region
//  carries the expression the net sees)
#include <algorithm>
#include <cstdio>
#include <optional>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "auhead/au_edit.h"
#include "auhead/error.h"
#include "bench_options.h"
#include "au_estimation/au_estimator.h"
#include "au_estimation/portrait_neutral.h"
#include "eval/expression_net.h"
#include "face/face_analyzer.h"
#include "media/image_io.h"
#include "render/renderer.h"

namespace {

// The square around the face (landmark bounds, enlarged), clamped into the frame.
cv::Rect face_square(const cv::Mat& frame) {
  auto f = auhead::face::FaceAnalyzer::shared().analyze(frame, "frame");
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (const auto& p : f.landmarks) {
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  float side = std::max(x1 - x0, y1 - y0) * 1.15f, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2 - 0.03f * side;
  int s = std::min({int(side), frame.cols, frame.rows});
  int x = std::clamp(int(cx - s / 2.f), 0, frame.cols - s), y = std::clamp(int(cy - s / 2.f), 0, frame.rows - s);
  return {x, y, s, s};
}

void label(cv::Mat& img, const std::string& text, cv::Point at, double scale) {
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
}

// Face regions for --probe, as FaceMesh landmark indices whose hull (enlarged) is blurred.
const std::vector<std::pair<const char*, std::vector<int>>>& probe_regions() {
  static const std::vector<std::pair<const char*, std::vector<int>>> regions = {
      {"brows", {70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 9}},
      {"eyes", {33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380}},
      {"cheeks", {117, 118, 101, 36, 205, 187, 346, 347, 330, 266, 425, 411}},
      {"nose", {6, 197, 195, 5, 4, 1, 98, 327, 2}},
      {"mouth", {61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91}},
      {"chin", {18, 200, 199, 175, 152, 171, 396, 208, 428}},
  };
  return regions;
}

// `frame` with the hull of `points` (grown by 15 %) replaced by a heavy blur of itself.
cv::Mat blur_region(const cv::Mat& frame, const std::vector<cv::Point2f>& lm, const std::vector<int>& points) {
  std::vector<cv::Point2f> pts;
  for (int i : points) pts.push_back(lm[std::size_t(i)]);
  std::vector<cv::Point2f> hull;
  cv::convexHull(pts, hull);
  cv::Point2f c(0, 0);
  for (auto& p : hull) c += p;
  c *= 1.f / float(hull.size());
  std::vector<cv::Point> poly;
  for (auto& p : hull) poly.emplace_back(c + 1.15f * (p - c));
  cv::Mat mask = cv::Mat::zeros(frame.size(), CV_8U), blurred, out = frame.clone();
  cv::fillConvexPoly(mask, poly, 255);
  cv::GaussianBlur(frame, blurred, cv::Size(0, 0), 12);
  blurred.copyTo(out, mask);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"contact sheet of the warp renderer's emotions: close-ups per portrait, emotion and intensity"};
  auhead::bench::BenchReport report("contact_sheet");
  std::string out;
  int tile = 160;
  std::vector<float> intensities{0.4f, 0.7f, 1.0f};
  std::vector<std::string> emotions{"angry", "disgusted", "fear", "happy", "sad", "surprised", "contempt"};
  bool keep = false, talk = false, score = false, mouth = false, probe = false;
  float talk_jaw = 0.3f, talk_lips = 0.5f;  // the --talking pose
  std::vector<std::string> portraits;
  app.add_option("-o,--output", out, "the sheet (PNG)")->required();
  app.add_option("portraits", portraits, "portrait images, one row each")->required();
  app.add_option("--tile", tile, "cell side in pixels")->check(CLI::Range(16, 2048))->capture_default_str();
  app.add_option("--intensities", intensities, "emotion intensities, one column each")->delimiter(',')->allow_extra_args(false)->check(CLI::Range(0.0, 1.0));
  app.add_option("--emotions", emotions, "emotions, comma-separated")->delimiter(',')->allow_extra_args(false);
  app.add_flag("--keep-portrait-expression", keep, "no portrait neutralisation");
  app.add_flag("--talking", talk, "every column mid-speech: the jaw at 0.3, the lips apart 0.5");
  app.add_option("--talk-jaw", talk_jaw, "the talking pose's jaw drop (implies --talking)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--talk-lips", talk_lips, "the talking pose's lips part (implies --talking)")->check(CLI::Range(0.0, 1.0));
  app.add_flag("--score", score, "face-api's expression net reads every cell");
  app.add_flag("--mouth", mouth, "the cells show the mouth close up");
  app.add_flag("--probe", probe, "with --score: the portrait's own AUs, and each cell read again with one region blurred");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    if (app.count("--talk-jaw") + app.count("--talk-lips") > 0) talk = true;

    // Columns: neutral, then each emotion at each intensity.
    std::vector<std::pair<std::string, float>> cols{{"neutral", 0.f}};
    for (const auto& e : emotions)
      for (float v : intensities) cols.emplace_back(e, v);
    const int head = 22, side = 0;
    cv::Mat sheet(head + tile * int(portraits.size()), side + tile * int(cols.size()), CV_8UC3, cv::Scalar(40, 40, 40));
    for (std::size_t c = 0; c < cols.size(); ++c) {
      char text[64];
      std::snprintf(text, sizeof text, c == 0 ? "%s" : "%s %.1f", cols[c].first.c_str(), cols[c].second);
      label(sheet, text, {side + int(c) * tile + 4, 16}, std::min(0.42, tile / 280.0));
    }

    auhead::render::RendererOptions o;
    o.size = 512;
    o.still = true;
    o.keep_portrait_expression = keep;
    auto renderer = auhead::render::make_renderer("warp", o);
    std::optional<auhead::eval::ExpressionNet> net;
    if (score) net.emplace();
    int hits = 0, scored = 0;
    double asked_sum = 0;
    for (std::size_t r = 0; r < portraits.size(); ++r) {
      cv::Mat portrait = auhead::media::load_image_rgb(portraits[r]);
      if (probe) {  // the portrait's own AUs, as neutralisation takes them off
        auhead::AuFrame own = auhead::au_estimation::portrait_expression(
            portrait, auhead::face::FaceAnalyzer::shared().analyze(portrait, portraits[r]));
        report.text("%s\town AUs:", std::filesystem::path(portraits[r]).stem().c_str());
        for (std::size_t k = 0; k < own.size(); ++k)
          if (own[k] > 0.05f) report.text(" %s %.2f", std::string(auhead::au_info(int(k)).name).c_str(), own[k]);
        report.text("\n");
        const auto& est = auhead::au_estimation::AuEstimator::standard();
        auto fr = auhead::face::FaceAnalyzer::shared().analyze(portrait, portraits[r]);
        auhead::au_estimation::FaceAuEstimate fe;
        fe.aus = own;
        auto n = auhead::au_estimation::neutralised(fr.alignment.aligned, fe, est);
        auto elev = [&](const std::vector<cv::Point3f>& f) {
          float mid = 0.25f * (f[13].y + f[14].y + f[0].y + f[17].y);
          return std::pair(f[61].y - mid, f[291].y - mid);
        };
        auto [a0, b0] = elev(fr.alignment.aligned);
        auto [a1, b1] = elev(n);
        report.text("%s\tcorner elevation (cm): photo %.3f %.3f  neutralised %.3f %.3f  width %.3f\n",
                    std::filesystem::path(portraits[r]).stem().c_str(), a0, b0, a1, b1, n[291].x - n[61].x);
      }
      std::vector<cv::Mat> frames;
      for (const auto& [name, v] : cols) {  // one sequence per column: the renderer smooths over time
        auhead::AuSequence seq;
        seq.fps = 25;
        auhead::AuFrame f = auhead::emotion_prototype(auhead::parse_emotion_or_throw(name));
        for (auto& x : f) x *= v;
        if (talk) f[8] = std::max(f[8], talk_jaw), f[29] = std::max(f[29], talk_lips);  // mid-speech: jaw, lips apart
        seq.frames.push_back(f);
        renderer->render(seq, portrait, portraits[r], [&](const cv::Mat& m) { frames.push_back(m.clone()); });
      }
      cv::Rect box = face_square(frames[0]);
      if (mouth)  // a close-up of the mouth: the middle of the face square's lower part
        box = cv::Rect(box.x + box.width * 3 / 10, box.y + box.height * 6 / 10, box.width * 2 / 5, box.width * 2 / 5) &
              cv::Rect(0, 0, frames[0].cols, frames[0].rows);
      for (std::size_t c = 0; c < frames.size(); ++c) {
        cv::Mat cell;
        std::string said;
        if (net) {
          auto f = auhead::face::FaceAnalyzer::shared().analyze(frames[c], "frame");
          std::vector<cv::Point2f> lm;
          for (const auto& p : f.landmarks) lm.emplace_back(p.x, p.y);
          auto probs = net->predict({frames[c](auhead::eval::expression_crop(lm, frames[c].size())).clone()})[0];
          int best = int(std::max_element(probs.begin(), probs.end()) - probs.begin());
          std::string got(auhead::emotion_name(auhead::eval::expression_to_emotion(best)));
          char text[64];
          std::snprintf(text, sizeof text, "%s %.2f", got.c_str(), probs[best]);
          said = text;
          float asked = 0;  // the net's probability of the requested emotion
          for (std::size_t k = 0; k < probs.size(); ++k)
            if (auhead::emotion_name(auhead::eval::expression_to_emotion(int(k))) == cols[c].first) asked += probs[k];
          if (cols[c].first != "contempt") {
            ++scored;
            hits += got == cols[c].first;
            asked_sum += asked;
          }
          report.text("%s\t%s %.1f\t%s\tp(%s) %.2f\n", std::filesystem::path(portraits[r]).stem().c_str(),
                      cols[c].first.c_str(), cols[c].second, said.c_str(), cols[c].first.c_str(), asked);
          report.record("cell", {{"portrait", portraits[r]}, {"emotion", cols[c].first}, {"intensity", cols[c].second},
                                 {"read", got}, {"p_read", probs[best]}, {"p_requested", asked}, {"talking", talk}});
          if (probe) {
            cv::Rect crop = auhead::eval::expression_crop(lm, frames[c].size());
            report.text("  probe (%s without region):", got.c_str());
            for (const auto& [region, points] : probe_regions()) {
              cv::Mat img = blur_region(frames[c], lm, points);
              float p = net->predict({img(crop).clone()})[0][best];
              report.text(" %s %+.2f", region, p - probs[best]);
            }
            report.text("\n");
          }
        }
        cv::resize(frames[c](box), cell, cv::Size(tile, tile), 0, 0, cv::INTER_AREA);
        if (!said.empty()) label(cell, said, {4, tile - 6}, 0.38);
        cell.copyTo(sheet(cv::Rect(side + int(c) * tile, head + int(r) * tile, tile, tile)));
      }
      label(sheet, std::filesystem::path(portraits[r]).stem().string(), {4, head + int(r) * tile + 14}, 0.38);
      std::fprintf(stderr, "contact_sheet: %s\n", portraits[r].c_str());
    }
    auhead::media::write_png(out, sheet);
    if (net) {
      report.text("expression net: %d of %d cells read as their emotion; mean probability of the requested one %.3f\n",
                  hits, scored, scored ? asked_sum / scored : 0.0);
      report.record("summary", {{"portraits", portraits.size()}, {"scored", scored}, {"read_as_requested", hits},
                                {"mean_p_requested", scored ? asked_sum / scored : 0.0}});
    }
    report.text("contact_sheet: %d portraits x %zu columns -> %s\n", int(portraits.size()), cols.size(), out.c_str());
    return 0;
  });
}
