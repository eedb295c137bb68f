// A one-way flag that tells a running call to stop early, which the call can poll or wait on.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "util/clock.h"

namespace flowweaver {

class Cancellation {
 public:
  void cancel() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled_.store(true, std::memory_order_release);
    }
    cv_.notify_all();
  }

  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Waits up to `duration` (real time); returns true if cancelled meanwhile.
  bool wait_for(Millis duration) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, duration, [&] { return cancelled(); });
  }

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace flowweaver
