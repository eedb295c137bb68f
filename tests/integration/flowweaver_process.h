// Runs the real flowweaver binary in a fresh temporary directory and captures what it prints.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace flowweaver::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out, err;
};

// A scratch directory, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// A flowweaver process started in `cwd` with FLOWWEAVER_PLUGIN_PATH pointing at the built
// plugins; `extra_env` adds or replaces variables, and removes those given kUnsetVariable.
inline constexpr const char* kUnsetVariable = "\x01(unset)";

class FlowWeaverProcess {
 public:
  FlowWeaverProcess(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                    const std::map<std::string, std::string>& extra_env = {});
  ~FlowWeaverProcess();
  pid_t pid() const { return pid_; }
  void signal(int signal);
  ProcessResult wait();
  // What the process has written to stderr so far (it may still be running).
  std::string stderr_so_far() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_path_, err_path_;
  bool waited_ = false;
  bool out_of_memory_expected_ = false;  // started with deliberate_crash_env()
};

// Extra environment for a flowweaver whose plugin crashes on purpose: in a sanitized build
// (make test-asan, test-tsan) the crash then happens as without sanitizers, a real SIGSEGV and
// malloc() returning null, instead of becoming a report. No effect in other builds.
std::map<std::string, std::string> deliberate_crash_env();

// Starts and waits.
ProcessResult run_flowweaver(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                             const std::map<std::string, std::string>& extra_env = {});

// Polls `predicate` every 10 ms for up to `timeout_ms`; true once it holds.
bool wait_until(const std::function<bool()>& predicate, int timeout_ms = 10000);

// Runs a query against a SQLite file and returns the first column of each row as text.
std::vector<std::string> query_column(const std::string& db, const std::string& sql);
// The first row's first column, or "<none>".
std::string query_one(const std::string& db, const std::string& sql);

std::string read_file(const std::filesystem::path& path);

}  // namespace flowweaver::testing
