#include "audio2au/alm/bpe_tokenizer.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audio2au/alm/qwen2_pretokenizer.h"
#include "build_config.h"
#include "audio2au/alm/unicode_text.h"
#include "auhead/error.h"
#include "core/data_path.h"
#include "core/json_text.h"

namespace auhead::audio2au::alm {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(file.string(), "cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json parse_json(const fs::path& file) {
  try {
    return json::parse(read_file(file));
  } catch (const json::exception& e) {
    throw input_error(file.string(), std::string("bad JSON: ") + e.what());
  }
}

// GPT-2's byte stand-ins: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards.
void build_byte_map(std::string (&b2u)[256], std::unordered_map<char32_t, unsigned char>& u2b) {
  int next = 0;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
    b2u[b] = u32_to_utf8(std::u32string(1, cp));
    u2b[cp] = static_cast<unsigned char>(b);
  }
}

// Token ids are integers below 2^24 (Qwen2's vocabulary has 151 665): a float, a negative id or one
// in the billions would be cut, wrap, or size the id table at gigabytes.
constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;
constexpr int64_t kSparseIdSlack = 65536;  // ids may run this far past twice the token count

int64_t token_id(const json& v, const std::string& source, const std::string& token) {
  int64_t id = 0;
  if (!json_exact_int(v, 0, kMaxTokenId, id))
    throw input_error(source, "token id of '" + token.substr(0, 40) + "' must be an integer in [0, " +
                                  std::to_string(kMaxTokenId) + "] (got " + v.dump().substr(0, 40) + ")");
  return id;
}

// BPE on one pre-token is quadratic in its length; words longer than this (none in any language, but
// a hostile text could be one 100 000-letter word) are cut into pieces of this many bytes first.
constexpr std::size_t kMaxBpeBytes = 1024;

}  // namespace

fs::path default_qwen_tokenizer_file() {
  return models_dir() / "qwen" / "tokenizer.json";
}

BpeTokenizer BpeTokenizer::from_tokenizer_json(const fs::path& file) {
  const json j = parse_json(file);
  const std::string src = file.string();
  BpeTokenizer t;
  try {
    const json& model = j.at("model");
    if (model.value("type", std::string()) != "BPE") throw input_error(src, "model.type is not BPE");
    for (auto it = model.at("vocab").begin(); it != model.at("vocab").end(); ++it)
      t.vocab_[it.key()] = token_id(it.value(), src, it.key());
    int rank = 0;
    for (const json& m : model.at("merges")) {
      std::string key;
      if (m.is_string()) key = m.get<std::string>();
      else key = m.at(0).get<std::string>() + " " + m.at(1).get<std::string>();
      t.merge_rank_.emplace(std::move(key), rank++);
    }
    // Normalizer: none or NFC (possibly inside a one-element Sequence).
    const json& norm = j.value("normalizer", json());
    t.nfc_ = false;
    if (!norm.is_null()) {
      std::vector<json> steps;
      if (norm.value("type", std::string()) == "Sequence") steps = norm.at("normalizers").get<std::vector<json>>();
      else steps.push_back(norm);
      for (const json& s : steps) {
        if (s.value("type", std::string()) == "NFC") t.nfc_ = true;
        else throw input_error(src, "unsupported normalizer " + s.dump());
      }
    }
    // Pre-tokenizer: Qwen2's Split followed by ByteLevel without its own regex.
    const json& pre = j.at("pre_tokenizer");
    bool split_ok = false;
    for (const json& p : pre.value("pretokenizers", std::vector<json>{pre})) {
      const std::string type = p.value("type", std::string());
      if (type == "Split") {
        const std::string pattern = p.at("pattern").value("Regex", std::string());
        if (pattern != kQwen2SplitPattern || p.value("behavior", std::string()) != "Isolated" || p.value("invert", false))
          throw input_error(src, "unsupported pre-tokenizer split " + p.dump() + " (this build implements Qwen2's)");
        split_ok = true;
      } else if (type == "ByteLevel") {
        if (p.value("use_regex", true) && !split_ok)
          throw input_error(src, "unsupported pre-tokenizer: ByteLevel with its own GPT-2 regex");
        if (p.value("add_prefix_space", false)) throw input_error(src, "unsupported pre-tokenizer: add_prefix_space");
      } else {
        throw input_error(src, "unsupported pre-tokenizer " + type);
      }
    }
    if (!split_ok) throw input_error(src, "pre-tokenizer has no Qwen2 split");
    for (const json& a : j.value("added_tokens", json::array()))
      t.added_.push_back({a.at("content").get<std::string>(), token_id(a.at("id"), src, a.at("content").dump()),
                          a.value("special", false)});
  } catch (const json::exception& e) {
    throw input_error(src, std::string("bad tokenizer.json: ") + e.what());
  }
  t.finish(src);
  return t;
}

