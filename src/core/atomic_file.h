// Output files appear whole or not at all: work goes to a temporary name beside the target and is
// renamed over it on commit(); an uncommitted AtomicFile removes its temporary on destruction.
#pragma once
#include <filesystem>
#include <string>

namespace auhead {

class AtomicFile {
 public:
  // Checks that the target's folder exists and is writable (throws an output error otherwise).
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }
  void commit();  // renames the temporary onto the target

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
  int slot_ = -1;  // where the signal handler finds temp_
};

// Makes the signals that end a process (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGXCPU,
// SIGVTALRM, SIGPROF, SIGUSR1, SIGUSR2) remove the temporaries of every live AtomicFile and
// temporary folder before the process ends, so an interrupted run leaves no partial output; SIGXFSZ
// (a file-size limit) is ignored, so the write fails and ends as an output error. Front ends call it
// once at start-up.
void remove_temporaries_on_signal();

// A temporary folder of flat files (a frame sequence being written) that a signal removes too;
// track_temporary_folder returns a slot for untrack_temporary_folder (-1: not tracked).
int track_temporary_folder(const std::filesystem::path& folder);
void untrack_temporary_folder(int slot);

// Throws output_error(target) if `target` is a file this run reads (core/input_file.h).
void refuse_overwriting_an_input(const std::filesystem::path& target);

// Writes a whole text file atomically.
void write_text_file_atomic(const std::filesystem::path& target, const std::string& content);
// Reads a whole text file; missing or unreadable files are input errors naming the file.
std::string read_text_file(const std::filesystem::path& file);

}  // namespace auhead
