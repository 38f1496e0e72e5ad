#include "core/parity.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "auhead/error.h"
#include "pipeline/implementations.h"

namespace auhead {

namespace fs = std::filesystem;

namespace {

std::map<std::string, ParityHandler>& handler_table() {
  static std::map<std::string, ParityHandler> table = [] {
    std::map<std::string, ParityHandler> built;
    for (auto& h : builtin_parity_handlers()) built[h.name] = std::move(h);
    return built;
  }();
  return table;
}

// Parts of the fixture layout (tests/fixtures) that no handler may cover yet: reported, not failed.
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
  for (const auto& [name, h] : handler_table()) covered.insert(covered.end(), h.parts.begin(), h.parts.end());
  const auto is_covered = [&](const std::string& part) {
    return std::find(covered.begin(), covered.end(), part) != covered.end();
  };
  // The folder itself, then each sub-folder that no handler names as its own part (e.g. diffusion/ in
  // tests/fixtures), so that one call checks a whole fixture tree.
  std::vector<fs::path> roots{dir};
  std::vector<fs::path> subs;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec) && !is_covered(it->path().filename().string())) subs.push_back(it->path());
  std::sort(subs.begin(), subs.end());
  roots.insert(roots.end(), subs.begin(), subs.end());
  for (const fs::path& root : roots) {
    for (const auto& [name, h] : handler_table()) {
      if (!h.present(root)) continue;
      any = true;
      h.run(root, emit);
    }
    for (const char* part : kKnownParts)
      if (fs::exists(root / part) && !is_covered(part)) report.skipped.push_back(part);
  }
  if (!any) {
    std::string names;
    for (const auto& [name, h] : handler_table()) names += std::string(names.empty() ? "" : ", ") + name;
    throw input_error(dir.string(), "no parity fixtures this build can check (it knows: " + names +
                                        "; e.g. vae/ + vae_io.safetensors)");
  }
  return report;
}

}  // namespace auhead
