// Names the task whose call crashed the host. A host that dies of a crash signal (SIGSEGV,
// SIGBUS, SIGILL, SIGFPE, SIGABRT) on a thread calling a task in-process appends one line to a
// marker file beside the state ("<run id>\t<task>\t<attempt>\t<signal>") before it dies, as it
// would have anyway. The next process to resume the run counts that death against that task
// (exec/host_deaths.h); a death that left no line (kill -9, power cut, OOM killer) is nobody's
// fault. The handler uses only async-signal-safe calls on buffers prepared before the call.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flowweaver {

// The marker file of the state at `state_path`.
std::string crash_marker_path(const std::string& state_path);

// Installs the handlers (again only where another action replaced them); each marks, then lets
// the signal end the process with the action that was there before: the default's exit status
// and core dump, or a sanitizer's report.
void install_crash_handlers();

// While alive, a crash on this thread appends `line` and the signal's number to the file at
// `path`. Both strings must outlive it. Scopes do not nest.
class CrashScope {
 public:
  CrashScope(const std::string& path, const std::string& line);
  ~CrashScope();
  CrashScope(const CrashScope&) = delete;
  CrashScope& operator=(const CrashScope&) = delete;
};

// The line a CrashScope leaves for an attempt (without the signal).
std::string crash_line(const std::string& run_id, const std::string& task, int attempt);

struct CrashRecord {
  std::string run_id, task;
  int attempt = 0;
  int signal = 0;
};

// The marker's records; none when there is no file. Malformed lines are skipped.
std::vector<CrashRecord> read_crash_marker(const std::string& path);

}  // namespace flowweaver
