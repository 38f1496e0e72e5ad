// AU estimation accuracy and speed (README "Reading AUs from faces").
//   Round trip: random sparse AU sequences (several AUs at once, realistic ranges, neutral stretches,
//   blinks) rendered by the warp renderer with head motion on each portrait into an H.264 mp4, then
//   read back with the same code as `auhead au --video`; per-AU Pearson r and MAE over all portraits,
//   and the error on the neutral frames.
//   Transfer: each portrait driven by the previous portrait's video (as `generate --driving-video`
//   with --drive all), the output read back and compared with the AUs the driving video was made from.
//   Speed: the fit alone (both passes of a video, synthetic meshes, one thread) and `au --video` end to
//   end (decoding + face mesh + fit) against the video's duration.
//   Sweep (--sweep, instead of the above): each key AU alone (both sides), ramped 0 -> 1 -> 0 on every portrait, read
//   back; per AU the gain (least-squares slope of the read value on the rendered one), r, and the other
//   AUs it leaks into (their slopes): what the mesh sees of each AU and what the fit confuses it with.
// Usage: bench_au_estimation [--seconds S] [--seed N] [--keep DIR] [--sweep] [--json] [portrait ...]
//        (default portraits: examples/portrait.jpg examples/astronaut.png and examples/faces/*)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "au_estimation/au_estimator.h"
#include "au_estimation/driving.h"
#include "au_estimation/media_aus.h"
#include "auhead/error.h"
#include "bench_options.h"
#include "auhead/pipeline.h"
#include "build_config.h"
#include "core/progress.h"
#include "eval/stats.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace auhead;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Speech-free expression events over a neutral rest: each picks 1–3 AUs and ramps them in and out.
AuSequence random_sequence(double seconds, double fps, std::mt19937& rng) {
  static const int pool[] = {2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 18, 19, 20, 21, 23, 24, 25, 27, 28, 29};
  const int n = int(std::lround(seconds * fps));
  AuSequence s;
  s.fps = fps;
  s.frames.assign(n, AuFrame{});
  std::uniform_real_distribution<double> u(0, 1);
  int t = int(0.8 * fps);  // a neutral start
  while (t < n) {
    int len = int((0.6 + 1.2 * u(rng)) * fps), ramp = int(0.15 * fps) + 1;
    int count = 1 + int(u(rng) * 3);
    std::vector<std::pair<int, float>> aus;
    for (int i = 0; i < count; ++i) {
      int k = pool[int(u(rng) * std::size(pool))];
      bool sided = au_info(k).mirror >= 0;
      float v = float(0.3 + 0.7 * u(rng));
      aus.push_back({k, v});
      if (sided && u(rng) < 0.7) aus.push_back({au_info(k).mirror, v});  // mostly symmetric
    }
    for (int f = 0; f < len && t + f < n; ++f) {
      float env = float(std::min({1.0, double(f + 1) / ramp, double(len - f) / ramp}));
      for (auto [k, v] : aus) s.frames[t + f][k] = std::max(s.frames[t + f][k], v * env);
    }
    t += len + int((0.4 + 0.8 * u(rng)) * fps);  // then neutral again
  }
  // Blinks every 2–4 s, 4 frames (160 ms at 25 fps).
  for (double b = 1.0 + 2 * u(rng); b * fps + 4 < n; b += 2 + 2 * u(rng))
    for (int f = 0; f < 4; ++f) {
      int i = int(b * fps) + f;
      float v = (f == 0 || f == 3) ? 0.6f : 1.f;
      s.frames[i][0] = s.frames[i][1] = v;
    }
  return s;
}

// The warp renderer smooths every AU but the blinks with [1 2 1] / 4: compare against what it showed.
AuSequence as_rendered(const AuSequence& in) {
  AuSequence out = in;
  const int n = int(in.frames.size());
  for (int t = 0; t < n; ++t)
    for (int k = 2; k < kNumAus; ++k)
      out.frames[t][k] = 0.25f * in.frames[std::max(0, t - 1)][k] + 0.5f * in.frames[t][k] +
                         0.25f * in.frames[std::min(n - 1, t + 1)][k];
  return out;
}


// Least-squares slope of y on x through the origin.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  double xy = 0, xx = 0;
  for (size_t i = 0; i < x.size(); ++i) xy += x[i] * y[i], xx += x[i] * x[i];
  return xx > 0 ? xy / xx : 0;
}

