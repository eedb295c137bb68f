// What the scheduler's thread shares with its worker threads (exec/scheduler.h); seen only by
// the scheduler's own source files.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "exec/scheduler.h"

namespace flowweaver {

struct Scheduler::Shared {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Event> events;
  std::atomic<bool> has_events{false};  // !events.empty(), for the brief spin to watch
  // Bumped under `mutex` (so a waiting scheduler cannot miss it); read without, once per turn.
  std::atomic<uint64_t> stop_requests{0};
  std::atomic<bool> cancel_requested{false};  // set before stop_requests is bumped
  // A pool slot was granted to a waiting task (set under `mutex` by the granting thread).
  std::atomic<bool> pool_granted{false};
  OutputTable outputs;  // written by the scheduler before dependents start; read by workers
};

}  // namespace flowweaver
