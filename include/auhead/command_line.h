// What a command-line program built on libauhead sets up once per process, where one process is one
// run: no partial output when a signal ends it, no output written over one of its inputs, and the
// messages of the libraries underneath (libtorch, OpenCV) on auhead's one-line warnings. A program that
// embeds auhead in a long-lived process (a server, a notebook) calls neither: it passes RunHooks.
#pragma once

namespace auhead {

// Call first in main(): signals that end the process (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, ...)
// remove the temporaries of unfinished outputs, and files read as inputs are protected from being
// overwritten by an output of the same run.
void start_command_line_run();

// Call once the options are parsed: with `quiet`, no progress bars and no warnings from auhead or the
// libraries it uses; otherwise progress on stderr (when it is a terminal) and one-line warnings.
void set_command_line_quiet(bool quiet);

}  // namespace auhead
