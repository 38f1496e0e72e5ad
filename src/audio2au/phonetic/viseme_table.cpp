#include "audio2au/phonetic/viseme_table.h"

#include <mutex>
#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "core/json_text.h"
#include "core/atomic_file.h"
#include "core/data_path.h"

namespace auhead::audio2au::phonetic {

namespace {
// AU indices for a name; a name without _left/_right names both sides.
std::vector<int> au_indices(const std::string& name) {
  if (auto a = find_au(name)) return {*a};
  auto l = find_au(name + "_left"), r = find_au(name + "_right");
  if (l && r) return {*l, *r};
  return {};
}
}  // namespace

VisemeTable VisemeTable::load(const std::string& path) {
  nlohmann::json j = read_json_object_file(path);
  VisemeTable t;
  try {
    if (!j.contains("visemes") || !j["visemes"].is_object()) throw input_error(path, "no \"visemes\" object");
    if (!j.contains("phonemes") || !j["phonemes"].is_object()) throw input_error(path, "no \"phonemes\" object");
    for (auto& [name, v] : j["visemes"].items()) {
      Viseme vis;
      vis.name = name;
      const nlohmann::json aus = v.value("aus", nlohmann::json::object());
      for (auto& [au_name, value] : aus.items()) {
        auto idx = au_indices(au_name);
        if (idx.empty()) throw input_error(path, "viseme '" + name + "': unknown AU '" + au_name + "'");
        double x = value.get<double>();
        if (!(x >= 0 && x <= 1)) throw input_error(path, "viseme '" + name + "': " + au_name + " outside [0, 1]");
        for (int a : idx) {
          vis.aus[a] = float(x);
          t.speech_aus_[a] = true;
        }
      }
      vis.dominance = v.value("dominance", 1.0);
      vis.anticipation = v.value("anticipation", 0.04);
      vis.carryover = v.value("carryover", 0.04);
      vis.closure = v.value("closure", false);
      if (vis.dominance <= 0 || vis.anticipation <= 0 || vis.carryover <= 0)
        throw input_error(path, "viseme '" + name + "': dominance, anticipation and carryover must be > 0");
      if (v.contains("formants")) {
        auto f = v["formants"].get<std::vector<double>>();
        if (f.size() != 2 || f[0] <= 0 || f[1] <= f[0])
          throw input_error(path, "viseme '" + name + "': formants must be [F1, F2] in Hz");
        vis.f1 = float(f[0]);
        vis.f2 = float(f[1]);
      }
      t.visemes_[name] = vis;
    }
    if (!t.visemes_.count(t.rest_)) throw input_error(path, "no \"rest\" viseme");
    for (auto& [phone, v] : j["phonemes"].items()) {
      std::vector<std::string> names = v.is_array() ? v.get<std::vector<std::string>>()
                                                    : std::vector<std::string>{v.get<std::string>()};
      if (names.empty() || names.size() > 2) throw input_error(path, "phoneme '" + phone + "': give 1 or 2 visemes");
      for (auto& n : names)
        if (!t.visemes_.count(n)) throw input_error(path, "phoneme '" + phone + "': unknown viseme '" + n + "'");
      t.phones_[phone] = names;
    }
    // One phone per vowel viseme, the first (alphabetically) that maps to it alone.
    for (auto& [name, vis] : t.visemes_) {
      if (vis.f1 <= 0) continue;
      for (auto& [phone, names] : t.phones_)
        if (names.size() == 1 && names[0] == name) {
          t.vowels_.push_back({vis, phone});
          break;
        }
    }
    if (j.contains("loudness")) {
      const auto& l = j["loudness"];
      for (auto& n : l.value("aus", std::vector<std::string>{}))
        for (int a : au_indices(n)) t.loudness_aus_.push_back(a);
      t.loudness_floor_ = l.value("floor", 0.45f);
      t.loudness_gain_ = l.value("gain", 0.75f);
      t.loudness_exponent_ = l.value("exponent", 1.f);
    }
  } catch (const nlohmann::json::exception& ex) {
    throw input_error(path, std::string("malformed entry: ") + ex.what());
  }
  return t;
}

const VisemeTable& VisemeTable::standard() {
  static VisemeTable table;
  static std::once_flag once;
  std::call_once(once, [] { table = load(data_file("visemes.json").string()); });
  return table;
}

bool VisemeTable::is_vowel(const std::string& phone) const {
  auto it = phones_.find(phone);
  return it != phones_.end() && visemes_.at(it->second.front()).f1 > 0;
}

std::vector<VisemeSegment> VisemeTable::visemes(const PhoneTrack& phones) const {
  std::vector<VisemeSegment> out;
  out.reserve(phones.size() + phones.size() / 4);
  for (const auto& p : phones) {
    auto it = phones_.find(p.phone);
    if (it == phones_.end()) {
      out.push_back({&rest(), p.start, p.end});
      continue;
    }
    const auto& names = it->second;
    if (names.size() == 1) {
      out.push_back({&visemes_.at(names[0]), p.start, p.end, p.jaw});
    } else {
      double mid = 0.5 * (p.start + p.end);
      out.push_back({&visemes_.at(names[0]), p.start, mid, p.jaw});
      out.push_back({&visemes_.at(names[1]), mid, p.end, p.jaw});
    }
  }
  return out;
}

}  // namespace auhead::audio2au::phonetic
