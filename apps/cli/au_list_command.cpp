// `auhead au-list`: the AU set and emotion labels, for writing edits by name.
#include <cstdio>

#include "auhead/au.h"
#include "command.h"

namespace auhead::cli {
namespace {
CommandRegistration reg(50, [](CLI::App& app, const GlobalOptions&) {
  auto* cmd = app.add_subcommand("au-list", "list the 30 AUs (index, name, FACS, ARKit) and the emotion labels");
  cmd->callback([] {
    std::printf("%-4s %-26s %-14s %s\n", "idx", "name", "FACS", "ARKit");
    for (const auto& au : au_table())
      std::printf("%-4d %-26.*s %-14.*s %.*s%s\n", au.index, int(au.name.size()), au.name.data(), int(au.facs.size()),
                  au.facs.data(), int(au.arkit.size()), au.arkit.data(),
                  au.index == kNumFeafaAus ? "   (24-29: auhead30 only)" : "");
    std::printf("\nemotions: %s\n", emotion_list().c_str());
  });
});
}  // namespace
}  // namespace auhead::cli
