// The `with:` object of a shell.run task, checked and turned into what to run.
#pragma once

#include <cstddef>
#include <flowweaver/sdk.hpp>

#include "spawn.h"
#include "stdout_parsing.h"

namespace flowweaver {

struct ShellParams {
  Command command;
  size_t max_output_bytes = 0;
  StdoutParse parse = StdoutParse::kNone;
};

// Reads command, shell, env, cwd, max_output and parse (defaults already filled in by the host).
// Throws PermanentError naming the parameter when a value cannot work.
//
// With shell: false, `command` must be a list: its items are the argv, run without a shell.
// With shell: true, `command` is a script for /bin/sh -c, given as one string or as a list
// whose first item is the script and whose other items become $1, $2, ... (a safe way to hand
// it templated values, with no quoting to get wrong). Numbers and booleans in `command` and
// `env` are passed as their JSON text (YAML reads `[sleep, 30]` with 30 as a number).
ShellParams parse_shell_params(const Json& with);

}  // namespace flowweaver
