// Parsing JSON text from a named source: a syntax error becomes a one-line input error naming it.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace auhead {

nlohmann::json parse_json_text(const std::string& text, const std::string& source);

}  // namespace auhead
