#include "progress/terminal_status.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace flowweaver {
namespace {

// Back to the start of the line and erase it.
constexpr std::string_view kClearLine = "\r\x1b[K";

}  // namespace

bool TerminalStatus::usable(int fd) {
  const char* term = std::getenv("TERM");
  return ::isatty(fd) == 1 && term && *term && std::strcmp(term, "dumb") != 0;
}

void TerminalStatus::set_status(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_ || text == status_) return;
  status_ = text;
  write_all(std::string(kClearLine) + status_);
}

void TerminalStatus::print_above(std::string_view line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return write_all(line);
  write_all(std::string(kClearLine) + std::string(line) + status_);
}

void TerminalStatus::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (!status_.empty()) write_all(std::string(kClearLine) + status_ + "\n");
}

void TerminalStatus::write_all(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a terminal that went away: nothing to tell it
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void TerminalStatusSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  terminal_->print_above(std::string_view(formatted.data(), formatted.size()));
}

}  // namespace flowweaver
