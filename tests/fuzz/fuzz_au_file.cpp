// libFuzzer harness: the AU sequence readers (include/auhead/au_sequence.h): au_from_json, au_from_csv
// and au_from_openface_csv, each on every input (read_au_file picks one by extension and header, so
// any of them can meet any bytes). What reads is then written back and read again (README: both
// formats round-trip exactly), exported (ARKit, OpenFace CSV) and resampled to 25 fps as
// `auhead render` / `au-convert --fps 25` do.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auhead/au_sequence.h"
#include "auhead/error.h"
#include "fuzz_util.h"

namespace {

using auhead::AuSequence;

void after_read(const AuSequence& seq, const char* reader) {
  auhead::fuzz::note(std::string(reader) + ": " + std::to_string(seq.frames.size()) + " frames at " +
                     std::to_string(seq.fps) + " fps");
  seq.validate("fuzz");  // a reader returns only valid sequences: an Error here escapes and is a finding
  (void)auhead::au_to_arkit_csv(seq);
  (void)auhead::au_to_openface_csv(seq);
  if (!auhead::fuzz::oracles_on()) return;
  const std::string json = auhead::au_to_json(seq);
  AUHEAD_FUZZ_CHECK(auhead::au_from_json(json, "round trip") == seq,
                    std::string(reader) + ": JSON round trip changed the sequence; written:\n" + json);
  const std::string csv = auhead::au_to_csv(seq);
  AUHEAD_FUZZ_CHECK(auhead::au_from_csv(csv, "round trip") == seq,
                    std::string(reader) + ": CSV round trip changed the sequence; written:\n" + csv);
  try {
    (void)auhead::resample(seq, 25.0);
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }
}

}  // namespace

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  AuSequence seq;
  bool ok = true;
  try {
    seq = auhead::au_from_json(text, "fuzz.json");
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
    ok = false;
  }
  if (ok) after_read(seq, "au_from_json");
  ok = true;
  try {
    seq = auhead::au_from_csv(text, "fuzz.csv");
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
    ok = false;
  }
  if (ok) after_read(seq, "au_from_csv");
  ok = true;
  try {
    seq = auhead::au_from_openface_csv(text, "openface.csv");
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
    ok = false;
  }
  if (ok) after_read(seq, "au_from_openface_csv");
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
