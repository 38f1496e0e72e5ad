#include "core/parity.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "auhead/error.h"

namespace auhead {

namespace fs = std::filesystem;

namespace {

std::map<std::string, ParityHandler>& handler_table() {
  static std::map<std::string, ParityHandler> table;
  return table;
}

// Parts of the shared fixture layout that no handler may cover yet: reported, not failed.
const char* const kKnownParts[] = {"vae", "vae_io.safetensors", "schedulers.json", "reference_unet",
                                   "denoising_unet", "pose_guider", "step_io.safetensors", "clip_vision_tiny",
                                   "qwen2_audio_tower", "qwen2_audio_tiny", "whisper_logmel.safetensors"};

}  // namespace

bool register_parity_handler(ParityHandler handler) {
  std::string name = handler.name;
  handler_table()[name] = std::move(handler);
  return true;
}

bool ParityReport::all_pass() const {
  if (results.empty()) return false;
  for (const auto& r : results)
    if (!r.pass) return false;
  return true;
}

std::string format_parity_line(const ParityResult& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-46s max|ours-ref|=%.3e  tol=%.3e  %s%s%s", r.name.c_str(), r.max_error, r.tolerance,
                r.pass ? "PASS" : "FAIL", r.note.empty() ? "" : "  ", r.note.c_str());
  return buf;
}

ParityReport run_parity(const fs::path& dir, const ParityEmit& on_result) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw input_error(dir.string(), "no such folder");
  ParityReport report;
  const ParityEmit emit = [&](const ParityResult& r) {
    report.results.push_back(r);
    if (on_result) on_result(r);
  };
  bool any = false;
  std::vector<std::string> covered;
  for (const auto& [name, h] : handler_table()) {
    covered.insert(covered.end(), h.parts.begin(), h.parts.end());
    if (!h.present(dir)) continue;
    any = true;
    h.run(dir, emit);
  }
  for (const char* part : kKnownParts)
    if (fs::exists(dir / part) && std::find(covered.begin(), covered.end(), part) == covered.end())
      report.skipped.push_back(part);
  if (!any) {
    std::string names;
    for (const auto& [name, h] : handler_table()) names += std::string(names.empty() ? "" : ", ") + name;
    throw input_error(dir.string(), "no parity fixtures this build can check (it knows: " + names +
                                        "; e.g. vae/ + vae_io.safetensors)");
  }
  return report;
}

}  // namespace auhead
