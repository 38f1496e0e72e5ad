// Parsing JSON text from a named source: a syntax error becomes a one-line input error naming it.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace auhead {

nlohmann::json parse_json_text(const std::string& text, const std::string& source);
// Reads and parses a JSON file whose top level must be an object; every failure is an input error
// naming the file.
nlohmann::json read_json_object_file(const std::filesystem::path& file);

// Strict readers for model and scheduler configs (issue #17: values that are absurd, zero, negative
// or fractional must not reach an allocation, a division or a loop). A setting that is absent or
// null keeps `fallback`; one of the wrong type or outside [lo, hi] is an input error naming the
// source and `prefix` + key ("bad config: text_config.hidden_size must be an integer in [1, 65536]").
int64_t config_int(const nlohmann::json& j, const std::string& key, int64_t fallback, int64_t lo, int64_t hi,
                   const std::string& source, const std::string& prefix = "");
double config_number(const nlohmann::json& j, const std::string& key, double fallback, double lo, double hi,
                     const std::string& source, const std::string& prefix = "");
// True when `v` holds an integer exactly (an integral float such as 32.0 included) within [lo, hi].
bool json_exact_int(const nlohmann::json& v, int64_t lo, int64_t hi, int64_t& out);
// A list of at most `max_len` integers, each in [lo, hi] (at least one element).
std::vector<int64_t> config_int_list(const nlohmann::json& j, const std::string& key, std::vector<int64_t> fallback,
                                     int64_t lo, int64_t hi, std::size_t max_len, const std::string& source,
                                     const std::string& prefix = "");

}  // namespace auhead
