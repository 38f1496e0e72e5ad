#include "audio2au/alm/audio_windows.h"

#include <algorithm>
#include <array>

#include "audio2au/alm/au_answer.h"
#include "auhead/error.h"

namespace auhead::audio2au::alm {

std::vector<AudioWindow> plan_audio_windows(int64_t samples, int64_t window, int64_t overlap) {
  if (samples <= 0) throw usage_error("audio windows: no samples");
  if (window % kAnswerFrameSamples || overlap % kAnswerFrameSamples || overlap < 0 || overlap >= window)
    throw usage_error("audio windows: window and overlap must be multiples of 3200 with overlap < window");
  auto frames_of = [](int64_t n) { return int((n + kAnswerFrameSamples - 1) / kAnswerFrameSamples); };
  std::vector<AudioWindow> out;
  for (int64_t begin = 0;; begin += window - overlap) {
    const int64_t end = std::min(samples, begin + window);
    out.push_back({begin, end, int(begin / kAnswerFrameSamples), frames_of(end - begin)});
    if (end == samples) break;
  }
  return out;
}

std::vector<AuFrame> stitch_window_frames(const std::vector<AudioWindow>& windows,
                                          const std::vector<std::vector<AuFrame>>& frames) {
  if (windows.empty() || windows.size() != frames.size()) throw usage_error("audio windows: one frame list per window");
  const int total = windows.back().first_frame + windows.back().frames;
  std::vector<AuFrame> sum(total, AuFrame{});
  std::vector<double> weight(total, 0.0);
  for (std::size_t k = 0; k < windows.size(); ++k) {
    const AudioWindow& w = windows[k];
    if (int(frames[k].size()) != w.frames) throw usage_error("audio windows: window " + std::to_string(k) + " has the wrong frame count");
    const int end = w.first_frame + w.frames;
    const int previous_end = k > 0 ? windows[k - 1].first_frame + windows[k - 1].frames : w.first_frame;
    const int next_first = k + 1 < windows.size() ? windows[k + 1].first_frame : end;
    for (int j = w.first_frame; j < end; ++j) {
      double g = 1.0;
      if (j < previous_end) g *= (j - w.first_frame + 0.5) / (previous_end - w.first_frame);
      if (j >= next_first) g *= (end - j - 0.5) / (end - next_first);
      for (int a = 0; a < kNumAus; ++a) sum[j][a] += float(g * frames[k][j - w.first_frame][a]);
      weight[j] += g;
    }
  }
  for (int j = 0; j < total; ++j)
    for (float& v : sum[j]) v = std::clamp(float(v / weight[j]), 0.f, 1.f);
  return sum;
}

EmotionState combine_window_emotions(const std::vector<AudioWindow>& windows, const std::vector<EmotionState>& emotions) {
  if (windows.empty() || windows.size() != emotions.size()) throw usage_error("audio windows: one emotion per window");
  std::array<double, kNumEmotions> score{}, frames{}, intensity{};
  for (std::size_t k = 0; k < windows.size(); ++k) {
    const int e = int(emotions[k].label);
    score[e] += windows[k].frames * double(emotions[k].intensity);
    frames[e] += windows[k].frames;
    intensity[e] += windows[k].frames * double(emotions[k].intensity);
  }
  // The most frames × intensity; ties (all intensities 0 included) go to the most frames.
  int best = int(emotions[0].label);
  for (int e = 0; e < kNumEmotions; ++e)
    if (frames[e] > 0 && (score[e] > score[best] || (score[e] == score[best] && frames[e] > frames[best]))) best = e;
  return {Emotion(best), float(intensity[best] / frames[best])};
}

}  // namespace auhead::audio2au::alm
