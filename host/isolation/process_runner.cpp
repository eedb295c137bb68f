#include "isolation/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "isolation/task_protocol.h"
#include "plugin/plugin_file_check.h"
#include "util/install_layout.h"

extern char** environ;

#ifndef FLOWWEAVER_TASK_HELPER_FROM_BINDIR
#define FLOWWEAVER_TASK_HELPER_FROM_BINDIR "../libexec/flowweaver/flowweaver-task"
#endif

namespace flowweaver {

namespace {

using Steady = std::chrono::steady_clock;

// The ends of a pipe, closed when they go out of scope.
struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) == 0) {
      read = fds[0];
      write = fds[1];
    }
  }
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  static void close_end(int* fd) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
};

// Writes all of `data`; a child that died early gives EPIPE, not a SIGPIPE for the host.
bool write_all(int fd, const std::string& data) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  size_t done = 0;
  bool ok = true;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (!ok) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);  // consume the SIGPIPE this thread raised
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + " (" + (abbrev ? std::string("SIG") + abbrev : "") +
         (abbrev ? ", " : "") + strsignal(sig) + ")";
}

pid_t spawn_helper(const std::vector<std::string>& args, int stdin_fd, int protocol_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, protocol_fd, kTaskProtocolFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, kTaskProtocolFd + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A group of its own, so a cancellation reaches whatever the plugin started; the host's
  // blocked signals and ignored ones are not the child's.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int error = posix_spawn(&pid, args[0].c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) {
    errno = error;
    return -1;
  }
  return pid;
}

}  // namespace

ProcessRunner::ProcessRunner(const Manifest& manifest, std::vector<TaskTypeRef> types,
                             InProcessRunner& in_process, std::filesystem::path helper,
                             Millis kill_grace, TaskLogSink log)
    : manifest_(manifest),
      types_(std::move(types)),
      in_process_(in_process),
      helper_(std::move(helper)),
      kill_grace_(kill_grace),
      log_(std::move(log)),
      index_(index_tasks(manifest)) {}

AttemptOutcome ProcessRunner::run(uint32_t task, int attempt, const TaskItem* item,
                                  Cancellation& cancellation, const OutputTable& outputs) {
  if (manifest_.tasks[task].isolation != Isolation::kProcess) {
    return in_process_.run(task, attempt, item, cancellation, outputs);
  }
  return run_in_child(task, attempt, item, cancellation, outputs);
}

AttemptOutcome ProcessRunner::run_in_child(uint32_t task, int attempt, const TaskItem* item,
                                           Cancellation& cancellation, const OutputTable& outputs) {
  const TaskSpec& spec = manifest_.tasks[task];
  TaskRequest request;
  request.task_name = item ? item->name : spec.name;
  request.attempt = attempt;
  try {
    request.params_json = in_process_.resolve_params(task, item, outputs).dump();
  } catch (const std::exception& e) {
    return {AttemptOutcome::Kind::kPermanent, "", e.what()};
  }
  for (const std::string& dep : spec.depends_on) request.inputs[dep] = outputs[index_.at(dep)];

  // The plugin's private copy when it has one: the code this run pinned, not a newer deployment.
  std::vector<std::string> args = {helper_.string(), types_[task].plugin->loaded_from().string(),
                                   types_[task].type->name};
  if (spec.memory_limit) {
    args.push_back("--memory-limit");
    args.push_back(std::to_string(*spec.memory_limit));
  }
  if (allow_insecure_plugins()) args.push_back("--allow-insecure-plugins");
  Pipe in, out;
  if (in.read < 0 || out.read < 0) {
    return {AttemptOutcome::Kind::kRetryable, "", "cannot create pipes for the task process"};
  }
  pid_t pid = spawn_helper(args, in.read, out.write);
  if (pid < 0) {
    return {AttemptOutcome::Kind::kRetryable, "",
            "cannot start the task process " + helper_.string() + ": " + std::strerror(errno)};
  }
  Pipe::close_end(&in.read);
  Pipe::close_end(&out.write);
  write_all(in.write, encode_request(request));  // a child that died early is seen below
  Pipe::close_end(&in.write);

  std::optional<AttemptOutcome> result;
  std::string buffer;
  std::optional<Steady::time_point> term_sent;
  bool killed = false, exited = false, eof = false;
  int status = 0;
  while (!exited || !eof) {
    if (cancellation.cancelled() && !term_sent) {
      ::kill(-pid, SIGTERM);
      term_sent = Steady::now();
    }
    if (term_sent && !killed && Steady::now() - *term_sent >= kill_grace_) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    if (!eof) {
      pollfd fd{out.read, POLLIN, 0};
      if (::poll(&fd, 1, 50) > 0) {
        char chunk[4096];
        ssize_t n = ::read(out.read, chunk, sizeof chunk);
        if (n > 0) {
          buffer.append(chunk, static_cast<size_t>(n));
          for (size_t nl; (nl = buffer.find('\n')) != std::string::npos; buffer.erase(0, nl + 1)) {
            std::optional<TaskMessage> m = decode_message_line(buffer.substr(0, nl));
            if (m && m->log && log_) {
              log_(task, item, attempt, m->log->first, m->log->second);
            }
            if (m && m->result) result = m->result;
          }
        } else if (n == 0 || errno != EINTR) {
          eof = true;
        }
      }
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
    // Something the plugin started may hold the pipe open after the child is gone.
    if (exited && !eof && result) eof = true;
    if (exited && !eof) {
      pollfd fd{out.read, POLLIN, 0};
      if (::poll(&fd, 1, 0) <= 0) eof = true;
    }
  }
  ::kill(-pid, SIGKILL);  // leave nothing of the attempt behind

  if (result && WIFEXITED(status) && WEXITSTATUS(status) == 0) return *result;
  std::string limit_hint = spec.memory_limit ? " (it may have exceeded its memory_limit of " +
                                                   std::to_string(*spec.memory_limit) + " bytes)"
                                             : "";
  if (term_sent) {
    return {AttemptOutcome::Kind::kRetryable, "",
            killed ? "cancelled: the task process ignored SIGTERM and was killed"
                   : "cancelled: the task process stopped on SIGTERM"};
  }
  if (WIFSIGNALED(status)) {
    return {AttemptOutcome::Kind::kRetryable, "",
            "the task process was killed by " + signal_text(WTERMSIG(status)) + limit_hint};
  }
  return {AttemptOutcome::Kind::kRetryable, "",
          "the task process exited with code " + std::to_string(WEXITSTATUS(status)) +
              " before returning a result (did the plugin call exit()?)" + limit_hint};
}

std::filesystem::path task_helper_path() {
  if (const char* env = std::getenv("FLOWWEAVER_TASK_HELPER"); env && *env) return env;
  return installed_path(FLOWWEAVER_TASK_HELPER_FROM_BINDIR, "flowweaver-task");
}

}  // namespace flowweaver
