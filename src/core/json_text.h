// Parsing JSON text from a named source: a syntax error becomes a one-line input error naming it.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace auhead {

nlohmann::json parse_json_text(const std::string& text, const std::string& source);
// Reads and parses a JSON file whose top level must be an object; every failure is an input error
// naming the file.
nlohmann::json read_json_object_file(const std::filesystem::path& file);

}  // namespace auhead