BpeTokenizer BpeTokenizer::from_vocab_and_merges(const fs::path& vocab_json, const fs::path& merges_txt) {
  BpeTokenizer t;
  const json v = parse_json(vocab_json);
  try {
    if (!v.is_object()) throw input_error(vocab_json.string(), "bad vocab: not a JSON object");
    for (auto it = v.begin(); it != v.end(); ++it) t.vocab_[it.key()] = token_id(it.value(), vocab_json.string(), it.key());
  } catch (const json::exception& e) {
    throw input_error(vocab_json.string(), std::string("bad vocab: ") + e.what());
  }
  std::istringstream lines(read_file(merges_txt));
  std::string line;
  int rank = 0;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.rfind("#version", 0) == 0) continue;
    if (line.find(' ') == std::string::npos) throw input_error(merges_txt.string(), "bad merge line '" + line + "'");
    t.merge_rank_.emplace(line, rank++);
  }
  const fs::path config = vocab_json.parent_path() / "tokenizer_config.json";
  if (fs::exists(config)) {
    const json c = parse_json(config);
    try {
      const json decoder = c.value("added_tokens_decoder", json::object());
      for (auto it = decoder.begin(); it != decoder.end(); ++it)
        t.added_.push_back({it.value().at("content").get<std::string>(),
                            token_id(json::parse(it.key(), nullptr, false), config.string(), it.key()),
                            it.value().value("special", false)});
    } catch (const std::exception& e) {
      throw input_error(config.string(), std::string("bad added_tokens_decoder: ") + e.what());
    }
  }
  t.finish(vocab_json.string());
  return t;
}

void BpeTokenizer::finish(std::string source) {
  source_ = std::move(source);
  build_byte_map(byte_to_unicode_, unicode_to_byte_);
  int64_t max_id = -1;
  for (const auto& [tok, id] : vocab_) max_id = std::max(max_id, id);
  for (const auto& a : added_) max_id = std::max(max_id, a.id);
  // The id table is dense (one slot per id up to the largest): a few tokens with ids in the
  // millions would allocate hundreds of megabytes from a file of kilobytes. Real vocabularies are
  // nearly dense (Qwen: 151 643 tokens, ids to 151 664), so a sparse one is refused up front.
  const int64_t tokens = int64_t(vocab_.size() + added_.size());
  if (max_id >= 2 * tokens + kSparseIdSlack)
    throw input_error(source_, "token ids run to " + std::to_string(max_id) + " for " + std::to_string(tokens) +
                                   " tokens: the vocabulary is too sparse (ids must stay below twice the token count + " +
                                   std::to_string(kSparseIdSlack) + ")");
  id_to_token_.assign(static_cast<std::size_t>(max_id + 1), std::string());
  is_added_.assign(id_to_token_.size(), false);
  for (const auto& [tok, id] : vocab_) {
    if (id < 0) throw input_error(source_, "negative token id for '" + tok + "'");
    id_to_token_[id] = tok;
  }
  for (const auto& a : added_) {
    if (a.id < 0 || a.content.empty()) throw input_error(source_, "bad added token '" + a.content + "'");
    id_to_token_[a.id] = a.content;
    is_added_[a.id] = true;
  }
  for (int b = 0; b < 256; ++b)
    if (!vocab_.count(byte_to_unicode_[b]))
      throw input_error(source_, "vocabulary lacks the byte-level token for byte " + std::to_string(b));
  // Longest first, so that a token that is a prefix of another never wins at the same position.
  std::stable_sort(added_.begin(), added_.end(),
                   [](const AddedToken& a, const AddedToken& b) { return a.content.size() > b.content.size(); });
}

