// The slots of named pools (workflows/FORMAT.md, "Pools"), shared by every run of one process:
// at most a pool's slot count of tasks that name it run at once, across runs. A task asks for a
// slot and, when none is free, waits in its pool's queue: higher `priority` first, then first
// come, first served. A freed slot goes straight to the first waiter, whose `on_grant` is
// called (on the releasing thread, outside the table's lock) so its scheduler wakes and starts it.
//
// Thread-safe: schedulers of different runs call it from their own threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace flowweaver {

class PoolSlots {
 public:
  using Ticket = uint64_t;

  // Slot counts by pool name; each at least 1.
  explicit PoolSlots(std::map<std::string, int> slots);

  bool has_pool(const std::string& pool) const;
  // The declared pools and their slot counts.
  const std::map<std::string, int>& slots() const { return slots_; }

  // Asks for a slot of `pool` (which must be declared). The ticket holds the slot at once when
  // one is free and nobody waits; otherwise it waits, and `on_grant` is called when it gets
  // one. Either way it is the caller's to release().
  Ticket request(const std::string& pool, int priority, std::function<void()> on_grant);
  // Whether the ticket holds its slot.
  bool granted(Ticket ticket) const;
  // Gives the slot back (which goes to the next waiter), or withdraws a wait. Unknown tickets
  // (already released) are ignored.
  void release(Ticket ticket);

  struct Counts {
    std::string pool;
    int slots = 0;
    int used = 0;
    int waiting = 0;
  };
  // One per declared pool, by name.
  std::vector<Counts> counts() const;

 private:
  // Ordered: higher priority first, then the older request.
  using WaitKey = std::tuple<int, Ticket>;  // (-priority, ticket)
  struct Pool {
    int used = 0;
    std::set<WaitKey> waiting;
  };
  struct Request {
    std::string pool;
    int priority = 0;
    bool granted = false;
    std::function<void()> on_grant;
  };
  // Hands free slots of `pool` to its first waiters; their callbacks go into `wakes`.
  void grant_waiters(Pool& pool, std::vector<std::function<void()>>* wakes);

  const std::map<std::string, int> slots_;
  mutable std::mutex mutex_;
  std::map<std::string, Pool> pools_;
  std::unordered_map<Ticket, Request> requests_;
  Ticket next_ticket_ = 1;
};

}  // namespace flowweaver
