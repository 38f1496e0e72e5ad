#include "core/json_text.h"

#include "auhead/error.h"

namespace auhead {

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message starts with "[json.exception.parse_error.101] "; keep what follows.
    std::string what = e.what();
    auto pos = what.find("parse error");
    throw input_error(source, "not valid JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
  }
}

}  // namespace auhead
