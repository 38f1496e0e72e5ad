#include "auhead/dataset.h"
#include "train/render_shards.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "au/csv_lines.h"
#include "au_estimation/media_aus.h"
#include "audio2au/alm/alm_settings.h"
#include "audio2au/alm/au_answer.h"
#include "audio2au/alm/chat_prompt.h"
#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "core/progress.h"
#include "media/audio_decoder.h"
#include "media/wav_writer.h"

namespace auhead::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kRate = 16000;

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "M003/video/front/angry/level_1/001.mp4" -> "M003__video__front__angry__level_1__001".
std::string clip_id(const fs::path& relative) {
  std::string out;
  fs::path p = relative;
  p.replace_extension();
  for (const auto& part : p) {
    const std::string s = part.string();
    if (s.empty() || s == "." || s == "/") continue;
    if (!out.empty()) out += "__";
    for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') ? c : '_';
  }
  return out.empty() ? "clip" : out;
}

void make_ids_unique(std::vector<DatasetClip>& clips) {
  std::map<std::string, int> seen;
  for (auto& c : clips) {
    const int n = seen[c.id]++;
    if (n > 0) c.id += "_" + std::to_string(n + 1);
  }
}

std::optional<EmotionState> manifest_emotion(const std::string& label, const std::string& intensity, const std::string& where) {
  if (label.empty()) return std::nullopt;
  auto e = parse_emotion(lower(label));
  if (!e) throw input_error(where, "unknown emotion '" + label + "' (one of " + emotion_list() + ")");
  double v = 0.7;
  if (!intensity.empty()) {
    char* end = nullptr;
    v = std::strtod(intensity.c_str(), &end);
    if (end == intensity.c_str() || *end != '\0' || !std::isfinite(v) || v < 0 || v > 1)
      throw input_error(where, "intensity must be a number in [0, 1], got '" + intensity + "'");
  }
  return EmotionState{*e, float(v)};
}

}  // namespace

EmotionSource parse_emotion_source(const std::string& name) {
  if (name == "auto") return EmotionSource::automatic;
  if (name == "manifest") return EmotionSource::manifest;
  if (name == "mead") return EmotionSource::mead;
  if (name == "crema-d") return EmotionSource::crema_d;
  throw usage_error("--emotion-from must be auto, manifest, mead or crema-d, got '" + name + "'");
}

std::optional<EmotionState> emotion_from_mead_path(const fs::path& video) {
  std::vector<std::string> parts;
  for (const auto& p : video) parts.push_back(p.string());
  for (std::size_t i = 0; i + 2 < parts.size(); ++i) {
    static const std::regex level("level_([123])");
    std::smatch m;
    const std::string& lv = parts[i + 1];
    if (!std::regex_match(lv, m, level)) continue;
    auto e = parse_emotion(lower(parts[i]));
    if (!e) continue;
    return EmotionState{*e, float((m[1].str()[0] - '0') / 3.0)};
  }
  return std::nullopt;
}

std::optional<EmotionState> emotion_from_crema_d_name(const fs::path& video) {
  static const std::regex name("[0-9]+_[A-Za-z]+_(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX)");
  std::smatch m;
  const std::string stem = video.stem().string();
  if (!std::regex_match(stem, m, name)) return std::nullopt;
  static const std::map<std::string, Emotion> labels = {{"ANG", Emotion::angry}, {"DIS", Emotion::disgusted},
                                                        {"FEA", Emotion::fear},  {"HAP", Emotion::happy},
                                                        {"NEU", Emotion::neutral}, {"SAD", Emotion::sad}};
  static const std::map<std::string, float> levels = {{"LO", 1.f / 3}, {"MD", 2.f / 3}, {"HI", 1.f}, {"XX", 2.f / 3}};
  return EmotionState{labels.at(m[1].str()), levels.at(m[2].str())};
}

std::vector<DatasetClip> list_video_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw input_error(dir.string(), "not a folder of videos");
  static const std::set<std::string> kinds = {".mp4", ".mov", ".mkv", ".avi", ".flv", ".webm", ".m4v", ".mpg"};
  std::vector<DatasetClip> clips;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || !kinds.count(lower(it->path().extension().string()))) continue;
    clips.push_back({it->path(), clip_id(fs::relative(it->path(), dir)), std::nullopt});
  }
  if (ec) throw input_error(dir.string(), "cannot list: " + ec.message());
  std::sort(clips.begin(), clips.end(), [](const auto& a, const auto& b) { return a.video < b.video; });
  if (clips.empty()) throw input_error(dir.string(), "holds no videos (.mp4 .mov .mkv .avi .flv .webm .m4v .mpg)");
  make_ids_unique(clips);
  return clips;
}

