// A fixed set of threads running submitted jobs in order. A job that never returns (a task
// ignoring cancellation) can be written off: add_worker() restores the capacity, and the
// destructor detaches threads still busy instead of waiting for them forever.
#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace flowweaver {

class WorkerPool {
 public:
  explicit WorkerPool(int num_workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues the jobs (leaving `jobs` empty) under one lock and one wake-up call.
  void submit(std::vector<std::function<void()>>& jobs);
  void add_worker();

  struct Shared;  // the queue, co-owned by the threads

 private:
  std::shared_ptr<Shared> shared_;  // outlives the pool for detached threads
  std::vector<std::thread> threads_;
};

}  // namespace flowweaver
