#include "flowweaver_process.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace flowweaver::testing {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("flowweaver-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  std::filesystem::path file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

namespace {

// In a sanitized build (make test-asan, test-tsan) a report makes the child exit non-zero, but
// a test that expects a failure exit (an invalid manifest exits 1) would not notice: look for
// the report itself. Every sanitizer names itself ("AddressSanitizer:", "ThreadSanitizer:"...);
// UBSan's first line is "file:line:column: runtime error: ...".
//
// `out_of_memory_expected`: a task process made to exhaust its memory_limit on purpose
// (deliberate_crash_env) dies in the sanitizer's own allocator under TSan, which says so
// ("ThreadSanitizer: allocator is out of memory"): that report is the expected death, not a bug.
void expect_no_sanitizer_report(const std::string& err, bool out_of_memory_expected) {
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    bool out_of_memory = line.find("Sanitizer: allocator is out of memory") != std::string::npos ||
                         line.find("Sanitizer failed to allocate") != std::string::npos;
    if (out_of_memory && out_of_memory_expected) continue;
    if (line.find("Sanitizer:") != std::string::npos ||
        line.find(": runtime error: ") != std::string::npos) {
      ADD_FAILURE() << "flowweaver reported a sanitizer error:\n" << err;
      return;
    }
  }
}

constexpr const char* kDeliberateCrashes = "FLOWWEAVER_TEST_DELIBERATE_CRASHES";

}  // namespace

FlowWeaverProcess::FlowWeaverProcess(const std::vector<std::string>& args,
                                     const std::filesystem::path& cwd,
                                     const std::map<std::string, std::string>& extra_env) {
  static int counter = 0;
  ++counter;
  out_path_ = cwd / (".stdout-" + std::to_string(counter));
  err_path_ = cwd / (".stderr-" + std::to_string(counter));
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  env["FLOWWEAVER_PLUGIN_PATH"] = FLOWWEAVER_PLUGIN_DIR;
  for (const auto& [k, v] : extra_env) {
    if (v == kUnsetVariable) {
      env.erase(k);
    } else {
      env[k] = v;
    }
  }
  out_of_memory_expected_ = extra_env.count(kDeliberateCrashes) > 0;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = {FLOWWEAVER_BIN};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed: " + std::to_string(rc));
}

FlowWeaverProcess::~FlowWeaverProcess() {
  if (!waited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
}

void FlowWeaverProcess::signal(int signal) { ::kill(pid_, signal); }

std::string FlowWeaverProcess::stderr_so_far() const { return read_file(err_path_); }

ProcessResult FlowWeaverProcess::wait() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  waited_ = true;
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path_);
  result.err = read_file(err_path_);
  expect_no_sanitizer_report(result.err, out_of_memory_expected_);
  return result;
}

std::map<std::string, std::string> deliberate_crash_env() {
  std::map<std::string, std::string> env;
  for (const char* name : {"ASAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"}) {
    const char* options = std::getenv(name);
    std::string value = options && *options ? std::string(options) + ":" : "";
    env[name] = value + "handle_segv=0:allocator_may_return_null=1";
  }
  env[kDeliberateCrashes] = "1";
  return env;
}

ProcessResult run_flowweaver(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                             const std::map<std::string, std::string>& extra_env) {
  return FlowWeaverProcess(args, cwd, extra_env).wait();
}

bool wait_until(const std::function<bool()>& predicate, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return predicate();
}

std::vector<std::string> query_column(const std::string& db, const std::string& sql) {
  SQLite::Database database(db, SQLite::OPEN_READONLY);
  database.setBusyTimeout(5000);
  SQLite::Statement q(database, sql);
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

std::string query_one(const std::string& db, const std::string& sql) {
  std::vector<std::string> rows = query_column(db, sql);
  return rows.empty() ? "<none>" : rows.front();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace flowweaver::testing
