// What the alm AU generator loads from --au-model DIR: a Hugging Face Qwen2-Audio folder (config.json,
// model.safetensors or shards), its tokenizer (or the bundled Qwen one), an optional PEFT LoRA
// adapter merged at load, and optional prompt and sampling settings.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>

#include "audio2au/alm/bpe_tokenizer.h"
#include "audio2au/alm/qwen2_audio_model.h"
#include "audio2au/alm/alm_settings.h"

namespace auhead::audio2au::alm {

struct AlmModel {
  Qwen2AudioModel model{nullptr};
  std::optional<BpeTokenizer> tokenizer;
  std::filesystem::path tokenizer_file;  // where the tokenizer came from, for messages
  AlmPromptSettings prompt;
  SamplingSettings sampling;             // from DIR/generation_config.json (do_sample, temperature, top_k, top_p)
  int lora_modules = 0;                  // modules an adapter was merged into
  std::filesystem::path adapter_dir;     // the folder of the adapter found, if any
};

// Loads DIR. The tokenizer is DIR/tokenizer.json, else DIR/vocab.json + merges.txt, else the Qwen
// tokenizer of the set-up script with Qwen2-Audio's audio tokens at audio_token_index, +1, +2. A LoRA
// adapter is DIR/adapter_config.json or DIR/adapter/adapter_config.json. A missing folder or file is
// an unavailable error naming it; malformed files, mis-shaped or missing weights and a tokenizer that
// does not fit the model (special tokens, ids beyond the vocabulary) are input errors naming the file.
// With merge_adapter false the adapter is left alone (training loads its base that way) and
// AlmModel::adapter_dir says where it is.
AlmModel load_alm_model_dir(const std::filesystem::path& dir, bool merge_adapter = true);

}  // namespace auhead::audio2au::alm
