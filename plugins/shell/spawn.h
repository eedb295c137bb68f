// Starting a command with posix_spawn (never fork without exec: the host is threaded).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace flowweaver {

// What to run.
struct Command {
  // argv[0] is looked up in the child's PATH (env overrides included) unless it contains '/'.
  std::vector<std::string> argv;
  // Added to the inherited environment, replacing variables of the same name.
  std::map<std::string, std::string> env;
  // The child's working directory; empty for the host's own. A relative path is taken from
  // the host's working directory.
  std::string cwd;
};

// Starts `command` as the leader of a new process group, with stdin from /dev/null, stdout and
// stderr on the given descriptors, no other descriptor inherited and every signal at its
// default disposition, unblocked. Returns its pid.
// Throws flowweaver::PermanentError when the command cannot run at all (not found, not
// executable, no such working directory) and std::runtime_error for failures that might pass.
pid_t spawn_command(const Command& command, int stdout_fd, int stderr_fd);

}  // namespace flowweaver
