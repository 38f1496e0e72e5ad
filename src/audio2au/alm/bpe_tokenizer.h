// Byte-level BPE tokenizer of Qwen2 / Qwen2-Audio (GPT-2 family), read from a Hugging Face
// tokenizer.json (or vocab.json + merges.txt): added tokens first, NFC, Qwen2 split, byte map, merges.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace auhead::audio2au::alm {

struct AddedToken {
  std::string content;
  int64_t id = 0;
  bool special = false;
};

// The Qwen tokenizer that scripts/setup.d/30-qwen-tokenizer.sh installs:
// models_dir()/qwen/tokenizer.json (core/data_path.h).
std::filesystem::path default_qwen_tokenizer_file();

class BpeTokenizer {
 public:
  // tokenizer.json: model.type BPE with byte-level pre-tokenizer; the normalizer may be NFC or none
  // and the split pattern must be Qwen2's. Anything else is an input error naming the file.
  static BpeTokenizer from_tokenizer_json(const std::filesystem::path& file);
  // vocab.json + merges.txt; added tokens from tokenizer_config.json's added_tokens_decoder beside
  // vocab.json when present. NFC on, Qwen2 split.
  static BpeTokenizer from_vocab_and_merges(const std::filesystem::path& vocab_json,
                                            const std::filesystem::path& merges_txt);

  // Ids of `text` with no special tokens added (added tokens written in the text are single ids).
  std::vector<int64_t> encode(std::string_view text) const;
  // Text of `ids` (bytes joined; a sequence cut inside a UTF-8 character gives those raw bytes).
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = false) const;

  // Adds added tokens, replacing any that hold the same id (e.g. Qwen2-Audio's <|AUDIO|> 151646,
  // <|audio_bos|> 151647, <|audio_eos|> 151648 over a Qwen2.5/Qwen3 tokenizer.json).
  void override_added_tokens(const std::vector<AddedToken>& tokens);

  int64_t token_to_id(const std::string& token) const;  // -1 when absent
  const std::string& id_to_token(int64_t id) const;     // throws for an unknown id
  std::size_t vocab_size() const { return id_to_token_.size(); }  // including added tokens
  const std::vector<AddedToken>& added_tokens() const { return added_; }

 private:
  BpeTokenizer() = default;
  void finish(std::string source);
  void bpe(const std::string& piece_bytes, std::vector<int64_t>& out) const;
  void encode_plain(std::string_view text, std::vector<int64_t>& out) const;

  std::string source_;
  bool nfc_ = true;
  std::unordered_map<std::string, int64_t> vocab_;   // byte-mapped token string -> id
  std::unordered_map<std::string, int> merge_rank_;  // "left right" -> rank
  std::vector<std::string> id_to_token_;
  std::vector<bool> is_added_;
  std::vector<AddedToken> added_;                    // longest first
  std::string byte_to_unicode_[256];                 // UTF-8 of each byte's stand-in character
  std::unordered_map<char32_t, unsigned char> unicode_to_byte_;
};

}  // namespace auhead::audio2au::alm
