#include "edit_options.h"

#include "command.h"

namespace auhead::cli {

void EditArgs::add_to(CLI::App* cmd) {
  cmd->add_option("--edit", edit_file, "JSON edit file: overrides and emotion_intensity_scale (README, 'AU edits')")
      ->group("AU edits");
  cmd->add_option("--set", set_specs,
                  "override an AU: AU=VALUE[@START-END][~RAMP], '+=' adds, '*=' scales; repeatable "
                  "(e.g. --set jaw_drop=0.6@1.2-2.0~0.25)")
      ->group("AU edits")
      ->allow_extra_args(false);
  cmd->add_option("--emotion-scale", emotion_scale, "scale the emotion's AUs and intensity by X (0 removes it)")
      ->check(finite_range(0, 100))
      ->group("AU edits");
}

AuEdit EditArgs::build() const {
  AuEdit edit;
  if (!edit_file.empty()) edit = read_edit_file(edit_file);
  for (const auto& spec : set_specs) edit.overrides.push_back(parse_au_override(spec));
  if (emotion_scale) edit.emotion_intensity_scale = emotion_scale;
  return edit;
}

}  // namespace auhead::cli
