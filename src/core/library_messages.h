// Messages that libraries print on their own (libtorch warnings, OpenCV's log) would add lines to
// auhead's one-line errors and ignore --quiet: they are routed through auhead's own warning line.
#pragma once

namespace auhead {

// Installs the routing once per process: libtorch warnings become "auhead: warning: <first line>"
// (control characters escaped, each text once) unless `quiet`; OpenCV's own log is silenced (its
// failures reach auhead as exceptions or empty results, which become auhead's errors).
// FFmpeg's log is silenced where media opens it (media/ffmpeg_util.h).
void route_library_messages(bool quiet);
// The same routing with the quiet switch as it is: what the public API's handles install, so that a
// program embedding auhead gets libtorch's warnings through RunHooks::log rather than on stderr.
void route_library_messages();

}  // namespace auhead
