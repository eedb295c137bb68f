// What the in-process service tests share: a clock the test moves and a log the test reads.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "util/clock.h"

namespace flowweaver {

// A clock the test sets, which runs on in real time from there (the service's runs time their
// tasks and commits by it, so it must move); waits are short real waits so the loop keeps
// looking at it.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint t) { set(t); }
  TimePoint now() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_to_ + std::chrono::duration_cast<TimePoint::duration>(
                         std::chrono::steady_clock::now() - set_at_);
  }
  void set(TimePoint t) {
    std::lock_guard<std::mutex> lock(mutex_);
    set_to_ = t;
    set_at_ = std::chrono::steady_clock::now();
  }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint) override {
    cv.wait_for(lock, Millis(10));
  }

 private:
  std::mutex mutex_;
  TimePoint set_to_;
  std::chrono::steady_clock::time_point set_at_;
};

// What the service logs, kept for the test to read while the service's threads write: under
// the sink's own lock, which an ostream_sink's stream does not offer its reader (TSan).
class TextSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

}  // namespace flowweaver
