// A log sink that gathers lines in memory and writes them to a file descriptor in one write()
// per flush, instead of one per line as spdlog's stderr sink does. A run logs two lines per
// task; at thousands of tasks a second the syscalls were a large part of the run's cost.
//
// The owner flushes when it has nothing else to do (the scheduler's idle hook, see
// RunObserver::on_idle) and the logger flushes on warnings; the buffer also goes out whenever
// it passes kFlushBytes and when the sink is destroyed. Lines not yet flushed when the process
// is killed are lost; the state, not the log, is the record of what ran.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>

namespace flowweaver {

class BufferedFdSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedFdSink(int fd) : fd_(fd) {}
  ~BufferedFdSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  static constexpr size_t kFlushBytes = 64 * 1024;

  int fd_;
  std::string buffer_;
};

}  // namespace flowweaver
