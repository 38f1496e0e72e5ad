#include "core/atomic_file.h"

#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
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
std::atomic<char*> g_folders[kSlots];  // temporary folders, likewise

// Puts a copy of `path` in a free slot; -1 when all kSlots are taken (that path is then not cleaned
// up on a signal).
int track(std::atomic<char*> (&slots)[kSlots], const fs::path& path) {
  char* copy = strdup(path.c_str());
  for (int i = 0; i < kSlots; ++i) {
    char* expected = nullptr;
    if (slots[i].compare_exchange_strong(expected, copy)) return i;
  }
  free(copy);
  return -1;
}

void untrack(std::atomic<char*> (&slots)[kSlots], int slot) {
  if (slot >= 0 && slot < kSlots) free(slots[slot].exchange(nullptr));
}

// Removes a folder of plain files with system calls only (async-signal-safe: no allocation).
void remove_flat_folder(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buf[4096];
    for (;;) {
      const long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        const auto* d = reinterpret_cast<const struct dirent64*>(buf + off);
        const char* name = d->d_name;
        if (!(name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))) ::unlinkat(fd, name, 0);
        off += d->d_reclen;
      }
    }
    ::close(fd);
  }
  ::rmdir(path);
}

extern "C" void remove_temporaries_and_die(int sig) {
  for (auto& slot : g_temporaries)
    if (char* path = slot.load()) ::unlink(path);
  for (auto& slot : g_folders)
    if (char* path = slot.load()) remove_flat_folder(path);
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
  refuse_overwriting_an_input(target_);
  // Keep the extension last so that libraries choosing a format by name still see it.
  temp_ = dir / ("." + target_.stem().string() + ".tmp-" + random_suffix() + target_.extension().string());
  slot_ = track(g_temporaries, temp_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
  untrack(g_temporaries, slot_);
}

void AtomicFile::commit() {
  refuse_overwriting_an_input(target_);  // an input read after this file was opened
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) throw output_error(target_.string(), "cannot write: " + ec.message());
  committed_ = true;
  untrack(g_temporaries, slot_);
  slot_ = -1;
}

void remove_temporaries_on_signal() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGXCPU, SIGVTALRM, SIGPROF, SIGUSR1, SIGUSR2})
    std::signal(sig, remove_temporaries_and_die);
  // A file-size limit (ulimit -f) is a full disk in small: ignored, the write fails with EFBIG and the
  // output error names the file (exit 4), temporaries removed as for any failed write.
  std::signal(SIGXFSZ, SIG_IGN);
}

int track_temporary_folder(const fs::path& folder) { return track(g_folders, folder); }

void untrack_temporary_folder(int slot) { untrack(g_folders, slot); }

void refuse_overwriting_an_input(const fs::path& target) {
  if (is_input_of_this_run(target))
    throw output_error(target.string(), "is also an input of this run; not writing over it");
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
