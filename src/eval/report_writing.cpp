// The evaluation report written out: the JSON document ("auhead.eval/1", "auhead.eval-batch/1") and
// the summaries printed on the terminal, for one video and for a batch.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "eval/eval_report.h"
#include "eval/stats.h"

namespace auhead::eval {

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
                  {"emotion_accuracy", num(b.emotion_scored ? double(b.emotion_correct) / b.emotion_scored : std::numeric_limits<double>::quiet_NaN())},
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
