// Running one command as a child process: spawned with posix_spawn in a process group of its
// own, its output captured through pipes, killed as a group when the task is cancelled, and
// always reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "spawn.h"
#include "unique_fd.h"

namespace flowweaver {

// Sees every chunk of one output stream as it is read, kept or dropped.
using OutputTap = std::function<void(std::string_view data)>;

// The first max_bytes bytes of one output stream, and how many more were read and dropped.
struct CapturedOutput {
  explicit CapturedOutput(size_t max) : max_bytes(max) {}
  void append(std::string_view data);

  OutputTap tap;  // may be empty
  size_t max_bytes;
  std::string bytes;
  uint64_t num_dropped_bytes = 0;
};

struct CommandResult {
  explicit CommandResult(size_t max_output_bytes) : out(max_output_bytes), err(max_output_bytes) {}

  // True when stopped early at the caller's request; the exit fields are then meaningless.
  bool cancelled = false;
  int exit_code = -1;  // when the command exited by itself
  int signal = 0;      // when a signal killed it (not sent by us)
  CapturedOutput out, err;
};

// Polled while the command runs; returning true stops it (the process group is killed).
using StopRequested = std::function<bool()>;

// Runs `command` with stdin from /dev/null until it exits, keeping up to max_output_bytes of
// each of stdout and stderr, and showing all of each to its tap (if any) as it comes. Returns
// with the child reaped in every case.
// Throws flowweaver::PermanentError when the command cannot run at all (not found, not
// executable, no such working directory) and std::runtime_error for failures that might pass
// (out of descriptors or processes).
CommandResult run_command(const Command& command, size_t max_output_bytes,
                          const StopRequested& stop_requested, OutputTap out_tap = {},
                          OutputTap err_tap = {});

// One spawned child, leader of its own process group; run_command is the usual way to use it.
class ChildProcess {
 public:
  // Starts the command; throws as run_command does.
  explicit ChildProcess(const Command& command);
  // Kills the process group with SIGKILL and reaps the child unless that happened already.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads stdout and stderr until both reach end of file. Returns false as soon as
  // stop_requested() holds (checked at least every poll interval).
  bool read_output(const StopRequested& stop_requested, CapturedOutput* out, CapturedOutput* err);

  // Waits for the child to exit and stores its wait status; returns false instead if
  // stop_requested() holds first.
  bool wait(const StopRequested& stop_requested, int* wait_status);

  // Stops the whole process group: SIGTERM, up to `grace` for the group to be gone, then
  // SIGKILL. The child is reaped on return. Our ends of the pipes are closed first, so a
  // child writing output while it shuts down gets EPIPE instead of blocking.
  void terminate(std::chrono::milliseconds grace);

 private:
  bool try_reap();
  void reap_blocking();
  void signal_group(int signal) const;
  bool group_running() const;

  pid_t pid_ = -1;
  bool reaped_ = false;
  int wait_status_ = 0;
  UniqueFd out_, err_;  // our (read) ends of the child's stdout and stderr
};

}  // namespace flowweaver
