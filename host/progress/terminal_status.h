// One status line kept at the bottom of a terminal, redrawn in place ("\r" and erase-line),
// with ordinary lines printed above it: the live progress of `flowweaver run` and
// `status --watch`. Only for a terminal: on a pipe the callers print plain lines instead.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace flowweaver {

class TerminalStatus {
 public:
  explicit TerminalStatus(int fd) : fd_(fd) {}

  // Replaces the status line. Thread-safe, as are the others.
  void set_status(const std::string& text);
  // Prints `line` (ending in '\n') above the status line.
  void print_above(std::string_view line);
  // Leaves the status line as the last line printed, and stops drawing.
  void finish();

  // Whether `fd` is a terminal that understands "\r" and erase-line (TERM set, not "dumb").
  static bool usable(int fd);

 private:
  void write_all(std::string_view text);

  int fd_;
  std::mutex mutex_;
  std::string status_;
  bool finished_ = false;
};

// A log sink printing each line above the status line.
class TerminalStatusSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit TerminalStatusSink(std::shared_ptr<TerminalStatus> terminal)
      : terminal_(std::move(terminal)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::shared_ptr<TerminalStatus> terminal_;
};

}  // namespace flowweaver
