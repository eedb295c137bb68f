#include "exec/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

namespace flowweaver {
namespace {

// Waits up to 5 s for `count` to reach `expected`.
bool reaches(const std::atomic<int>& count, int expected) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (count.load() < expected) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// A single job wakes one worker: whatever the moment it comes at (while a worker is still busy
// with the last one, just as it goes to sleep, or while all sleep) it must run.
TEST(WorkerPoolTest, EverySingleJobRunsWhateverTheMomentItComes) {
  for (int num_workers : {1, 2, 3}) {
    WorkerPool pool(num_workers);
    std::atomic<int> done{0};
    std::mt19937 random(num_workers);
    for (int i = 0; i < 1000; ++i) {
      // From no gap at all to long enough for every worker to be asleep.
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 250));
      std::vector<std::function<void()>> jobs;
      jobs.push_back([&done] { ++done; });
      pool.submit(jobs);
      ASSERT_TRUE(reaches(done, i + 1)) << "job " << i << " with " << num_workers << " workers";
    }
  }
}

TEST(WorkerPoolTest, ABatchRunsOnEveryWorker) {
  WorkerPool pool(2);
  std::atomic<int> running{0};
  std::atomic<int> most_at_once{0};
  std::atomic<int> done{0};
  std::vector<std::function<void()>> jobs;
  for (int i = 0; i < 4; ++i) {
    jobs.push_back([&] {
      int now = ++running;
      int seen = most_at_once.load();
      while (now > seen && !most_at_once.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      --running;
      ++done;
    });
  }
  pool.submit(jobs);
  EXPECT_TRUE(jobs.empty());
  ASSERT_TRUE(reaches(done, 4));
  EXPECT_EQ(most_at_once.load(), 2);
}

}  // namespace
}  // namespace flowweaver