std::vector<DatasetClip> read_dataset_manifest(const fs::path& manifest) {
  const std::string file = manifest.string();
  const fs::path base = manifest.parent_path();
  const std::string text = read_text_file(manifest);
  std::vector<DatasetClip> clips;
  auto add = [&](const std::string& video, const std::string& emotion, const std::string& intensity, const std::string& where) {
    if (video.empty()) throw input_error(where, "no video path");
    const fs::path p = fs::path(video).is_absolute() ? fs::path(video) : base / video;
    clips.push_back({p, clip_id(fs::path(video).is_absolute() ? fs::path(video).filename() : fs::path(video)),
                     manifest_emotion(emotion, intensity, where)});
  };
  if (lower(manifest.extension().string()) == ".json") {
    const json j = parse_json_text(text, file);
    if (!j.is_array()) throw input_error(file, "a JSON manifest is an array of {\"video\": ..., \"emotion\": ..., \"intensity\": ...}");
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string where = file + " item " + std::to_string(i + 1);
      const json& row = j[i];
      if (!row.is_object() || !row.contains("video") || !row["video"].is_string()) throw input_error(where, "needs a \"video\" string");
      std::string emotion, intensity;
      if (row.contains("emotion")) {
        if (!row["emotion"].is_string()) throw input_error(where, "\"emotion\" must be a string");
        emotion = row["emotion"].get<std::string>();
      }
      if (row.contains("intensity")) {
        if (!row["intensity"].is_number()) throw input_error(where, "\"intensity\" must be a number");
        std::ostringstream s;
        s << row["intensity"].get<double>();
        intensity = s.str();
      }
      add(row["video"].get<std::string>(), emotion, intensity, where);
    }
  } else {
    const auto lines = csv_lines(text, false);
    if (lines.empty()) throw input_error(file, "empty manifest");
    std::map<std::string, std::size_t> column;
    const auto header = csv_split(lines[0].text);
    for (std::size_t i = 0; i < header.size(); ++i) column[lower(std::string(header[i]))] = i;
    if (!column.count("video")) throw input_error(file + " line " + std::to_string(lines[0].number), "the header needs a 'video' column");
    for (std::size_t l = 1; l < lines.size(); ++l) {
      const std::string where = file + " line " + std::to_string(lines[l].number);
      const auto cells = csv_split(lines[l].text);
      if (cells.size() != header.size())
        throw input_error(where, std::to_string(cells.size()) + " cells, the header has " + std::to_string(header.size()));
      auto cell = [&](const char* name) { return column.count(name) ? std::string(cells[column[name]]) : std::string(); };
      add(cell("video"), cell("emotion"), cell("intensity"), where);
    }
  }
  if (clips.empty()) throw input_error(file, "lists no videos");
  make_ids_unique(clips);
  return clips;
}

