// The evaluator's charts beside the AU plots (au/au_plot.h): the lip-sync chart (measured mouth
// opening, audio energy, phone openness over time) and which AUs an AU chart shows.
#pragma once
#include <filesystem>
#include <vector>

#include "auhead/au_sequence.h"

namespace auhead::eval {

// Three bands over the video's frames at `fps`; NaN values leave gaps. Writes a PNG.
void write_lipsync_plot(const std::filesystem::path& png, const std::vector<double>& mouth, const std::vector<double>& env,
                        const std::vector<double>& open, double fps);

// The AUs worth a plot: those that reach 0.1 in the measurement or in the truth (at most 12, the
// strongest first; empty when none does: the AU chart then shows its default channels).
std::vector<int> plotted_aus(const AuSequence& measured, const AuSequence* truth);

}  // namespace auhead::eval
