// A PNG chart of AU curves over time with phoneme marks (`auhead au --plot au.png`), for looking at
// what the AU generator did: one coloured line per AU, time in seconds, phones along the bottom.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "auhead/au_sequence.h"

namespace auhead {

struct PhoneMark {
  std::string label;  // e.g. "AA"; "SIL" spans are shaded instead of labelled
  double start = 0;   // seconds
  double end = 0;
};

// The AUs plotted when `channels` is empty: jaw drop, lips part, pucker, lip-corner stretch and
// raise (left), lower-lip suck, brow raise (left), eye closure (left).
const std::vector<int>& default_plot_channels();

// Writes the chart atomically; the width grows with the duration (150 px/s, 900..8000 px).
// Throws an output error if the file cannot be written, a usage error for a bad channel index.
void write_au_plot(const std::filesystem::path& png, const AuSequence& seq, const std::vector<PhoneMark>& marks = {},
                   const std::vector<int>& channels = {});

}  // namespace auhead
