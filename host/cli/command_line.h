// The `flowweaver` command line: argument parsing, dispatch and exit codes; the work is in
// engine.cpp and cli/. Shared by two executables: `flowweaver` itself, and `flowweaver-serve`,
// which holds the service and the libraries only it needs (cpp-httplib, libsystemd), so that
// every other command starts without loading them. `flowweaver serve` execs the latter.
#pragma once

#include <functional>

#include "cli/serve_command.h"

namespace flowweaver {

// What `serve` does once its options are parsed.
using ServeEntry = std::function<int(const ServeOptions&)>;

int run_command_line(int argc, char** argv, const ServeEntry& serve_entry);

}  // namespace flowweaver
