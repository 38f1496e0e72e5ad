// The settings files of an alm model folder besides its weights: DIR/auhead_alm.json (the prompt the
// model was fine-tuned with, the AUs it writes) and DIR/generation_config.json (how tokens are picked).
// Apart from the model loader so that readers and fuzzers need no model code.
#pragma once
#include <filesystem>
#include <string>

#include "audio2au/alm/sampling_settings.h"
#include "auhead/au.h"

namespace auhead::audio2au::alm {

inline constexpr const char* kDefaultAuInstruction =
    "Listen to the speech. First state the speaker's emotion and its intensity, then write the facial "
    "action units frame by frame at 5 frames per second.";

// DIR/auhead_alm.json (all keys optional): {"system_prompt": "...", "instruction": "...",
// "au_set": "auhead30" | "feafa24"} — the prompt the model was fine-tuned with and the AUs it writes.
struct AlmPromptSettings {
  std::string system_prompt = "You are a helpful assistant.";
  std::string instruction = kDefaultAuInstruction;
  AuSet au_set = AuSet::auhead30;
};

// The two optional settings files of DIR (defaults when absent); a malformed file, a value of the
// wrong type or out of range is an input error naming it.
AlmPromptSettings read_prompt_settings(const std::filesystem::path& auhead_alm_json);
SamplingSettings read_generation_config(const std::filesystem::path& generation_config_json);

}  // namespace auhead::audio2au::alm
