#include "util/buffered_fd_sink.h"

#include <unistd.h>

#include <cerrno>

namespace flowweaver {

BufferedFdSink::~BufferedFdSink() {
  std::lock_guard<std::mutex> lock(mutex_);
  flush_();
}

void BufferedFdSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  buffer_.append(formatted.data(), formatted.size());
  if (buffer_.size() >= kFlushBytes) flush_();
}

void BufferedFdSink::flush_() {
  size_t written = 0;
  while (written < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // nowhere to log to (a closed or full stderr): drop, as stdio would
    written += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace flowweaver
