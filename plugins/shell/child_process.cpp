#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>

#include "process_group.h"

namespace flowweaver {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How often a running command checks whether it should stop.
constexpr int kPollIntervalMs = 50;
// How long a cancelled command's process group has between SIGTERM and SIGKILL.
constexpr milliseconds kTerminateGrace{2000};
constexpr size_t kReadChunkBytes = 64 * 1024;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

struct Pipe {
  UniqueFd read_end, write_end;
};

// Both ends close on exec; the spawn dup2()s the write end onto the child's stdout or stderr,
// which clears that flag on the copy only. Our read end is non-blocking so that a read after
// poll() can never hang.
Pipe make_output_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("cannot create a pipe");
  Pipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  int flags = ::fcntl(fds[0], F_GETFL);
  if (flags < 0 || ::fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) != 0) {
    throw_errno("cannot set up a pipe");
  }
  return pipe;
}

// Reads what `fd` holds now into `sink`; closes `fd` at end of file or on a read error.
void read_available(UniqueFd& fd, CapturedOutput& sink, std::string& buffer) {
  ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
  if (n > 0) {
    sink.append(std::string_view(buffer.data(), static_cast<size_t>(n)));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    fd.reset();
  }
}

}  // namespace

void CapturedOutput::append(std::string_view data) {
  if (tap) tap(data);
  size_t room = max_bytes > bytes.size() ? max_bytes - bytes.size() : 0;
  size_t kept = std::min(room, data.size());
  bytes.append(data.substr(0, kept));
  num_dropped_bytes += data.size() - kept;
}

ChildProcess::ChildProcess(const Command& command) {
  Pipe out = make_output_pipe();
  Pipe err = make_output_pipe();
  pid_ = spawn_command(command, out.write_end.get(), err.write_end.get());
  // The write ends close here, so reading sees end of file once the child's copies are gone.
  out_ = std::move(out.read_end);
  err_ = std::move(err.read_end);
}

ChildProcess::~ChildProcess() {
  if (reaped_) return;
  signal_group(SIGKILL);
  reap_blocking();
}

bool ChildProcess::read_output(const StopRequested& stop_requested, CapturedOutput* out,
                               CapturedOutput* err) {
  struct Stream {
    UniqueFd* fd;
    CapturedOutput* sink;
  };
  const Stream streams[] = {{&out_, out}, {&err_, err}};
  std::string buffer(kReadChunkBytes, '\0');
  while (out_.valid() || err_.valid()) {
    if (stop_requested()) return false;
    pollfd fds[2];
    const Stream* polled[2];
    nfds_t num_fds = 0;
    for (const Stream& stream : streams) {
      if (!stream.fd->valid()) continue;
      fds[num_fds] = {stream.fd->get(), POLLIN, 0};
      polled[num_fds++] = &stream;
    }
    if (::poll(fds, num_fds, kPollIntervalMs) < 0 && errno != EINTR) throw_errno("poll");
    for (nfds_t i = 0; i < num_fds; ++i) {
      if (fds[i].revents != 0) read_available(*polled[i]->fd, *polled[i]->sink, buffer);
    }
  }
  return true;
}

bool ChildProcess::wait(const StopRequested& stop_requested, int* wait_status) {
  // The pipes close while the child exits, often just before it can be reaped. A pidfd becomes
  // readable the moment it can: a short command waits microseconds for that, where a sleep
  // (from 1 ms, backing off; still the way when the kernel has no pidfd_open) cost about a
  // third of the commands of a fan-out of 1,000 `/bin/true` a millisecond each.
  UniqueFd pidfd;
  if (!try_reap()) pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  milliseconds pause{1};
  while (!try_reap()) {
    if (stop_requested()) return false;
    if (pidfd.valid()) {
      pollfd exited = {pidfd.get(), POLLIN, 0};
      if (::poll(&exited, 1, kPollIntervalMs) < 0 && errno != EINTR) throw_errno("poll");
    } else {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, milliseconds(kPollIntervalMs));
    }
  }
  *wait_status = wait_status_;
  return true;
}

void ChildProcess::terminate(milliseconds grace) {
  out_.reset();
  err_.reset();
  signal_group(SIGTERM);
  signal_group(SIGCONT);  // a stopped process acts on SIGTERM only once continued
  Clock::time_point deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (try_reap() && !group_running()) return;
    std::this_thread::sleep_for(milliseconds(20));
  }
  if (!reaped_ || group_running()) signal_group(SIGKILL);
  if (!reaped_) reap_blocking();
}

bool ChildProcess::try_reap() {
  if (reaped_) return true;
  pid_t rc;
  do {
    rc = ::waitpid(pid_, &wait_status_, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) throw_errno("waitpid");  // ECHILD: someone else reaped it (SIGCHLD ignored?)
  reaped_ = rc == pid_;
  return reaped_;
}

void ChildProcess::reap_blocking() {
  pid_t rc;
  do {
    rc = ::waitpid(pid_, &wait_status_, 0);
  } while (rc < 0 && errno == EINTR);
  reaped_ = true;  // or ECHILD: either way there is nothing left to reap
}

// The group's id is the child's pid, which the kernel does not hand out again while the
// unreaped child or any member of the group exists. So once the child is reaped, a signal is
// sent only right after group_running() said yes: the window is far shorter than the time the
// kernel takes to cycle through pid numbers.
void ChildProcess::signal_group(int signal) const { ::kill(-pid_, signal); }

bool ChildProcess::group_running() const { return process_group_running(pid_); }

CommandResult run_command(const Command& command, size_t max_output_bytes,
                          const StopRequested& stop_requested, OutputTap out_tap,
                          OutputTap err_tap) {
  CommandResult result(max_output_bytes);
  result.out.tap = std::move(out_tap);
  result.err.tap = std::move(err_tap);
  ChildProcess child(command);
  int status = 0;
  if (!child.read_output(stop_requested, &result.out, &result.err) ||
      !child.wait(stop_requested, &status)) {
    child.terminate(kTerminateGrace);
    result.cancelled = true;
    return result;
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace flowweaver
