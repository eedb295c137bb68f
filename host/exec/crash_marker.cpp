#include "exec/crash_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include "state/state_location.h"

namespace flowweaver {
namespace {

// Set by CrashScope on the calling thread; read by the handler on the same thread.
thread_local const char* t_path = nullptr;
thread_local const char* t_line = nullptr;
thread_local size_t t_line_len = 0;

constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

void write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n <= 0) return;
    data += n;
    len -= static_cast<size_t>(n);
  }
}

// The actions in place before ours: a sanitizer's handler, or the default.
struct sigaction g_previous[NSIG];

void on_crash_signal(int signal, siginfo_t* info, void*) {
  if (t_path != nullptr) {
    // One write per line, with O_APPEND: two threads crashing at once do not interleave.
    char buffer[1024];
    size_t len = t_line_len < sizeof buffer - 16 ? t_line_len : 0;
    for (size_t i = 0; i < len; ++i) buffer[i] = t_line[i];
    char digits[12];
    int num_digits = 0;
    for (int s = signal; s > 0 && num_digits < 11; s /= 10) digits[num_digits++] = '0' + s % 10;
    while (num_digits > 0) buffer[len++] = digits[--num_digits];
    buffer[len++] = '\n';
    int fd = ::open(t_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      write_all(fd, buffer, len);
      ::close(fd);
    }
  }
  // The signal then ends the process as it would have without us: with the action that was
  // there before (a sanitizer's report, or the default's exit status and core dump). A fault
  // happens again when the faulting instruction is retried on return; a signal sent by a
  // process (raise, abort, kill: si_code <= 0) is sent again.
  ::sigaction(signal, &g_previous[signal], nullptr);
  if (info == nullptr || info->si_code <= 0) ::raise(signal);
}

// A thread calling tasks gets a stack of its own for the handler, so that a task that overflows
// its stack is named too: on the overflowed stack the handler could not run. One already set
// (by a sanitizer) is kept. Freed, after being switched off, when the thread ends.
class AlternateStack {
 public:
  AlternateStack() {
    stack_t current{};
    if (::sigaltstack(nullptr, &current) != 0 || !(current.ss_flags & SS_DISABLE)) return;
    memory_ = std::make_unique<char[]>(kSize);
    stack_t stack{};
    stack.ss_sp = memory_.get();
    stack.ss_size = kSize;
    if (::sigaltstack(&stack, nullptr) != 0) memory_.reset();
  }
  ~AlternateStack() {
    if (!memory_) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    ::sigaltstack(&off, nullptr);
  }
  AlternateStack(const AlternateStack&) = delete;
  AlternateStack& operator=(const AlternateStack&) = delete;

 private:
  static constexpr size_t kSize = 64 * 1024;
  std::unique_ptr<char[]> memory_;
};

}  // namespace

std::string crash_marker_path(const std::string& state_path) {
  return state_side_file(state_path, ".crashed");
}

void install_crash_handlers() {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  struct sigaction action {};
  action.sa_sigaction = on_crash_signal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (int signal : kCrashSignals) {
    struct sigaction current {};
    ::sigaction(signal, nullptr, &current);
    bool ours = (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_crash_signal;
    if (!ours) ::sigaction(signal, &action, &g_previous[signal]);
  }
}

CrashScope::CrashScope(const std::string& path, const std::string& line) {
  thread_local AlternateStack alternate_stack;
  t_path = path.c_str();
  t_line = line.data();
  t_line_len = line.size();
}

CrashScope::~CrashScope() {
  t_path = nullptr;
  t_line = nullptr;
  t_line_len = 0;
}

std::string crash_line(const std::string& run_id, const std::string& task, int attempt) {
  return run_id + "\t" + task + "\t" + std::to_string(attempt) + "\t";
}

std::vector<CrashRecord> read_crash_marker(const std::string& path) {
  std::vector<CrashRecord> records;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    CrashRecord r;
    std::string attempt, signal;
    if (!std::getline(fields, r.run_id, '\t') || !std::getline(fields, r.task, '\t') ||
        !std::getline(fields, attempt, '\t') || !std::getline(fields, signal)) {
      continue;
    }
    try {
      r.attempt = std::stoi(attempt);
      r.signal = std::stoi(signal);
    } catch (const std::exception&) {
      continue;
    }
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace flowweaver
