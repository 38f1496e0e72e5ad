// libFuzzer harness: AU edits (include/auhead/au_edit.h). The first byte picks the reader: even, a
// --set spec for parse_au_override; odd, an edit file for read_edit_file (written to a scratch file:
// it reads a path). Whatever parses is applied with apply_edit to a short sequence with an emotion
// label, as `auhead render --edit/--set` does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auhead/au_edit.h"
#include "auhead/error.h"
#include "fuzz_util.h"

namespace {

auhead::AuSequence sample_sequence() {
  auhead::AuSequence seq;
  seq.fps = 25;
  seq.emotion = auhead::EmotionState{auhead::Emotion::happy, 0.7f};
  seq.frames.assign(50, auhead::AuFrame{});
  for (size_t f = 0; f < seq.frames.size(); ++f)
    for (int a = 0; a < auhead::kNumAus; ++a) seq.frames[f][a] = float((f * 7 + a * 3) % 11) / 10.f;
  return seq;
}

}  // namespace

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static auhead::fuzz::ScratchFile file("edit.json");
  auhead::AuEdit edit;
  try {
    if (data[0] % 2 == 0) {
      edit.overrides.push_back(
          auhead::parse_au_override(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)));
    } else {
      edit = auhead::read_edit_file(file.write(data + 1, size - 1));
    }
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
    return 0;
  }
  auhead::fuzz::note(std::to_string(edit.overrides.size()) + " overrides");
  auhead::AuSequence seq = sample_sequence();
  try {
    auhead::apply_edit(seq, edit);
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
    return 0;
  }
  seq.validate("edited");  // apply_edit clamps to [0, 1]: an Error here escapes and is a finding
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
