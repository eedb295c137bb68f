// The `flowweaver` command line: argument parsing, dispatch and exit codes; the work is in
// engine.cpp and cli/. Shared by two executables: `flowweaver` itself, and `flowweaver-serve`,
// which holds the service and the libraries only it needs (the HTTP server, libsystemd), so that
// every other command starts without loading them. `flowweaver serve` execs the latter.
#pragma once

#include "cli/serve_command.h"

namespace flowweaver {

int run_command_line(int argc, char** argv, const ServeEntry& serve_entry);

}  // namespace flowweaver