void BpeTokenizer::override_added_tokens(const std::vector<AddedToken>& tokens) {
  for (const auto& t : tokens) {
    std::erase_if(added_, [&](const AddedToken& a) { return a.id == t.id || a.content == t.content; });
    added_.push_back(t);
  }
  finish(source_);  // rebuilds the id tables and the longest-first order
}

int64_t BpeTokenizer::token_to_id(const std::string& token) const {
  for (const auto& a : added_)
    if (a.content == token) return a.id;
  auto it = vocab_.find(token);
  return it == vocab_.end() ? -1 : it->second;
}

const std::string& BpeTokenizer::id_to_token(int64_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= id_to_token_.size() || id_to_token_[id].empty())
    throw input_error(source_, "unknown token id " + std::to_string(id));
  return id_to_token_[id];
}

void BpeTokenizer::bpe(const std::string& bytes, std::vector<int64_t>& out) const {
  std::vector<std::string> sym;
  sym.reserve(bytes.size());
  for (unsigned char b : bytes) sym.push_back(byte_to_unicode_[b]);
  std::string key;
  while (sym.size() > 1) {
    int best = INT_MAX;
    for (std::size_t k = 0; k + 1 < sym.size(); ++k) {
      key.assign(sym[k]).append(" ").append(sym[k + 1]);
      auto it = merge_rank_.find(key);
      if (it != merge_rank_.end() && it->second < best) best = it->second;
    }
    if (best == INT_MAX) break;
    // Merge every occurrence of the best pair, left to right.
    std::vector<std::string> next;
    next.reserve(sym.size());
    for (std::size_t k = 0; k < sym.size();) {
      if (k + 1 < sym.size()) {
        key.assign(sym[k]).append(" ").append(sym[k + 1]);
        auto it = merge_rank_.find(key);
        if (it != merge_rank_.end() && it->second == best) {
          next.push_back(sym[k] + sym[k + 1]);
          k += 2;
          continue;
        }
      }
      next.push_back(std::move(sym[k]));
      ++k;
    }
    sym = std::move(next);
  }
  for (const auto& s : sym) {
    auto it = vocab_.find(s);
    if (it == vocab_.end()) throw input_error(source_, "BPE produced a token outside the vocabulary");
    out.push_back(it->second);
  }
}

void BpeTokenizer::encode_plain(std::string_view text, std::vector<int64_t>& out) const {
  if (text.empty()) return;
  const std::string normalized = nfc_ ? nfc_normalize(text) : std::string(text);
  for (const std::u32string& piece : qwen2_pretokenize(utf8_to_u32(normalized))) {
    const std::string bytes = u32_to_utf8(piece);
    for (std::size_t at = 0; at < bytes.size(); at += kMaxBpeBytes)  // always by merges (Qwen: no ignore_merges)
      bpe(bytes.substr(at, kMaxBpeBytes), out);
  }
}

std::vector<int64_t> BpeTokenizer::encode(std::string_view text) const {
  std::vector<int64_t> out;
  std::size_t start = 0, i = 0;
  while (i < text.size()) {
    const AddedToken* hit = nullptr;
    for (const auto& a : added_)
      if (text.compare(i, a.content.size(), a.content) == 0) {
        hit = &a;
        break;
      }
    if (!hit) {
      ++i;
      continue;
    }
    encode_plain(text.substr(start, i - start), out);
    out.push_back(hit->id);
    i += hit->content.size();
    start = i;
  }
  encode_plain(text.substr(start), out);
  return out;
}

std::string BpeTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  std::string out;
  for (int64_t id : ids) {
    const std::string& tok = id_to_token(id);
    if (is_added_[id]) {
      bool special = false;
      for (const auto& a : added_)
        if (a.id == id) special = a.special;
      if (!(skip_special_tokens && special)) out += tok;
      continue;
    }
    for (char32_t c : utf8_to_u32(tok)) {
      auto it = unicode_to_byte_.find(c);
      if (it == unicode_to_byte_.end()) throw input_error(source_, "token " + std::to_string(id) + " is not byte-level");
      out.push_back(static_cast<char>(it->second));
    }
  }
  return out;
}

}  // namespace auhead::audio2au::alm
