#include "exec/crash_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <mutex>
#include <sstream>

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

void on_crash_signal(int signal) {
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
  // SA_RESETHAND restored the default action: re-raised (or re-executing the faulting
  // instruction), the signal ends the process as it would have without us.
  ::raise(signal);
}

}  // namespace

std::string crash_marker_path(const std::string& state_path) { return state_path + ".crashed"; }

void install_crash_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = on_crash_signal;
    action.sa_flags = static_cast<int>(SA_RESETHAND | SA_NODEFER);
    sigemptyset(&action.sa_mask);
    for (int signal : kCrashSignals) ::sigaction(signal, &action, nullptr);
  });
}

CrashScope::CrashScope(const std::string& path, const std::string& line) {
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
