#include "exec/worker_pool.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "util/spin_wait.h"

namespace flowweaver {

struct WorkerPool::Shared {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::function<void()>> jobs;
  bool stopping = false;
  int num_busy = 0;
  // jobs.size() and stopping, for a spinning worker to watch without the mutex.
  std::atomic<size_t> num_jobs{0};
  std::atomic<bool> stopping_flag{false};
  // At most one idle worker spins: the others would take cores from the threads doing work.
  std::atomic<bool> someone_spins{false};
};

namespace {

// Long enough to cover the scheduler's turnaround between one quick task and the next (a commit
// included); short enough that an idle pool costs nothing to speak of.
constexpr std::chrono::microseconds kSpinBudget{100};

// An idle worker's wait for the next job: a short spin when no other worker spins, then sleep.
void wait_for_job(WorkerPool::Shared& shared, std::unique_lock<std::mutex>& lock) {
  auto has_news = [&] {
    return shared.num_jobs.load(std::memory_order_acquire) > 0 ||
           shared.stopping_flag.load(std::memory_order_acquire);
  };
  if (!shared.stopping && shared.jobs.empty() && !shared.someone_spins.exchange(true)) {
    lock.unlock();
    spin_until(has_news, kSpinBudget);
    shared.someone_spins.store(false);
    lock.lock();
  }
  shared.cv.wait(lock, [&] { return shared.stopping || !shared.jobs.empty(); });
}

void worker_loop(std::shared_ptr<WorkerPool::Shared> shared) {
  std::unique_lock<std::mutex> lock(shared->mutex);
  while (true) {
    wait_for_job(*shared, lock);
    if (shared->jobs.empty()) return;  // stopping
    std::function<void()> job = std::move(shared->jobs.front());
    shared->jobs.pop_front();
    shared->num_jobs.store(shared->jobs.size(), std::memory_order_release);
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
    shared_->stopping_flag.store(true, std::memory_order_release);
    shared_->jobs.clear();
    shared_->num_jobs.store(0, std::memory_order_release);
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
    shared_->num_jobs.store(shared_->jobs.size(), std::memory_order_release);
  }
  jobs.clear();
  if (count == 1) {
    // A spinning worker takes a single job without being woken: it sees it while spinning, or,
    // once it stops, under the mutex before it would sleep. Waking a sleeping one as well only
    // puts a third thread on two cores (a futex wake and a reschedule per job in a chain).
    if (!shared_->someone_spins.load()) shared_->cv.notify_one();
  } else {
    shared_->cv.notify_all();
  }
}

void WorkerPool::add_worker() { threads_.emplace_back(worker_loop, shared_); }

}  // namespace flowweaver
