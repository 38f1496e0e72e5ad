// Writes a Qwen2-Audio folder with seeded random weights (normal, std 0.02; norms at 1): config.json
// and model.safetensors, for tests and benchmarks that need a model of a given size but no checkpoint;
// and a test signal to feed it.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace auhead::audio2au::alm {

// `config_json` is a Hugging Face Qwen2-Audio config.json text (written as given).
void write_random_qwen2_audio(const std::filesystem::path& folder, const std::string& config_json, uint64_t seed);

// A config.json text: the audio tower and the Qwen2 decoder at the given sizes, the vocabulary and
// audio token ids of Qwen2-Audio (151936, 151646) so that the bundled Qwen tokenizer fits it. The
// audio tower has heads of 64 when its width allows, else `heads` heads.
std::string qwen2_audio_config_json(int audio_width, int audio_layers, int text_width, int text_layers,
                                    int heads, int kv_heads, int ffn, bool tie_embeddings);

// A speech-like test signal at 16 kHz: a tone gliding around 140 Hz in 4-Hz syllable bursts.
std::vector<float> test_speech_signal(double seconds);

}  // namespace auhead::audio2au::alm
