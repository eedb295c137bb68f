#include "exec/pool_slots.h"

#include <cassert>

namespace flowweaver {

PoolSlots::PoolSlots(std::map<std::string, int> slots) : slots_(std::move(slots)) {
  for (const auto& [name, count] : slots_) pools_[name];
}

bool PoolSlots::has_pool(const std::string& pool) const { return slots_.count(pool) != 0; }

PoolSlots::Ticket PoolSlots::request(const std::string& pool, int priority,
                                     std::function<void()> on_grant) {
  std::lock_guard<std::mutex> lock(mutex_);
  assert(has_pool(pool));
  Ticket ticket = next_ticket_++;
  Pool& p = pools_.at(pool);
  Request r{pool, priority, false, std::move(on_grant)};
  // A free slot with nobody waiting: waiters are granted as soon as a slot frees, so a free slot
  // means an empty queue.
  if (p.waiting.empty() && p.used < slots_.at(pool)) {
    r.granted = true;
    ++p.used;
  } else {
    p.waiting.insert({-priority, ticket});
  }
  requests_.emplace(ticket, std::move(r));
  return ticket;
}

bool PoolSlots::granted(Ticket ticket) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = requests_.find(ticket);
  return it != requests_.end() && it->second.granted;
}

void PoolSlots::release(Ticket ticket) {
  std::vector<std::function<void()>> wakes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = requests_.find(ticket);
    if (it == requests_.end()) return;
    Pool& p = pools_.at(it->second.pool);
    if (it->second.granted) {
      --p.used;
    } else {
      p.waiting.erase({-it->second.priority, ticket});
    }
    requests_.erase(it);
    grant_waiters(p, &wakes);
  }
  // Outside the lock: a callback takes its scheduler's own lock.
  for (auto& wake : wakes) {
    if (wake) wake();
  }
}

void PoolSlots::grant_waiters(Pool& pool, std::vector<std::function<void()>>* wakes) {
  while (!pool.waiting.empty()) {
    Ticket first = std::get<1>(*pool.waiting.begin());
    Request& r = requests_.at(first);
    if (pool.used >= slots_.at(r.pool)) return;
    pool.waiting.erase(pool.waiting.begin());
    r.granted = true;
    ++pool.used;
    wakes->push_back(r.on_grant);
  }
}

std::vector<PoolSlots::Counts> PoolSlots::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Counts> out;
  for (const auto& [name, count] : slots_) {
    const Pool& p = pools_.at(name);
    out.push_back({name, count, p.used, static_cast<int>(p.waiting.size())});
  }
  return out;
}

}  // namespace flowweaver
