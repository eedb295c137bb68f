#include "spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <flowweaver/sdk.hpp>
#include <stdexcept>
#include <string_view>
#include <system_error>

extern char** environ;

namespace flowweaver {
namespace {

// What glibc's execvp searches when PATH is unset.
constexpr std::string_view kDefaultSearchPath = "/bin:/usr/bin";

std::string errno_text(int error) { return std::generic_category().message(error); }

// Throws std::runtime_error naming `what` when a posix_spawn* setup call fails (ENOMEM only).
void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + errno_text(rc));
}

// posix_spawn_file_actions_t and posix_spawnattr_t, destroyed on every path.
class FileActions {
 public:
  FileActions() { check(posix_spawn_file_actions_init(&actions_), "posix_spawn"); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class Attributes {
 public:
  Attributes() { check(posix_spawnattr_init(&attr_), "posix_spawn"); }
  ~Attributes() { posix_spawnattr_destroy(&attr_); }
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

// Where the host takes workflow secrets from (host/manifest/secret_source.h). A command gets a
// secret only through `env:` (`TOKEN: ${secrets.NAME}`), as a GitHub Actions step does, not
// every secret of the host because it inherits the environment.
constexpr std::string_view kSecretPrefix = "FLOWWEAVER_SECRET_";

// "NAME=value" strings: ours but the secrets, with `overrides` added or replacing ours.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry = *e;
    std::string name(entry.substr(0, entry.find('=')));
    if (name.starts_with(kSecretPrefix)) continue;
    if (overrides.find(name) == overrides.end()) entries.emplace_back(entry);
  }
  for (const auto& [name, value] : overrides) entries.push_back(name + "=" + value);
  return entries;
}

std::string_view search_path(const std::vector<std::string>& environment) {
  for (const std::string& entry : environment) {
    if (entry.rfind("PATH=", 0) == 0) return std::string_view(entry).substr(5);
  }
  return kDefaultSearchPath;
}

bool is_executable_file(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// The path to execute for `name` as the child would find it: `name` itself when it contains
// a '/', else the first executable file called `name` in a directory of `path_list`. Relative
// directories are relative to `cwd`, where the child runs. Throws PermanentError if none.
std::string find_executable(const std::string& name, std::string_view path_list,
                            const std::string& cwd) {
  if (name.find('/') != std::string::npos) return name;
  for (size_t begin = 0; begin <= path_list.size();) {
    size_t end = std::min(path_list.find(':', begin), path_list.size());
    std::string dir(path_list.substr(begin, end - begin));
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    bool relative = candidate[0] != '/';
    if (is_executable_file(relative && !cwd.empty() ? cwd + "/" + candidate : candidate)) {
      return candidate;
    }
    begin = end + 1;
  }
  throw PermanentError("command not found: " + name + " (searched PATH=" + std::string(path_list) +
                       ")");
}

void check_working_directory(const std::string& cwd) {
  if (cwd.empty()) return;
  struct stat info;
  if (::stat(cwd.c_str(), &info) != 0) {
    throw PermanentError("cannot use cwd '" + cwd + "': " + errno_text(errno));
  }
  if (!S_ISDIR(info.st_mode)) throw PermanentError("cannot use cwd '" + cwd + "': not a directory");
}

void add_file_actions(FileActions& actions, int stdout_fd, int stderr_fd, const std::string& cwd) {
  posix_spawn_file_actions_t* a = actions.get();
  check(posix_spawn_file_actions_addopen(a, STDIN_FILENO, "/dev/null", O_RDONLY, 0), "posix_spawn");
  check(posix_spawn_file_actions_adddup2(a, stdout_fd, STDOUT_FILENO), "posix_spawn");
  check(posix_spawn_file_actions_adddup2(a, stderr_fd, STDERR_FILENO), "posix_spawn");
  // The host may hold descriptors without O_CLOEXEC (log files, sockets): none reach the child.
  check(posix_spawn_file_actions_addclosefrom_np(a, STDERR_FILENO + 1), "posix_spawn");
  if (!cwd.empty()) check(posix_spawn_file_actions_addchdir_np(a, cwd.c_str()), "posix_spawn");
}

// A new process group (so the whole tree can be signalled), and signals as a fresh process
// expects them: the host's worker threads may block or ignore some, and exec keeps both.
void set_attributes(Attributes& attributes) {
  posix_spawnattr_t* a = attributes.get();
  check(posix_spawnattr_setflags(
            a, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
        "posix_spawn");
  check(posix_spawnattr_setpgroup(a, 0), "posix_spawn");
  sigset_t signals;
  sigemptyset(&signals);
  check(posix_spawnattr_setsigmask(a, &signals), "posix_spawn");
  sigfillset(&signals);
  check(posix_spawnattr_setsigdefault(a, &signals), "posix_spawn");
}

// Errors after which running the same command again cannot help.
bool is_permanent_exec_error(int error) {
  switch (error) {
    case ENOENT:
    case EACCES:
    case EPERM:
    case ENOEXEC:
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case E2BIG:
      return true;
    default:
      return false;
  }
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

pid_t spawn_command(const Command& command, int stdout_fd, int stderr_fd) {
  if (command.argv.empty()) throw PermanentError("empty command");
  check_working_directory(command.cwd);
  std::vector<std::string> environment = child_environment(command.env);
  std::string program = find_executable(command.argv[0], search_path(environment), command.cwd);
  FileActions actions;
  add_file_actions(actions, stdout_fd, stderr_fd, command.cwd);
  Attributes attributes;
  set_attributes(attributes);
  std::vector<std::string> argv = command.argv;
  std::vector<char*> argv_pointers = pointers_to(argv);
  std::vector<char*> env_pointers = pointers_to(environment);
  pid_t pid = -1;
  // glibc reports a failed chdir or exec in the child as posix_spawn's return value.
  int rc = posix_spawn(&pid, program.c_str(), actions.get(), attributes.get(), argv_pointers.data(),
                       env_pointers.data());
  if (rc == 0) return pid;
  std::string message = "cannot run '" + program + "': " + errno_text(rc);
  if (is_permanent_exec_error(rc)) throw PermanentError(message);
  throw std::runtime_error(message);
}

}  // namespace flowweaver
