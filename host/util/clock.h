// Wall-clock time behind an interface, so retry backoff and timeouts are tested with a fake
// clock instead of sleeping. Wall time (not steady time) because retry due times are persisted
// and must mean the same thing to the next process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace flowweaver {

using TimePoint = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() = 0;
  // Blocks on `cv` (whose mutex `lock` holds) until notified or `deadline` passes on this clock.
  // Spurious wake-ups are allowed; callers re-check their condition.
  virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          TimePoint deadline) = 0;
};

class SystemClock : public Clock {
 public:
  TimePoint now() override { return std::chrono::system_clock::now(); }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint deadline) override {
    cv.wait_until(lock, deadline);
  }
};

}  // namespace flowweaver
