// This host's ear on the claims channel (claim_queue.h, kClaimChannel): one thread with its own
// connection LISTENs and wakes the claim workers when a row becomes ready and the waiting
// ClaimingRunners when their row is done, so that a step costs round trips, not poll intervals.
// A NOTIFY can be missed (sent before a waiter looked, or while the connection was being made
// again): every waiter also looks by itself at least once a second.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "util/clock.h"

namespace flowweaver {

class ClaimNotifications {
 public:
  // Starts listening on `url`; a connection that fails is made again (and said so in `log`).
  ClaimNotifications(std::string url, std::shared_ptr<spdlog::logger> log);
  ~ClaimNotifications();  // stops the thread
  ClaimNotifications(const ClaimNotifications&) = delete;
  ClaimNotifications& operator=(const ClaimNotifications&) = delete;

  // A number that changes when a row became ready: read it before looking for one, then
  // wait_ready() with it.
  uint64_t ready_generation() const;
  // Waits up to `timeout` for a "ready" after `generation`.
  void wait_ready(uint64_t generation, Millis timeout);
  // Waits up to `timeout` for "done:<id>"; true when it came (it is then forgotten).
  bool wait_done(int64_t id, Millis timeout);
  // Wakes every waiter (stopping).
  void wake_all();

 private:
  void listen_loop();
  bool listen_once();  // false when the connection broke
  void on_notification(const std::string& payload);

  std::string url_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t ready_generation_ = 0;
  // Done ids not waited for yet, the oldest forgotten first when there are too many.
  std::unordered_set<int64_t> done_;
  std::deque<int64_t> done_order_;
  std::thread thread_;
};

}  // namespace flowweaver
