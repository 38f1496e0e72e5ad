#include "core/atomic_file.h"

#include <csignal>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "auhead/error.h"
#include "core/input_file.h"

namespace fs = std::filesystem;

namespace auhead {

namespace {
// Live temporaries, readable from a signal handler: fixed slots of heap strings that stay allocated
// until their slot is cleared.
constexpr int kSlots = 64;
std::atomic<char*> g_temporaries[kSlots];

int track(const fs::path& temp) {
  char* copy = strdup(temp.c_str());
  for (int i = 0; i < kSlots; ++i) {
    char* expected = nullptr;
    if (g_temporaries[i].compare_exchange_strong(expected, copy)) return i;
  }
  free(copy);
  return -1;  // more than kSlots files at once: this one is not cleaned up on a signal
}

void untrack(int slot) {
  if (slot < 0) return;
  free(g_temporaries[slot].exchange(nullptr));
}

extern "C" void remove_temporaries_and_die(int sig) {
  for (auto& slot : g_temporaries)
    if (char* path = slot.load()) ::unlink(path);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::string random_suffix() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> dist(0, 0xffffff);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06x", dist(rd));
  return buf;
}
}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  fs::path dir = target_.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw output_error(target_.string(), "folder " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0)
    throw output_error(target_.string(), "folder " + dir.string() + " is not writable");
  if (fs::is_directory(target_, ec)) throw output_error(target_.string(), "is a folder, not a file");
  // Keep the extension last so that libraries choosing a format by name still see it.
  temp_ = dir / ("." + target_.stem().string() + ".tmp-" + random_suffix() + target_.extension().string());
  slot_ = track(temp_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
  untrack(slot_);
}

void AtomicFile::commit() {
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) throw output_error(target_.string(), "cannot write: " + ec.message());
  committed_ = true;
  untrack(slot_);
  slot_ = -1;
}

void remove_temporaries_on_signal() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, remove_temporaries_and_die);
}

void write_text_file_atomic(const fs::path& target, const std::string& content) {
  AtomicFile file(target);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    if (!out) throw output_error(target.string(), std::string("cannot write: ") + std::strerror(errno));
    out << content;
    out.flush();
    if (!out) throw output_error(target.string(), "write failed (disk full?)");
  }
  file.commit();
}

std::string read_text_file(const fs::path& file) { return read_input_file(file); }

}  // namespace auhead
