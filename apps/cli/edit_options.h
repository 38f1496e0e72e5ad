// The AU-editing options shared by `generate`, `render`, `au` and `au-convert`:
// --edit FILE, --set SPEC (repeatable), --emotion-scale X.
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auhead/au_edit.h"

namespace auhead::cli {

struct EditArgs {
  std::string edit_file;
  std::vector<std::string> set_specs;
  std::optional<float> emotion_scale;

  void add_to(CLI::App* cmd);
  // Reads the edit file (if any), then appends the --set overrides; --emotion-scale wins over the file.
  AuEdit build() const;
};

}  // namespace auhead::cli
