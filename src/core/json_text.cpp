#include "core/json_text.h"

#include <cmath>

#include "auhead/error.h"
#include "core/atomic_file.h"

namespace auhead {

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message starts with "[json.exception.parse_error.101] "; keep what follows.
    std::string what = e.what();
    auto pos = what.find("parse error");
    throw input_error(source, "not valid JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
  } catch (const nlohmann::json::out_of_range&) {
    // e.g. a number such as 1e400 that no double holds (nlohmann's out_of_range.406)
    throw input_error(source, "not valid JSON: a number is out of range");
  }
}

nlohmann::json read_json_object_file(const std::filesystem::path& file) {
  nlohmann::json j = parse_json_text(read_text_file(file), file.string());
  if (!j.is_object()) throw input_error(file.string(), "expected a JSON object at the top level");
  return j;
}

namespace {

// A value as it appears in the file, short, escaped by the JSON serializer (no control characters).
std::string shown(const nlohmann::json& v) {
  std::string d = v.dump();
  return d.size() > 40 ? d.substr(0, 37) + "..." : d;
}

[[noreturn]] void bad_setting(const std::string& source, const std::string& name, const std::string& want,
                              const nlohmann::json& v) {
  throw input_error(source, "bad config: " + name + " must be " + want + " (got " + shown(v) + ")");
}

std::string range(double lo, double hi, bool integer) {
  auto f = [&](double x) {
    char b[32];
    std::snprintf(b, sizeof b, integer ? "%.0f" : "%g", x);
    return std::string(b);
  };
  return "[" + f(lo) + ", " + f(hi) + "]";
}

}  // namespace

bool json_exact_int(const nlohmann::json& v, int64_t lo, int64_t hi, int64_t& out) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > uint64_t(hi) || (lo > 0 && u < uint64_t(lo))) return false;
      out = int64_t(u);
      return true;
    }
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) return false;
    out = x;
    return true;
  }
  if (v.is_number_float()) {  // 32.0 is fine; 1.5, 1e300, NaN are not
    double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || d < double(lo) || d > double(hi)) return false;
    out = int64_t(d);
    return true;
  }
  return false;
}

int64_t config_int(const nlohmann::json& j, const std::string& key, int64_t fallback, int64_t lo, int64_t hi,
                   const std::string& source, const std::string& prefix) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
  int64_t out = 0;
  if (!json_exact_int(j.at(key), lo, hi, out)) bad_setting(source, prefix + key, "an integer in " + range(double(lo), double(hi), true), j.at(key));
  return out;
}

double config_number(const nlohmann::json& j, const std::string& key, double fallback, double lo, double hi,
                     const std::string& source, const std::string& prefix) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
  const auto& v = j.at(key);
  double d = v.is_number() ? v.get<double>() : std::nan("");
  if (!(d >= lo && d <= hi)) bad_setting(source, prefix + key, "a number in " + range(lo, hi, false), v);
  return d;
}

std::vector<int64_t> config_int_list(const nlohmann::json& j, const std::string& key, std::vector<int64_t> fallback,
                                     int64_t lo, int64_t hi, std::size_t max_len, const std::string& source,
                                     const std::string& prefix) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
  const auto& v = j.at(key);
  const std::string want = "a list of 1 to " + std::to_string(max_len) + " integers in " + range(double(lo), double(hi), true);
  if (!v.is_array() || v.empty() || v.size() > max_len) bad_setting(source, prefix + key, want, v);
  std::vector<int64_t> out;
  for (const auto& x : v) {
    int64_t n = 0;
    if (!json_exact_int(x, lo, hi, n)) bad_setting(source, prefix + key, want, v);
    out.push_back(n);
  }
  return out;
}

}  // namespace auhead