// Each AU of `aus` alone (both sides of a sided one), one after the other: 0.6 s neutral, 1 s up to 1, 0.4 s held, 1 s down.
AuSequence sweep_sequence(const std::vector<int>& aus, double fps, std::vector<int>& which) {
  const int rest = int(0.6 * fps), up = int(fps), hold = int(0.4 * fps), span = rest + 2 * up + hold;
  AuSequence s;
  s.fps = fps;
  s.frames.assign(aus.size() * span + rest, AuFrame{});
  which.assign(s.frames.size(), -1);
  for (size_t a = 0; a < aus.size(); ++a)
    for (int f = 0; f < span; ++f) {
      const int t = int(a * span) + f;
      which[t] = int(a);
      const int g = f - rest;
      float v = 0;
      if (g >= 0 && g < up) v = float(g + 1) / up;
      else if (g >= up && g < up + hold) v = 1;
      else if (g >= up + hold) v = float(2 * up + hold - g) / up;
      s.frames[t][aus[a]] = std::max(0.f, v);
      if (au_info(aus[a]).mirror >= 0) s.frames[t][au_info(aus[a]).mirror] = std::max(0.f, v);  // both sides
    }
  return s;
}

void sweep(const bench::BenchReport& report, const std::vector<fs::path>& portraits, const std::vector<int>& aus,
           const fs::path& dir, unsigned seed) {
  // per swept AU: the rendered value and the 30 read values, pooled over the portraits
  std::vector<std::vector<double>> shown(aus.size());
  std::vector<std::vector<std::vector<double>>> read(aus.size(), std::vector<std::vector<double>>(kNumAus));
  for (const auto& portrait : portraits) {
    std::vector<int> which;
    AuSequence seq = sweep_sequence(aus, 25, which);
    RenderOptions ro;
    ro.image = portrait;
    ro.output = dir / (portrait.stem().string() + "_sweep.mp4");
    ro.size = 512;
    ro.seed = seed;
    render_video(seq, ro);
    const AuSequence got = au_estimation::estimate_video_aus(ro.output).aus;
    const AuSequence truth = as_rendered(seq);
    for (size_t t = 0; t < std::min(got.frames.size(), truth.frames.size()); ++t) {
      if (which[t] < 0) continue;
      const size_t a = size_t(which[t]);
      shown[a].push_back(truth.frames[t][aus[a]]);
      for (int k = 0; k < kNumAus; ++k) read[a][k].push_back(got.frames[t][k]);
    }
    report.text("swept %s\n", portrait.filename().string().c_str());
  }
  report.text("\n| AU alone | gain | r | leaks (slope > 0.1) |\n|---|---|---|---|\n");
  for (size_t a = 0; a < aus.size(); ++a) {
    std::vector<std::pair<double, int>> leaks;
    for (int k = 0; k < kNumAus; ++k)
      if (k != aus[a] && k != au_info(aus[a]).mirror) {
        const double g = slope(shown[a], read[a][k]);
        if (std::abs(g) > 0.1) leaks.push_back({g, k});
      }
    std::sort(leaks.begin(), leaks.end(), [](auto& x, auto& y) { return std::abs(x.first) > std::abs(y.first); });
    std::string text;
    for (auto [g, k] : leaks) text += std::string(au_info(k).name) + " " + std::to_string(g).substr(0, 5) + ", ";
    report.text("| %s | %.2f | %.2f | %s |\n", std::string(au_info(aus[a]).name).c_str(),
                slope(shown[a], read[a][aus[a]]), eval::pearson(shown[a], read[a][aus[a]]),
                text.empty() ? "-" : text.substr(0, text.size() - 2).c_str());
    nlohmann::json leak_fields = nlohmann::json::object();
    for (auto [g, k] : leaks) leak_fields[std::string(au_info(k).name)] = g;
    report.record("sweep", {{"au", std::string(au_info(aus[a]).name)}, {"gain", slope(shown[a], read[a][aus[a]])},
                            {"r", eval::pearson(shown[a], read[a][aus[a]])}, {"leaks", leak_fields}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"AU estimation: round trip through rendered videos, transfer, speed; or the per-AU sweep"};
  auhead::bench::BenchReport report("bench_au_estimation");
  double seconds = 12;
  unsigned seed = 1;
  fs::path keep;
  bool sweep_only = false;
  std::vector<fs::path> portraits;
  app.add_option("portraits", portraits, "portraits (default: the bundled ones and examples/faces/)");
  app.add_option("--seconds", seconds, "length of each random AU sequence")->check(CLI::Range(1.0, 600.0))->capture_default_str();
  app.add_option("--seed", seed, "seed of the random sequences and head motion")->capture_default_str();
  app.add_option("--keep", keep, "keep the rendered videos in this folder");
  app.add_flag("--sweep", sweep_only, "instead: each key AU alone, ramped, read back (gain, r, leaks)");
  auhead::bench::add_json_option(app, report);
  return auhead::bench::run_bench(app, report, argc, argv, [&] {
    const fs::path src = AUHEAD_SOURCE_DIR;
    if (portraits.empty()) {
      portraits = {src / "examples/portrait.jpg", src / "examples/astronaut.png"};
      if (fs::is_directory(src / "examples/faces"))
        for (const auto& e : fs::directory_iterator(src / "examples/faces")) portraits.push_back(e.path());
      std::sort(portraits.begin() + 2, portraits.end());
    }
    Progress::set_quiet(true);
    torch::set_num_threads(1);

    if (sweep_only) {
      torch::set_num_threads(2);
      const fs::path dir = keep.empty() ? fs::temp_directory_path() / ("auhead_bench_sweep_" + std::to_string(getpid())) : keep;
      fs::create_directories(dir);
      // Both sides of the sided key AUs, then the rest of the key list and the AUs emotions use.
      sweep(report, portraits, {0, 6, 4, 8, 11, 13, 27, 21, 18, 2, 24, 25, 23, 19, 20, 28, 29}, dir, seed);
      if (keep.empty()) fs::remove_all(dir);
      return 0;
    }

    // 1. Speed of the fit alone.
    {
      const auto& est = au_estimation::AuEstimator::standard();
      std::mt19937 rng(seed);
      std::normal_distribution<float> noise(0.f, 0.02f);
      std::vector<au_estimation::MeshFrame> frames(500);
      for (auto& f : frames) {
        f.aligned = est.canonical().vertices;
        for (auto& p : f.aligned) p += cv::Point3f(noise(rng), noise(rng), noise(rng));
      }
      auto t0 = Clock::now();
      auto e = est.estimate_sequence(frames, 25);
      double s = seconds_since(t0);
      report.text("fit: %zu frames in %.3f s = %.0f frames/s (both passes of a video, one thread)\n", frames.size(), s,
                  frames.size() / s);
      report.record("fit_speed", {{"frames", frames.size()}, {"seconds", s}, {"frames_per_s", frames.size() / s}, {"threads", 1}});
    }
    torch::set_num_threads(2);

    // 2. Round trip through rendered videos.
    const std::vector<int> key = {0, 1, 6, 7, 4, 5, 8, 11, 12, 13, 14, 27, 21, 18};
    std::vector<std::vector<double>> truth(kNumAus), est(kNumAus);
    std::vector<double> neutral_err(kNumAus, 0);
    int neutral_frames = 0;
    double video_seconds = 0, read_seconds = 0;
    std::mt19937 rng(seed);
    fs::path dir = keep.empty() ? fs::temp_directory_path() / ("auhead_bench_au_" + std::to_string(getpid())) : keep;
    fs::create_directories(dir);
    std::vector<AuSequence> shown_seqs, read_seqs;
    for (const auto& portrait : portraits) {
      AuSequence aus = random_sequence(seconds, 25, rng);
      RenderOptions ro;
      ro.image = portrait;
      ro.output = dir / (portrait.stem().string() + ".mp4");
      ro.size = 512;
      ro.seed = seed;
      render_video(aus, ro);
      write_au_file(dir / (portrait.stem().string() + "_truth.json"), aus);
      auto t0 = Clock::now();
      auto read = au_estimation::estimate_video_aus(ro.output);
      double rs = seconds_since(t0);
      read_seconds += rs;
      video_seconds += aus.duration_seconds();
      write_au_file(dir / (portrait.stem().string() + "_read.json"), read.aus);
      AuSequence shown = as_rendered(aus);
      shown_seqs.push_back(shown);
      read_seqs.push_back(read.aus);
      size_t n = std::min(shown.frames.size(), read.aus.frames.size());
      double mae = 0;
      for (size_t t = 0; t < n; ++t) {
        bool neutral = true;
        for (int k = 0; k < kNumAus; ++k) neutral = neutral && shown.frames[t][k] == 0;
        for (int k = 0; k < kNumAus; ++k) {
          truth[k].push_back(shown.frames[t][k]);
          est[k].push_back(read.aus.frames[t][k]);
          mae += std::abs(shown.frames[t][k] - read.aus.frames[t][k]);
          if (neutral) neutral_err[k] += read.aus.frames[t][k];
        }
        neutral_frames += neutral;
      }
      report.text("%-28s %zu frames, read in %.2f s (%.1fx real time), mean MAE %.3f, %d frames without a face\n",
                  portrait.filename().string().c_str(), n, rs, aus.duration_seconds() / rs, mae / (n * kNumAus),
                  read.missing_frames);
      report.record("round_trip_portrait", {{"portrait", portrait.string()}, {"frames", n}, {"read_s", rs},
                                            {"x_realtime", aus.duration_seconds() / rs}, {"mean_mae", mae / (n * kNumAus)},
                                            {"frames_without_face", read.missing_frames}});
    }
    report.text("\n| AU | Pearson r | MAE | mean on neutral frames |\n|---|---|---|---|\n");
    double mae_all = 0, worst_neutral = 0;
    for (int k = 0; k < kNumAus; ++k) {
      double mae = 0;
      for (size_t i = 0; i < truth[k].size(); ++i) mae += std::abs(truth[k][i] - est[k][i]);
      mae /= truth[k].size();
      mae_all += mae;
      double ne = neutral_frames ? neutral_err[k] / neutral_frames : 0;
      worst_neutral = std::max(worst_neutral, ne);
      bool is_key = std::find(key.begin(), key.end(), k) != key.end();
      report.text("| %s%s | %.3f | %.3f | %.3f |\n", std::string(au_info(k).name).c_str(), is_key ? " *" : "",
                  eval::pearson(truth[k], est[k]), mae, ne);
      report.record("round_trip_au", {{"au", std::string(au_info(k).name)}, {"key", is_key}, {"r", eval::pearson(truth[k], est[k])},
                                      {"mae", mae}, {"neutral_mean", ne}});
    }
    report.text("\nmean MAE over the 30 AUs: %.3f; worst AU mean on %d neutral frames: %.3f\n", mae_all / kNumAus,
                neutral_frames, worst_neutral);
    report.record("round_trip", {{"portraits", portraits.size()}, {"seconds", seconds}, {"mean_mae", mae_all / kNumAus},
                                 {"neutral_frames", neutral_frames}, {"worst_neutral_mean", worst_neutral}});

    // 3. Transfer: portrait i driven by the video of portrait i-1.
    if (portraits.size() >= 2) {
      std::vector<std::vector<double>> t_truth(kNumAus), t_est(kNumAus);
      for (size_t i = 0; i < portraits.size(); ++i) {
        const size_t from = (i + portraits.size() - 1) % portraits.size();
        RenderOptions ro;
        ro.image = portraits[i];
        ro.output = dir / (portraits[i].stem().string() + "_driven.mp4");
        ro.size = 512;
        ro.seed = seed;
        render_video(au_estimation::driving_aus(read_seqs[from], nullptr, au_estimation::DriveMode::all), ro);
        auto read = au_estimation::estimate_video_aus(ro.output);
        const AuSequence& known = shown_seqs[from];
        size_t n = std::min(known.frames.size(), read.aus.frames.size());
        for (size_t t = 0; t < n; ++t)
          for (int k = 0; k < kNumAus; ++k) {
            t_truth[k].push_back(known.frames[t][k]);
            t_est[k].push_back(read.aus.frames[t][k]);
          }
        report.text("transfer %s -> %s: %zu frames\n", portraits[from].filename().string().c_str(),
                    portraits[i].filename().string().c_str(), n);
      }
      report.text("\n| AU (transfer: driven output vs the driving video's known AUs) | Pearson r | MAE |\n|---|---|---|\n");
      for (int k : key) {
        double mae = 0;
        for (size_t i = 0; i < t_truth[k].size(); ++i) mae += std::abs(t_truth[k][i] - t_est[k][i]);
        report.text("| %s | %.3f | %.3f |\n", std::string(au_info(k).name).c_str(), eval::pearson(t_truth[k], t_est[k]),
                    mae / std::max<size_t>(1, t_truth[k].size()));
        report.record("transfer_au", {{"au", std::string(au_info(k).name)}, {"r", eval::pearson(t_truth[k], t_est[k])},
                                      {"mae", mae / std::max<size_t>(1, t_truth[k].size())}});
      }
      report.text("\n");
    }
    report.text("au --video speed: %.1f s of 512x512 25 fps video read in %.1f s = %.2fx real time (2 threads)\n",
                video_seconds, read_seconds, video_seconds / read_seconds);
    report.record("au_video_speed", {{"video_s", video_seconds}, {"read_s", read_seconds},
                                     {"x_realtime", video_seconds / read_seconds}, {"threads", 2}});
    if (keep.empty()) fs::remove_all(dir);
    return 0;
  });
}
