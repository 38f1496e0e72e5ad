#include "eval/eval_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "au/au_plot.h"
#include "audio2au/phonetic/phonetic_generator.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "core/progress.h"
#include "au_estimation/au_estimator.h"
#include "eval/image_metrics.h"
#include "face/face_analyzer.h"
#include "media/audio_decoder.h"
#include "media/image_io.h"
#include "render/warp/portrait_framing.h"

namespace fs = std::filesystem;

namespace auhead::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double nan_mean(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v)
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / n : kNaN;
}
double nan_min(const std::vector<double>& v) {
  double m = kNaN;
  for (double x : v)
    if (!std::isnan(x) && (std::isnan(m) || x < m)) m = x;
  return m;
}

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
    cv::Matx23d A = fit_similarity_2d(portrait_pts, faces[first].image);
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
      render::warp::Framing f = render::warp::frame_portrait(portrait, portrait_pts, size.width);
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

void write_lipsync_plot(const fs::path& png, const std::vector<double>& mouth, const std::vector<double>& env,
                        const std::vector<double>& open, double fps) {
  const int n = int(mouth.size());
  const int w = std::clamp(int(n / fps * 150), 900, 8000), h = 360, pad = 40;
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(255, 255, 255));
  auto draw = [&](const std::vector<double>& v, cv::Scalar colour, int band) {
    if (v.empty()) return;
    double lo = 1e300, hi = -1e300;
    for (double x : v)
      if (!std::isnan(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    if (!(hi > lo)) hi = lo + 1;
    const int top = pad + band * (h - 2 * pad) / 3, bh = (h - 2 * pad) / 3 - 10;
    cv::line(img, {pad, top + bh}, {w - pad, top + bh}, cv::Scalar(200, 200, 200));
    for (int i = 1; i < int(v.size()); ++i) {
      if (std::isnan(v[i]) || std::isnan(v[i - 1])) continue;
      auto pt = [&](int k) {
        return cv::Point(pad + int(double(k) / std::max(1, n - 1) * (w - 2 * pad)),
                         top + bh - int((v[k] - lo) / (hi - lo) * bh));
      };
      cv::line(img, pt(i - 1), pt(i), colour, 2, cv::LINE_AA);
    }
  };
  draw(mouth, cv::Scalar(200, 40, 40), 0);
  draw(env, cv::Scalar(40, 120, 40), 1);
  draw(open, cv::Scalar(40, 40, 200), 2);
  cv::putText(img, "mouth opening (measured)", {pad, pad - 8}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(200, 40, 40));
  cv::putText(img, "audio energy (dB)", {pad, pad + (h - 2 * pad) / 3 - 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(40, 120, 40));
  cv::putText(img, "phone openness", {pad, pad + 2 * (h - 2 * pad) / 3 - 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(40, 40, 200));
  for (int s = 0; s <= int(n / fps); ++s) {
    const int x = pad + int(s * fps / std::max(1, n - 1) * (w - 2 * pad));
    cv::putText(img, std::to_string(s) + "s", {x, h - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(80, 80, 80));
  }
  media::write_png(png, img);
}

}  // namespace

namespace {
// The AUs worth a plot: those that reach 0.1 in the measurement or in the truth (at most 12, the
// strongest first; the default chart's channels when none does).
std::vector<int> plotted_aus(const AuSequence& measured, const AuSequence* truth) {
  std::vector<std::pair<float, int>> peak;
  for (int au = 0; au < kNumAus; ++au) {
    float m = 0;
    for (const auto& f : measured.frames) m = std::max(m, f[au]);
    if (truth)
      for (const auto& f : truth->frames) m = std::max(m, f[au]);
    if (m >= 0.1f) peak.push_back({-m, au});
  }
  if (peak.empty()) return {};
  std::sort(peak.begin(), peak.end());
  if (peak.size() > 12) peak.resize(12);
  std::vector<int> aus;
  for (const auto& [m, au] : peak) aus.push_back(au);
  std::sort(aus.begin(), aus.end());
  return aus;
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
        framed = analyzer.analyze(render::warp::frame_portrait(portrait, portrait_pts, vs.width).image,
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
  phonetic::PhoneTrack phones;
  if (audio) {
    if (o.phones != "none") {
      audio2au::AuGeneratorOptions go;
      go.lipsync = o.phones;
      go.fps = fps;
      phonetic::PhoneticGenerator gen(go);
      phones = gen.run(audio->samples, audio_file.string()).phones;
    }
    r.lipsync = lipsync_metrics(r.mouth_opening, fps, audio->samples, audio->sample_rate, phones);
  }

  r.identity = identity_metrics(video.frames, faces, portrait, portrait_pts, o.region_grow);
  if (o.expression) r.emotion = emotion_result(video.frames, faces, requested);

  if (!o.plots_dir.empty()) {
    std::vector<PhoneMark> marks;
    if (!phones.empty()) marks = phonetic::phone_marks(phones);
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

namespace {

nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(std::round(v * 1e4) / 1e4) : nlohmann::json(); }

nlohmann::json au_json(const AuMetrics& m) {
  nlohmann::json j;
  j["frames"] = m.frames;
  j["threshold"] = m.threshold;
  j["mean"] = {{"mae", num(m.mean_mae)}, {"pearson", num(m.mean_pearson)}, {"precision", num(m.mean_precision)},
               {"recall", num(m.mean_recall)}};
  nlohmann::json per = nlohmann::json::object();
  for (const auto& c : m.channels)
    per[std::string(au_info(c.au).name)] = {{"index", c.au},           {"mae", num(c.mae)},
                                            {"pearson", num(c.pearson)}, {"precision", num(c.precision)},
                                            {"recall", num(c.recall)},   {"truth_active", c.truth_active},
                                            {"pred_active", c.pred_active}};
  j["per_au"] = per;
  return j;
}

std::string fmt(double v, int prec = 3) {
  if (!std::isfinite(v)) return "n/a";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

}  // namespace

nlohmann::json report_to_json(const EvalReport& r) {
  nlohmann::json j;
  j["format"] = "auhead.eval/1";
  if (!r.video.empty()) {
    j["video"] = r.video;
    j["width"] = r.info.width, j["height"] = r.info.height, j["fps"] = num(r.info.fps);
    j["frames"] = r.frames, j["faces_found"] = r.faces_found, j["reference"] = r.reference;
    j["landmark_model"] = r.landmark_model;
  }
  if (r.au) {
    j["au_accuracy"] = au_json(*r.au);
    j["au_accuracy"]["compared"] = r.au_compared;
  }
  if (!r.measured.frames.empty()) {
    nlohmann::json mean = nlohmann::json::object();
    for (int au = 0; au < kNumAus; ++au) {
      double s = 0;
      for (const auto& f : r.measured.frames) s += f[au];
      mean[std::string(au_info(au).name)] = num(s / r.measured.frames.size());
    }
    j["measured_aus_mean"] = mean;
  }
  if (r.lipsync) {
    const auto& l = *r.lipsync;
    j["lip_sync"] = {{"energy", {{"pearson", num(l.energy_r)}, {"pearson_at_0", num(l.energy_r_at_zero)},
                                 {"lag_ms", num(l.energy_lag_ms)}}}};
    if (l.has_phones)
      j["lip_sync"]["phones"] = {{"pearson", num(l.phone_r)},     {"pearson_at_0", num(l.phone_r_at_zero)},
                                 {"lag_ms", num(l.phone_lag_ms)}, {"bilabials", l.bilabials},
                                 {"bilabial_closed", num(l.bilabial_closed)}};
  } else if (!r.lipsync_note.empty()) {
    j["lip_sync"] = {{"note", r.lipsync_note}};
  }
  if (r.identity) {
    const auto& i = *r.identity;
    j["identity"] = {{"flicker_static", num(i.flicker_static)}, {"flicker_static_max", num(i.flicker_static_max)},
                     {"flicker_face", num(i.flicker_face)},     {"landmark_jitter", num(i.landmark_jitter)}};
    if (i.has_portrait) {
      j["identity"]["psnr"] = num(i.psnr), j["identity"]["ssim"] = num(i.ssim);
      j["identity"]["psnr_min"] = num(i.psnr_min), j["identity"]["ssim_min"] = num(i.ssim_min);
      j["identity"]["compared_fraction"] = num(i.static_fraction);
      j["identity"]["portrait_alignment"] = i.portrait_alignment;
    }
  }
  if (r.emotion) {
    const auto& e = *r.emotion;
    nlohmann::json ej;
    ej["available"] = e.available;
    if (!e.note.empty()) ej["note"] = e.note;
    if (e.available) {
      nlohmann::json p = nlohmann::json::object(), v = nlohmann::json::object();
      for (int c = 0; c < kExpressionClasses; ++c) {
        p[std::string(kExpressionLabels[c])] = num(e.mean_probs[c]);
        v[std::string(kExpressionLabels[c])] = e.votes[c];
      }
      ej["mean_probabilities"] = p;
      ej["frame_votes"] = v;
      ej["predicted"] = std::string(emotion_name(expression_to_emotion(e.predicted_class)));
      if (e.requested) {
        ej["requested"] = std::string(emotion_name(*e.requested));
        ej["frame_accuracy"] = num(e.accuracy);
        ej["correct"] = e.correct;
      }
    }
    j["emotion"] = ej;
  }
  j["seconds"] = num(r.seconds);
  return j;
}

std::string report_summary(const EvalReport& r) {
  std::ostringstream s;
  if (!r.video.empty())
    s << r.video << ": " << r.frames << " frames " << r.info.width << "x" << r.info.height << " @ " << fmt(r.info.fps, 2)
      << " fps, face in " << r.faces_found << " (reference: " << r.reference << ")\n";
  if (r.au) {
    s << "  AU accuracy (" << r.au_compared << " vs truth, " << r.au->frames << " frames): MAE "
      << fmt(r.au->mean_mae) << ", r " << fmt(r.au->mean_pearson) << ", precision " << fmt(r.au->mean_precision)
      << ", recall " << fmt(r.au->mean_recall) << " @" << r.au->threshold << "\n";
    for (const auto& c : r.au->channels) {
      if (c.truth_active == 0 && c.pred_active == 0) continue;  // an AU neither shows
      char line[160];
      std::snprintf(line, sizeof line, "    %-24s MAE %s  r %s  P %s  R %s\n", std::string(au_info(c.au).name).c_str(),
                    fmt(c.mae).c_str(), fmt(c.pearson).c_str(), fmt(c.precision).c_str(), fmt(c.recall).c_str());
      s << line;
    }
  }
  if (r.lipsync) {
    const auto& l = *r.lipsync;
    s << "  lip sync: mouth vs energy r " << fmt(l.energy_r) << " at " << fmt(l.energy_lag_ms, 0) << " ms (r "
      << fmt(l.energy_r_at_zero) << " at 0)";
    if (l.has_phones)
      s << "; vs phones r " << fmt(l.phone_r) << " at " << fmt(l.phone_lag_ms, 0) << " ms; p/b/m closed "
        << fmt(100 * l.bilabial_closed, 0) << "% of " << l.bilabials;
    s << "\n";
  } else if (!r.lipsync_note.empty()) {
    s << "  lip sync: " << r.lipsync_note << "\n";
  }
  if (r.emotion) {
    const auto& e = *r.emotion;
    if (!e.available) s << "  emotion: " << e.note << "\n";
    else {
      s << "  emotion: " << emotion_name(expression_to_emotion(e.predicted_class)) << " ("
        << fmt(e.mean_probs[e.predicted_class], 2) << ")";
      if (e.requested)
        s << ", requested " << emotion_name(*e.requested) << ": " << (e.correct ? "correct" : "wrong") << ", "
          << fmt(100 * e.accuracy, 0) << "% of frames";
      if (!e.note.empty()) s << " [" << e.note << "]";
      s << "\n";
    }
  }
  if (r.identity) {
    const auto& i = *r.identity;
    s << "  identity/stability:";
    if (i.has_portrait)
      s << " PSNR " << fmt(i.psnr, 2) << " dB, SSIM " << fmt(i.ssim) << " vs portrait outside the face ("
        << fmt(100 * i.static_fraction, 0) << "% of frame);";
    s << " flicker " << fmt(i.flicker_static, 2) << " (max " << fmt(i.flicker_static_max, 2) << "), face "
      << fmt(i.flicker_face, 2) << ", jitter " << fmt(i.landmark_jitter, 4) << "\n";
  }
  return s.str();
}

std::vector<EvalOptions> read_manifest(const fs::path& manifest, const EvalOptions& defaults) {
  const std::string name = manifest.string();
  nlohmann::json j = parse_json_text(read_text_file(manifest), name);
  if (!j.is_object() || !j.contains("videos") || !j["videos"].is_array())
    throw input_error(name, "expected {\"videos\": [...]}");
  const fs::path base = manifest.parent_path();
  auto path = [&](const nlohmann::json& e, const char* key) -> fs::path {
    if (!e.contains(key)) return {};
    if (!e[key].is_string()) throw input_error(name, std::string("\"") + key + "\" must be a string");
    fs::path p = e[key].get<std::string>();
    return p.is_absolute() ? p : base / p;
  };
  std::vector<EvalOptions> out;
  int i = 0;
  for (const auto& e : j["videos"]) {
    if (!e.is_object()) throw input_error(name, "videos[" + std::to_string(i) + "] is not an object");
    EvalOptions o = defaults;
    o.video = path(e, "video");
    o.audio = path(e, "audio");
    o.portrait = path(e, "portrait");
    o.au_truth = path(e, "au_truth");
    o.au_pred = path(e, "au_pred");
    o.plots_dir.clear();
    if (e.contains("emotion")) {
      auto em = parse_emotion(e["emotion"].is_string() ? e["emotion"].get<std::string>() : "");
      if (!em) throw input_error(name, "videos[" + std::to_string(i) + "]: unknown emotion (" + emotion_list() + ")");
      o.emotion = em;
    }
    if (o.video.empty() && o.au_pred.empty())
      throw input_error(name, "videos[" + std::to_string(i) + "]: needs \"video\" (or \"au_pred\" with \"au_truth\")");
    out.push_back(o);
    ++i;
  }
  if (out.empty()) throw input_error(name, "no videos listed");
  return out;
}

BatchReport aggregate(std::vector<EvalReport> reports) {
  BatchReport b;
  b.reports = std::move(reports);
  for (const auto& r : b.reports) {
    if (!r.emotion || !r.emotion->available || !r.emotion->requested) continue;
    if (!emotion_to_expression(*r.emotion->requested)) continue;  // contempt: no class
    const Emotion pred = expression_to_emotion(r.emotion->predicted_class);
    b.confusion[int(*r.emotion->requested)][int(pred)]++;
    b.emotion_scored++;
    b.emotion_correct += r.emotion->correct;
  }
  return b;
}

nlohmann::json batch_to_json(const BatchReport& b) {
  nlohmann::json j;
  j["format"] = "auhead.eval-batch/1";
  j["videos"] = nlohmann::json::array();
  std::vector<double> mae, r, er, pr, psnr, ssim, fl;
  for (const auto& rep : b.reports) {
    j["videos"].push_back(report_to_json(rep));
    if (rep.au) mae.push_back(rep.au->mean_mae), r.push_back(rep.au->mean_pearson);
    if (rep.lipsync) er.push_back(rep.lipsync->energy_r), pr.push_back(rep.lipsync->phone_r);
    if (rep.identity) {
      fl.push_back(rep.identity->flicker_static);
      if (rep.identity->has_portrait) psnr.push_back(rep.identity->psnr), ssim.push_back(rep.identity->ssim);
    }
  }
  nlohmann::json labels = nlohmann::json::array();
  for (int e = 0; e < kNumEmotions; ++e) labels.push_back(std::string(emotion_name(Emotion(e))));
  j["summary"] = {{"videos", b.reports.size()},
                  {"au_mae", num(nan_mean(mae))},
                  {"au_pearson", num(nan_mean(r))},
                  {"lipsync_energy_r", num(nan_mean(er))},
                  {"lipsync_phone_r", num(nan_mean(pr))},
                  {"psnr", num(nan_mean(psnr))},
                  {"ssim", num(nan_mean(ssim))},
                  {"flicker_static", num(nan_mean(fl))},
                  {"emotion_scored", b.emotion_scored},
                  {"emotion_accuracy", num(b.emotion_scored ? double(b.emotion_correct) / b.emotion_scored : kNaN)},
                  {"confusion_labels", labels},
                  {"confusion", b.confusion}};
  return j;
}

std::string batch_summary(const BatchReport& b) {
  std::ostringstream s;
  for (const auto& r : b.reports) s << report_summary(r);
  if (b.emotion_scored) {
    s << "emotion accuracy " << b.emotion_correct << "/" << b.emotion_scored << "; confusion (rows requested, columns predicted):\n";
    s << "            ";
    for (int e = 0; e < kNumEmotions; ++e) {
      char c[16];
      std::snprintf(c, sizeof c, "%6.5s", std::string(emotion_name(Emotion(e))).c_str());
      s << c;
    }
    s << "\n";
    for (int a = 0; a < kNumEmotions; ++a) {
      char c[32];
      std::snprintf(c, sizeof c, "%-12s", std::string(emotion_name(Emotion(a))).c_str());
      s << c;
      for (int p = 0; p < kNumEmotions; ++p) {
        std::snprintf(c, sizeof c, "%6d", b.confusion[a][p]);
        s << c;
      }
      s << "\n";
    }
  }
  return s.str();
}

}  // namespace auhead::eval
