#include "exec/pool_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace flowweaver {
namespace {

TEST(PoolSlots, GrantsUpToTheSlotCountThenQueues) {
  PoolSlots pools({{"warehouse", 2}});
  auto a = pools.request("warehouse", 0, nullptr);
  auto b = pools.request("warehouse", 0, nullptr);
  auto c = pools.request("warehouse", 0, nullptr);
  EXPECT_TRUE(pools.granted(a));
  EXPECT_TRUE(pools.granted(b));
  EXPECT_FALSE(pools.granted(c));
  std::vector<PoolSlots::Counts> counts = pools.counts();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].pool, "warehouse");
  EXPECT_EQ(counts[0].slots, 2);
  EXPECT_EQ(counts[0].used, 2);
  EXPECT_EQ(counts[0].waiting, 1);
}

TEST(PoolSlots, AFreedSlotGoesToTheHighestPriorityThenTheOldestWaiter) {
  PoolSlots pools({{"p", 1}});
  std::vector<std::string> order;
  auto holder = pools.request("p", 0, nullptr);
  auto low = pools.request("p", 0, [&] { order.push_back("low"); });
  auto high1 = pools.request("p", 5, [&] { order.push_back("high1"); });
  auto high2 = pools.request("p", 5, [&] { order.push_back("high2"); });
  auto negative = pools.request("p", -1, [&] { order.push_back("negative"); });
  pools.release(holder);
  pools.release(high1);
  pools.release(high2);
  pools.release(low);
  pools.release(negative);
  EXPECT_EQ(order, (std::vector<std::string>{"high1", "high2", "low", "negative"}));
  EXPECT_EQ(pools.counts()[0].used, 0);
  EXPECT_EQ(pools.counts()[0].waiting, 0);
}

TEST(PoolSlots, AWithdrawnWaitIsNeverGrantedAndAFreeSlotWaitsForNobody) {
  PoolSlots pools({{"p", 1}});
  bool woken = false;
  auto holder = pools.request("p", 0, nullptr);
  auto waiter = pools.request("p", 9, [&] { woken = true; });
  pools.release(waiter);  // withdrawn
  EXPECT_EQ(pools.counts()[0].waiting, 0);
  pools.release(holder);
  EXPECT_FALSE(woken);
  EXPECT_EQ(pools.counts()[0].used, 0);
  auto next = pools.request("p", 0, nullptr);
  EXPECT_TRUE(pools.granted(next));
  pools.release(next);
  pools.release(next);  // a second release is ignored
  EXPECT_EQ(pools.counts()[0].used, 0);
}

TEST(PoolSlots, PoolsAreIndependent) {
  PoolSlots pools({{"a", 1}, {"b", 1}});
  EXPECT_TRUE(pools.has_pool("a"));
  EXPECT_FALSE(pools.has_pool("c"));
  auto a = pools.request("a", 0, nullptr);
  auto b = pools.request("b", 0, nullptr);
  EXPECT_TRUE(pools.granted(a));
  EXPECT_TRUE(pools.granted(b));
}

TEST(PoolSlots, ThreadsNeverHoldMoreThanTheSlots) {
  PoolSlots pools({{"p", 2}});
  std::atomic<int> held{0};
  std::atomic<int> most{0};
  auto worker = [&] {
    for (int i = 0; i < 200; ++i) {
      // Shared: the grant may be called after this loop has moved on.
      struct Signal {
        std::mutex m;
        std::condition_variable cv;
        bool go = false;
      };
      auto signal = std::make_shared<Signal>();
      auto t = pools.request("p", i % 3, [signal] {
        std::lock_guard<std::mutex> lock(signal->m);
        signal->go = true;
        signal->cv.notify_all();
      });
      {
        std::unique_lock<std::mutex> lock(signal->m);
        signal->cv.wait(lock, [&] { return signal->go || pools.granted(t); });
      }
      int now = ++held;
      int prev = most.load();
      while (now > prev && !most.compare_exchange_weak(prev, now)) {
      }
      --held;
      pools.release(t);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_EQ(pools.counts()[0].used, 0);
}

}  // namespace
}  // namespace flowweaver
