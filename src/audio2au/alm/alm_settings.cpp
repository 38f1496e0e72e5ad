#include "audio2au/alm/alm_settings.h"

#include <nlohmann/json.hpp>

#include "audio2au/alm/token_sampler.h"
#include "auhead/error.h"
#include "core/input_file.h"
#include "core/json_text.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;

AlmPromptSettings read_prompt_settings(const fs::path& file) {
  AlmPromptSettings s;
  if (!path_exists(file)) return s;
  const nlohmann::json j = read_json_object_file(file);
  try {
    s.system_prompt = j.value("system_prompt", s.system_prompt);
    s.instruction = j.value("instruction", s.instruction);
    const std::string set = j.value("au_set", std::string(au_set_name(s.au_set)));
    auto parsed = parse_au_set(set);
    if (!parsed) throw input_error(file.string(), "au_set must be auhead30 or feafa24, got '" + set + "'");
    s.au_set = *parsed;
  } catch (const nlohmann::json::exception& e) {
    throw input_error(file.string(), std::string("bad prompt settings: ") + e.what());
  }
  return s;
}

SamplingSettings read_generation_config(const fs::path& file) {
  SamplingSettings s;
  if (!path_exists(file)) return s;
  const nlohmann::json j = read_json_object_file(file);
  try {
    if (j.value("do_sample", false)) {
      // Hugging Face's defaults when sampling; a value of the wrong type or beyond the range is refused.
      const std::string src = file.string();
      s.temperature = float(config_number(j, "temperature", 1.0, 0.0, 1e6, src));
      s.top_k = int(config_int(j, "top_k", 50, 0, 1 << 24, src));
      s.top_p = float(config_number(j, "top_p", 1.0, 0.0, 1.0, src));
    }
  } catch (const nlohmann::json::exception& e) {
    throw input_error(file.string(), std::string("bad generation settings: ") + e.what());
  }
  try {
    TokenSampler check(s);  // the sampler's own limits (JSON has no infinities, so they are these)
  } catch (const Error&) {
    throw input_error(file.string(), "bad generation settings: need temperature >= 0, top_k >= 0, 0 < top_p <= 1");
  }
  return s;
}

}  // namespace auhead::audio2au::alm