DatasetReport build_alm_dataset(const DatasetOptions& o, const std::function<void(const fs::path&, const std::string&)>& on_clip) {
  if (!(o.max_seconds >= 0.2 && o.max_seconds <= 30)) throw usage_error("--max-seconds must be in [0.2, 30]");
  if (!(o.min_seconds >= 0.2 && o.min_seconds <= o.max_seconds)) throw usage_error("--min-seconds must be in [0.2, --max-seconds]");
  if (o.clips.empty()) throw usage_error("dataset: no clips");
  if (!(o.min_value >= 0 && o.min_value < 1)) throw usage_error("--min-au must be in [0, 1)");
  if (o.stage2_size != 0 && (o.stage2_size < 32 || o.stage2_size > 1024 || o.stage2_size % 4 != 0))
    throw usage_error("--stage2-size must be a multiple of 4 in [32, 1024]");
  const std::string system = o.system_prompt.empty() ? std::string(audio2au::alm::kDefaultSystemPrompt) : o.system_prompt;
  const std::string instruction = o.instruction.empty() ? std::string(audio2au::alm::kDefaultAuInstruction) : o.instruction;
  // Segments are whole answer frames long (0.2 s), so that every segment's frames start on the grid.
  const int64_t frame = audio2au::alm::kAnswerFrameSamples;
  const int64_t segment = int64_t(std::floor(o.max_seconds * kRate / double(frame) + 1e-9)) * frame;
  const int64_t shortest = int64_t(std::ceil(o.min_seconds * kRate));

  std::error_code ec;
  for (const char* sub : {"clips", "au", ".done", "stage2"}) {
    if (std::string(sub) == "stage2" && o.stage2_size <= 0) continue;
    fs::create_directories(o.output_dir / sub, ec);
    if (ec) throw output_error((o.output_dir / sub).string(), "cannot create: " + ec.message());
  }

  DatasetReport report;
  report.clips = int(o.clips.size());
  std::vector<std::string> lines;
  Progress progress("reading clips", int64_t(o.clips.size()));
  for (const DatasetClip& clip : o.clips) {
    const fs::path done = o.output_dir / ".done" / (clip.id + ".jsonl");
    std::string outcome;
    const bool stage2_done = o.stage2_size <= 0 || fs::exists(o.output_dir / "stage2" / (clip.id + ".json"), ec);
    if (fs::exists(done, ec) && stage2_done) {
      std::istringstream in(read_text_file(done));
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) {
          lines.push_back(line);
          ++report.samples;
          report.audio_seconds += json::parse(line).value("seconds", 0.0);
        }
      ++report.resumed;
      outcome = "done earlier";
    } else {
      try {
        std::optional<EmotionState> emotion;
        switch (o.emotion_source) {
          case EmotionSource::manifest: emotion = clip.emotion; break;
          case EmotionSource::mead: emotion = emotion_from_mead_path(clip.video); break;
          case EmotionSource::crema_d: emotion = emotion_from_crema_d_name(clip.video); break;
          case EmotionSource::automatic:
            emotion = clip.emotion ? clip.emotion : emotion_from_mead_path(clip.video);
            if (!emotion) emotion = emotion_from_crema_d_name(clip.video);
            break;
        }
        if (!emotion) throw input_error(clip.video.string(), "no emotion label (no manifest emotion, not a MEAD or CREMA-D name)");
        const media::Audio audio = media::decode_audio(clip.video, kRate, 1);
        const int64_t total = int64_t(audio.samples.size());
        if (total < shortest)
          throw input_error(clip.video.string(), "too short: " + std::to_string(double(total) / kRate).substr(0, 4) + " s of audio");
        const au_estimation::MediaAus read = au_estimation::estimate_video_aus(clip.video, o.face_index);
        const AuSequence at5 = resample(read.aus, audio2au::alm::kAnswerFps, clip.video.string());
        if (at5.frames.empty()) throw input_error(clip.video.string(), "no AU frames");
        write_au_file(o.output_dir / "au" / (clip.id + ".json"), read.aus);
        if (o.stage2_size > 0)
          report.stage2_frames += write_render_shards(clip.video, read, o.output_dir / "stage2", clip.id,
                                                      RenderShardOptions{o.stage2_size, 64});

        std::string record;
        const int64_t segments = (total + segment - 1) / segment;
        for (int64_t k = 0; k < segments; ++k) {
          const int64_t begin = k * segment, end = std::min(total, begin + segment);
          if (end - begin < shortest) continue;  // a short tail
          const std::string name = segments == 1 ? clip.id : clip.id + "_" + std::to_string(k);
          const fs::path wav = fs::path("clips") / (name + ".wav");
          media::write_wav_pcm16(o.output_dir / wav, std::span<const float>(audio.samples).subspan(std::size_t(begin), std::size_t(end - begin)), kRate);
          const int64_t frames = (end - begin + frame - 1) / frame;
          std::vector<AuFrame> answer;
          for (int64_t j = 0; j < frames; ++j) {
            AuFrame f = at5.frames[std::size_t(std::min<int64_t>(begin / frame + j, int64_t(at5.frames.size()) - 1))];
            for (auto& v : f) v = v < o.min_value ? 0.f : v;
            answer.push_back(f);
          }
          const json line = {{"messages", {{{"role", "system"}, {"content", system}},
                                           {{"role", "user"}, {"content", "<audio>" + instruction}},
                                           {{"role", "assistant"}, {"content", audio2au::alm::format_au_answer(emotion, answer)}}}},
                             {"audios", {wav.generic_string()}},
                             {"video", clip.video.string()},
                             {"seconds", double(end - begin) / kRate}};
          record += line.dump() + "\n";
          lines.push_back(line.dump());
          ++report.samples;
          report.audio_seconds += double(end - begin) / kRate;
        }
        write_text_file_atomic(done, record);
        outcome = "ok";
      } catch (const Error& e) {
        if (e.code() != ExitCode::bad_input && e.code() != ExitCode::unavailable) throw;
        std::string why = e.what();
        const std::string prefix = clip.video.string() + ": ";
        if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
        report.skipped.emplace_back(clip.video, why);
        outcome = "skipped: " + why;
      }
    }
    if (on_clip) on_clip(clip.video, outcome);
    progress.advance();
  }
  progress.finish();

  std::string jsonl, skipped = "clip\treason\n";
  for (const auto& l : lines) jsonl += l + "\n";
  for (const auto& [clip, why] : report.skipped) skipped += clip.string() + "\t" + why + "\n";
  if (lines.empty()) {
    write_text_file_atomic(o.output_dir / "skipped.tsv", skipped);
    throw input_error(o.output_dir.string(), "no clip gave a training sample (reasons in skipped.tsv)");
  }
  write_text_file_atomic(o.output_dir / "train.jsonl", jsonl);
  write_text_file_atomic(o.output_dir / "skipped.tsv", skipped);
  const json summary = {{"clips", report.clips},
                        {"samples", report.samples},
                        {"skipped", report.skipped.size()},
                        {"audio_seconds", report.audio_seconds},
                        {"max_seconds", double(segment) / kRate},
                        {"min_seconds", o.min_seconds},
                        {"min_au", o.min_value},
                        {"stage2_size", o.stage2_size},
                        {"answer_fps", audio2au::alm::kAnswerFps},
                        {"system_prompt", system},
                        {"instruction", instruction}};
  write_text_file_atomic(o.output_dir / "dataset.json", summary.dump(2) + "\n");
  return report;
}

}  // namespace auhead::train
