#include "exec/worker_pool.h"

#include <condition_variable>
#include <deque>
#include <mutex>

namespace flowweaver {

struct WorkerPool::Shared {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::function<void()>> jobs;
  bool stopping = false;
  int num_busy = 0;
};

namespace {

void worker_loop(std::shared_ptr<WorkerPool::Shared> shared) {
  std::unique_lock<std::mutex> lock(shared->mutex);
  while (true) {
    shared->cv.wait(lock, [&] { return shared->stopping || !shared->jobs.empty(); });
    if (shared->jobs.empty()) return;  // stopping
    std::function<void()> job = std::move(shared->jobs.front());
    shared->jobs.pop_front();
    ++shared->num_busy;
    lock.unlock();
    job();
    lock.lock();
    --shared->num_busy;
  }
}

}  // namespace

WorkerPool::WorkerPool(int num_workers) : shared_(std::make_shared<Shared>()) {
  for (int i = 0; i < num_workers; ++i) add_worker();
}

WorkerPool::~WorkerPool() {
  bool busy_left;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->stopping = true;
    shared_->jobs.clear();
    busy_left = shared_->num_busy > 0;
  }
  shared_->cv.notify_all();
  for (std::thread& t : threads_) {
    // With a job still running somewhere we cannot tell which thread holds it; detaching all is
    // safe because they only touch `shared`, which they co-own.
    if (busy_left) {
      t.detach();
    } else {
      t.join();
    }
  }
}

void WorkerPool::submit(std::vector<std::function<void()>>& jobs) {
  size_t count = jobs.size();
  if (count == 0) return;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    for (auto& job : jobs) shared_->jobs.push_back(std::move(job));
  }
  jobs.clear();
  if (count == 1) {
    shared_->cv.notify_one();
  } else {
    shared_->cv.notify_all();
  }
}

void WorkerPool::add_worker() { threads_.emplace_back(worker_loop, shared_); }

}  // namespace flowweaver
