#include "eval/eval_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "auhead/au_plot.h"
#include "audio2au/phonetic/phonetic_generator.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "core/progress.h"
#include "au_estimation/au_estimator.h"
#include "eval/eval_plots.h"
#include "eval/image_metrics.h"
#include "eval/stats.h"
#include "face/face_analyzer.h"
#include "geometry/similarity_2d.h"
#include "media/audio_decoder.h"
#include "media/image_io.h"
#include "render/portrait_scene.h"

namespace fs = std::filesystem;

namespace auhead::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();


std::vector<cv::Point2f> xy(const std::vector<cv::Point3f>& p) {
  std::vector<cv::Point2f> o;
  o.reserve(p.size());
  for (const auto& q : p) o.emplace_back(q.x, q.y);
  return o;
}

struct FrameFace {
  bool found = false;
  std::vector<cv::Point3f> aligned;   // canonical cm
  face::HeadPose pose;
  std::vector<cv::Point2f> image;     // frame pixels
};

// Identity and stability over the frames (portrait optional).
IdentityMetrics identity_metrics(const std::vector<cv::Mat>& frames, const std::vector<FrameFace>& faces,
                                 const cv::Mat& portrait, const std::vector<cv::Point2f>& portrait_pts, double grow) {
  IdentityMetrics m;
  const cv::Size size = frames.front().size();
  // The animated region of each frame: its own face hull, and the first face's (where the face was).
  int first = -1;
  for (int i = 0; i < int(faces.size()); ++i)
    if (faces[i].found) {
      first = i;
      break;
    }
  std::vector<cv::Mat> statics(frames.size()), animated(frames.size());
  cv::Mat first_hull = first >= 0 ? hull_mask(size, faces[first].image, grow) : cv::Mat::zeros(size, CV_8UC1);
  for (size_t t = 0; t < frames.size(); ++t) {
    cv::Mat a = first_hull.clone();
    if (faces[t].found) a |= hull_mask(size, faces[t].image, grow);
    if (t > 0 && faces[t - 1].found) a |= hull_mask(size, faces[t - 1].image, grow);
    animated[t] = a;
    cv::bitwise_not(a, statics[t]);
  }
  auto f = flicker(frames, statics);
  m.flicker_static = f.mean, m.flicker_static_max = f.max;
  m.flicker_face = flicker(frames, animated).mean;

  std::vector<std::vector<cv::Point2f>> tracks;
  double iod = 0;
  for (const auto& ff : faces) {
    tracks.push_back(ff.found ? ff.image : std::vector<cv::Point2f>{});
    if (ff.found && iod == 0) iod = cv::norm(ff.image[33] - ff.image[263]);
  }
  m.landmark_jitter = landmark_jitter(tracks, iod);

  if (!portrait.empty() && first >= 0 && !portrait_pts.empty()) {
    m.has_portrait = true;
    cv::Matx23d A = geometry::fit_similarity_2d(portrait_pts, faces[first].image);
    // Downscale with area averaging first, so that the comparison is not hurt by aliasing.
    const double s = std::sqrt(std::abs(A(0, 0) * A(1, 1) - A(0, 1) * A(1, 0)));
    cv::Mat src = portrait;
    if (s < 0.9) {
      cv::resize(portrait, src, cv::Size(), s, s, cv::INTER_AREA);
      const double kx = double(src.cols) / portrait.cols, ky = double(src.rows) / portrait.rows;
      A = cv::Matx23d(A(0, 0) / kx, A(0, 1) / ky, A(0, 2), A(1, 0) / kx, A(1, 1) / ky, A(1, 2));
    }
    cv::Mat aligned, valid;
    cv::warpAffine(src, aligned, A, size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::warpAffine(cv::Mat(src.size(), CV_8UC1, cv::Scalar(255)), valid, A, size, cv::INTER_NEAREST,
                   cv::BORDER_CONSTANT, cv::Scalar(0));
    // Frame edges are padding in both: keep a margin of 2 px out of the comparison.
    cv::erode(valid, valid, cv::Mat(), cv::Point(-1, -1), 2);
    m.portrait_alignment = "landmark fit";
    // The warp renderer frames the portrait by its landmark box (the head then moves inside the
    // frame, so a fit to the moving face misplaces the static background): use that framing when
    // it matches the first frame better.
    if (size.width == size.height && size.width % 2 == 0) {
      render::Framing f = render::frame_portrait(portrait, portrait_pts, size.width);
      cv::Mat mask0 = statics[first];
      if (psnr(frames[first], f.image, mask0) > psnr(frames[first], aligned, mask0 & valid)) {
        aligned = f.image;
        valid = cv::Mat(size, CV_8UC1, cv::Scalar(255));
        m.portrait_alignment = "warp framing";
      }
    }
    std::vector<double> ps, ss;
    double frac = 0;
    for (size_t t = 0; t < frames.size(); ++t) {
      cv::Mat mask = statics[t] & valid;
      frac += double(cv::countNonZero(mask)) / (size.area());
      ps.push_back(psnr(frames[t], aligned, mask));
      ss.push_back(ssim(frames[t], aligned, mask));
    }
    m.psnr = nan_mean(ps), m.ssim = nan_mean(ss), m.psnr_min = nan_min(ps), m.ssim_min = nan_min(ss);
    m.static_fraction = frac / frames.size();
  }
  return m;
}

EmotionResult emotion_result(const std::vector<cv::Mat>& frames, const std::vector<FrameFace>& faces,
                             std::optional<Emotion> requested) {
  EmotionResult e;
  e.requested = requested;
  std::unique_ptr<ExpressionNet> net;
  try {
    net = std::make_unique<ExpressionNet>();
  } catch (const Error& err) {
    e.note = std::string("expression net unavailable: ") + err.what();
    return e;
  }
  std::vector<ExpressionProbs> probs;
  std::vector<cv::Mat> batch;
  auto flush = [&] {
    auto p = net->predict(batch);
    probs.insert(probs.end(), p.begin(), p.end());
    batch.clear();
  };
  for (size_t t = 0; t < frames.size(); ++t) {
    if (!faces[t].found) continue;
    cv::Rect r = expression_crop(faces[t].image, frames[t].size());
    if (r.width < 8 || r.height < 8) continue;
    batch.push_back(frames[t](r).clone());
    if (batch.size() == 32) flush();
  }
  if (!batch.empty()) flush();
  if (probs.empty()) {
    e.note = "no face to classify";
    return e;
  }
  e.available = true;
  for (const auto& p : probs) {
    for (int c = 0; c < kExpressionClasses; ++c) e.mean_probs[c] += p[c] / float(probs.size());
    e.votes[std::max_element(p.begin(), p.end()) - p.begin()]++;
  }
  e.predicted_class = int(std::max_element(e.mean_probs.begin(), e.mean_probs.end()) - e.mean_probs.begin());
  e.accuracy = kNaN;
  if (requested) {
    if (auto cls = emotion_to_expression(*requested)) {
      e.accuracy = double(e.votes[*cls]) / probs.size();
      e.correct = e.predicted_class == *cls;
    } else {
      e.note = "contempt has no face-api class: not scored";
    }
  }
  return e;
}

}  // namespace

