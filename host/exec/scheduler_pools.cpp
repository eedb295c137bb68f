// Pools (workflows/FORMAT.md, "Pools"): a task that names one starts only once it holds one of
// the pool's slots, which every run of the process shares (exec/pool_slots.h). The scheduler
// (exec/scheduler.h) asks for the slot when the task would otherwise start, so a task waiting
// for its pool never holds back ready tasks of other pools or of none; the slot goes back when
// the attempt ends, however it ends.
#include <algorithm>
#include <stdexcept>

#include "exec/scheduler.h"
#include "exec/scheduler_shared.h"

namespace flowweaver {

bool Scheduler::holds_pool_slot(uint32_t task) {
  const TaskSpec& spec = this->spec(task);
  if (spec.pool.empty()) return true;
  if (auto it = pool_tickets_.find(task); it != pool_tickets_.end()) {
    if (options_.pools->granted(it->second)) return true;
    pool_waiting_.push_back(task);
    return false;
  }
  // The engine refuses a manifest naming an undeclared pool before any run starts.
  if (!options_.pools || !options_.pools->has_pool(spec.pool)) {
    throw std::logic_error("task '" + spec.name + "' names the undeclared pool '" + spec.pool +
                           "'");
  }
  PoolSlots::Ticket ticket = options_.pools->request(spec.pool, spec.priority, [shared = shared_] {
    {
      std::lock_guard<std::mutex> lock(shared->mutex);
      shared->pool_granted.store(true, std::memory_order_release);
    }
    shared->cv.notify_all();
  });
  pool_tickets_.emplace(task, ticket);
  if (options_.pools->granted(ticket)) return true;
  pool_waiting_.push_back(task);
  return false;
}

bool Scheduler::pool_news() const { return shared_->pool_granted.load(std::memory_order_acquire); }

void Scheduler::ready_granted_tasks() {
  if (!shared_->pool_granted.exchange(false, std::memory_order_acq_rel)) return;
  auto granted = [&](uint32_t task) { return options_.pools->granted(pool_tickets_.at(task)); };
  auto first_granted = std::stable_partition(pool_waiting_.begin(), pool_waiting_.end(),
                                             [&](uint32_t t) { return !granted(t); });
  for (auto it = first_granted; it != pool_waiting_.end(); ++it) ready_.push(*it);
  pool_waiting_.erase(first_granted, pool_waiting_.end());
}

void Scheduler::release_pool_slot(uint32_t task) {
  auto it = pool_tickets_.find(task);
  if (it == pool_tickets_.end()) return;
  options_.pools->release(it->second);
  pool_tickets_.erase(it);
}

void Scheduler::withdraw_pool_waits() {
  pool_waiting_.clear();
  for (auto it = pool_tickets_.begin(); it != pool_tickets_.end();) {
    if (running_.count(it->first)) {
      ++it;  // its attempt is under way: released when it ends
      continue;
    }
    options_.pools->release(it->second);
    it = pool_tickets_.erase(it);
  }
}

}  // namespace flowweaver
