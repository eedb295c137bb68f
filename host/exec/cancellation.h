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

  // A call handed to a worker ahead of time is claimed by the worker when it starts, or
  // withdrawn by a stop before that; exactly one of the two succeeds.
  bool claim() {
    int queued = kQueued;
    return phase_.compare_exchange_strong(queued, kClaimed);
  }
  bool withdraw() {
    int queued = kQueued;
    if (!phase_.compare_exchange_strong(queued, kWithdrawn)) return false;
    cancel();
    return true;
  }

  // Waits up to `duration` (real time); returns true if cancelled meanwhile.
  bool wait_for(Millis duration) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, duration, [&] { return cancelled(); });
  }

 private:
  static constexpr int kQueued = 0, kClaimed = 1, kWithdrawn = 2;
  std::atomic<bool> cancelled_{false};
  std::atomic<int> phase_{kQueued};
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace flowweaver