EvalReport evaluate(const EvalOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  EvalReport r;
  std::optional<AuSequence> truth;
  if (!o.au_truth.empty()) truth = read_au_file(o.au_truth);
  std::optional<Emotion> requested = o.emotion;
  if (!requested && truth && truth->emotion) requested = truth->emotion->label;
  if (!o.plots_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.plots_dir, ec);
    if (!fs::is_directory(o.plots_dir)) throw output_error(o.plots_dir.string(), "cannot create the folder");
  }

  if (!o.au_pred.empty()) {
    if (!truth) throw usage_error("--au-pred needs --au-truth");
    AuSequence pred = read_au_file(o.au_pred);
    r.au = compare_aus(*truth, pred);
    r.au_compared = o.au_pred.string();
  }
  if (o.video.empty()) {
    if (!r.au) throw usage_error("--video is required (or give --au-pred with --au-truth)");
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }

  r.video = o.video.string();
  media::DecodedVideo video = media::read_video(o.video, o.max_frames);
  r.info = video.info;
  r.frames = int(video.frames.size());
  const double fps = r.info.fps > 0 ? r.info.fps : 25.0;

  // Face mesh on every frame.
  const face::FaceAnalyzer& analyzer = face::FaceAnalyzer::reader();
  r.landmark_model = face::mesh_model_name(analyzer.mesh_model());
  std::vector<FrameFace> faces(r.frames);
  {
    Progress bar("eval: face mesh", r.frames);
    for (int t = 0; t < r.frames; ++t) {
      try {
        face::FaceResult fr = analyzer.analyze(video.frames[t], r.video + ": frame " + std::to_string(t));
        faces[t].found = true;
        faces[t].aligned = fr.alignment.aligned;
        faces[t].pose = fr.alignment.pose;
        faces[t].image = xy(fr.landmarks);
        ++r.faces_found;
      } catch (const Error& e) {
        if (e.code() != ExitCode::bad_input) throw;  // "no face found" leaves the frame empty
      }
      bar.advance();
    }
  }
  if (r.faces_found == 0) throw input_error(r.video, "no face found in any frame");

  // All 30 AUs by the AU estimator, against a neutral face: the portrait's (neutralised as the
  // renderers neutralise it, unless the video kept the portrait's expression), else the video's own
  // least expressive frames.
  const au_estimation::AuEstimator& estimator = au_estimation::AuEstimator::standard();
  std::vector<au_estimation::MeshFrame> mesh(r.frames);
  for (int t = 0; t < r.frames; ++t)
    if (faces[t].found) mesh[t] = {faces[t].aligned, faces[t].pose};
  cv::Mat portrait;
  std::vector<cv::Point2f> portrait_pts;
  au_estimation::SequenceEstimate estimate;
  if (!o.portrait.empty()) {
    portrait = media::load_image_rgb(o.portrait);
    // The portrait's points as the renderers place them (their mesh gives the framing) ...
    portrait_pts = xy(face::FaceAnalyzer::shared().analyze(portrait, o.portrait.string()).landmarks);
    // ... and the portrait read as the video frames are read. The mesh reads a face a little
    // differently at another size and crop: read the portrait as the video shows it (the warp
    // renderer's framing at the video's size) when the video is square.
    const cv::Size vs = video.frames.front().size();
    std::optional<face::FaceResult> framed;
    if (vs.width == vs.height && vs.width % 2 == 0) {
      try {
        framed = analyzer.analyze(render::frame_portrait(portrait, portrait_pts, vs.width).image,
                                  o.portrait.string());
      } catch (const Error&) {
      }
    }
    if (!framed) framed = analyzer.analyze(portrait, o.portrait.string());
    const auto& aligned = framed->alignment.aligned;
    std::vector<cv::Point3f> neutral = aligned;
    if (!o.portrait_expression_kept)
      neutral = au_estimation::neutralised(aligned, estimator.estimate_photo_extended(aligned), estimator);
    estimate = estimator.estimate_sequence(mesh, fps, neutral);
    r.reference = o.portrait_expression_kept ? "portrait" : "portrait, neutralised";
  } else {
    estimate = estimator.estimate_sequence(mesh, fps);
    r.reference = "least expressive frames";
  }
  r.measured.fps = fps;
  r.measured.frames = std::move(estimate.aus);
  r.mouth_opening.assign(r.frames, kNaN);
  for (int t = 0; t < r.frames; ++t)
    if (faces[t].found) r.mouth_opening[t] = inner_lip_gap_cm(faces[t].aligned);
  if (truth && !r.au) {
    r.au = compare_aus(*truth, r.measured);
    r.au_compared = "measured";
  }

  // Lip sync against the audio (given, or the video's own track).
  std::optional<media::Audio> audio;
  const fs::path audio_file = o.audio.empty() ? o.video : o.audio;
  try {
    audio = media::decode_audio(audio_file);
  } catch (const Error& e) {
    if (!o.audio.empty()) throw;  // an explicit --audio must be readable
    r.lipsync_note = "no audio: the video has no audio track and no --audio was given";
  }
  audio2au::phonetic::PhoneTrack phones;
  if (audio) {
    if (o.phones != "none") {
      audio2au::AuGeneratorOptions go;
      go.lipsync = o.phones;
      go.fps = fps;
      audio2au::phonetic::PhoneticGenerator gen(go);
      phones = gen.run(audio->samples, audio_file.string()).phones;
    }
    r.lipsync = lipsync_metrics(r.mouth_opening, fps, audio->samples, audio->sample_rate, phones);
  }

  r.identity = identity_metrics(video.frames, faces, portrait, portrait_pts, o.region_grow);
  if (o.expression) r.emotion = emotion_result(video.frames, faces, requested);

  if (!o.plots_dir.empty()) {
    std::vector<PhoneMark> marks;
    if (!phones.empty()) marks = audio2au::phonetic::phone_marks(phones);
    const std::vector<int> shown = plotted_aus(r.measured, truth ? &*truth : nullptr);
    write_au_plot(o.plots_dir / "measured_aus.png", r.measured, marks, shown);
    if (truth) write_au_plot(o.plots_dir / "truth_aus.png", resample(*truth, fps), marks, shown);
    if (audio) {
      std::vector<double> mouth = r.mouth_opening;
      write_lipsync_plot(o.plots_dir / "lipsync.png", mouth,
                         energy_envelope_db(audio->samples, audio->sample_rate, fps, r.frames),
                         phones.empty() ? std::vector<double>{} : phone_openness(phones, fps, r.frames), fps);
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace auhead::eval
