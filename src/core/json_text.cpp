#include "core/json_text.h"

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

}  // namespace auhead
