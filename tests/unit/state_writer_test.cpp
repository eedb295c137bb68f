#include "exec/state_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "null_store.h"
#include "util/error.h"

namespace flowweaver {
namespace {

// Records the task names of every update it is given, in order; can be slow, or fail.
class RecordingStore : public testing::NullStore {
 public:
  void apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) override {
    if (inside.exchange(true)) overlapped = true;
    while (held) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(delay);
    bool fail = fail_at_call > 0 && ++num_calls >= fail_at_call;
    if (!fail) {
      std::lock_guard<std::mutex> lock(mutex);
      for (const TaskUpdate& u : updates) written.push_back(run_id + "/" + u.task.task_name);
    }
    inside = false;
    if (fail) throw Error::State("disk full (injected)");
  }

  void apply_awaited(const std::string& run_id, const std::vector<TaskUpdate>& updates) override {
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (const TaskUpdate& u : updates) awaited.push_back(run_id + "/" + u.task.task_name);
    }
    apply(run_id, updates);
  }

  std::vector<std::string> names() {
    std::lock_guard<std::mutex> lock(mutex);
    return written;
  }
  std::vector<std::string> awaited_names() {
    std::lock_guard<std::mutex> lock(mutex);
    return awaited;
  }

  std::chrono::microseconds delay{0};
  std::atomic<bool> held{false};  // apply() waits while it is set
  int fail_at_call = 0;           // 0: never
  std::atomic<bool> inside{false};
  std::atomic<bool> overlapped{false};

 private:
  int num_calls = 0;
  std::mutex mutex;
  std::vector<std::string> written;
  std::vector<std::string> awaited;  // given to apply_awaited()
};

std::vector<TaskUpdate> batch(std::initializer_list<const char*> names) {
  std::vector<TaskUpdate> updates;
  for (const char* name : names) {
    TaskUpdate u;
    u.task.task_name = name;
    updates.push_back(u);
  }
  return updates;
}

TEST(StateWriterTest, WritesInTheOrderGivenAndWriteNowReturnsOnceAllIsWritten) {
  RecordingStore store;
  store.delay = std::chrono::milliseconds(5);  // the background writes are still going on
  StateWriter writer(store, "r");
  writer.write_later(batch({"a", "b"}));
  writer.write_later(batch({"c"}));
  EXPECT_EQ(writer.write_now(batch({"d"})), std::nullopt);
  EXPECT_EQ(store.names(), (std::vector<std::string>{"r/a", "r/b", "r/c", "r/d"}));
  EXPECT_FALSE(store.overlapped);
}

// The store may hold back completed attempts only from a commit a task waits for.
TEST(StateWriterTest, OnlyWhatWriteNowCommitsIsAwaited) {
  RecordingStore store;
  StateWriter writer(store, "r");
  writer.write_later(batch({"a"}));
  EXPECT_EQ(writer.write_now(batch({"b", "c"})), std::nullopt);
  writer.write_later(batch({"d"}));
  EXPECT_EQ(writer.write_now({}), std::nullopt);
  EXPECT_EQ(store.names(), (std::vector<std::string>{"r/a", "r/b", "r/c", "r/d"}));
  EXPECT_EQ(store.awaited_names(), (std::vector<std::string>{"r/b", "r/c"}));
}

TEST(StateWriterTest, AnEmptyWriteNowWaitsForTheQueue) {
  RecordingStore store;
  store.delay = std::chrono::milliseconds(5);
  StateWriter writer(store, "r");
  writer.write_later(batch({"a"}));
  EXPECT_EQ(writer.write_now({}), std::nullopt);
  EXPECT_EQ(store.names(), (std::vector<std::string>{"r/a"}));
}

TEST(StateWriterTest, AFailedBackgroundWriteIsReportedAndNothingMoreIsWritten) {
  RecordingStore store;
  store.fail_at_call = 1;
  StateWriter writer(store, "r");
  writer.write_later(batch({"a"}));
  std::optional<std::string> error = writer.write_now(batch({"b"}));
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("disk full (injected)"), std::string::npos) << *error;
  EXPECT_EQ(writer.error(), error);
  writer.write_later(batch({"c"}));
  EXPECT_EQ(writer.write_now(batch({"d"})), error);  // the first error, every time
  EXPECT_TRUE(store.names().empty());
}

TEST(StateWriterTest, AFailedWriteNowIsReported) {
  RecordingStore store;
  store.fail_at_call = 2;
  StateWriter writer(store, "r");
  EXPECT_EQ(writer.write_now(batch({"a"})), std::nullopt);
  EXPECT_TRUE(writer.write_now(batch({"b"})).has_value());
  EXPECT_TRUE(writer.error().has_value());
  EXPECT_EQ(store.names(), (std::vector<std::string>{"r/a"}));
}

TEST(StateWriterTest, WhatIsQueuedIsWrittenBeforeTheWriterGoes) {
  RecordingStore store;
  store.delay = std::chrono::milliseconds(2);
  {
    StateWriter writer(store, "r");
    for (const char* name : {"a", "b", "c"}) writer.write_later(batch({name}));
  }
  EXPECT_EQ(store.names(), (std::vector<std::string>{"r/a", "r/b", "r/c"}));
}

TEST(StateWriterTest, WriteLaterWaitsWhileTheQueueIsFull) {
  RecordingStore store;
  store.held = true;
  StateWriter writer(store, "r");
  writer.write_later(batch({"a"}));
  while (!store.inside) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  writer.write_later(batch({"b"}));  // the thread is busy with a: b and c wait in the queue
  writer.write_later(batch({"c"}));
  std::atomic<bool> queued{false};
  std::thread late([&] {
    writer.write_later(batch({"d"}));
    queued = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(queued);
  store.held = false;
  late.join();
  EXPECT_EQ(writer.write_now({}), std::nullopt);
  EXPECT_EQ(store.names(), (std::vector<std::string>{"r/a", "r/b", "r/c", "r/d"}));
}

TEST(StateWriterTest, TheStoreIsNeverUsedFromTwoThreadsAtOnce) {
  RecordingStore store;
  store.delay = std::chrono::microseconds(50);
  StateWriter writer(store, "r");
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    std::string name = "t" + std::to_string(i);
    expected.push_back("r/" + name);
    if (i % 3 == 0) {
      EXPECT_EQ(writer.write_now(batch({name.c_str()})), std::nullopt);
    } else {
      writer.write_later(batch({name.c_str()}));
    }
  }
  EXPECT_EQ(writer.write_now({}), std::nullopt);
  EXPECT_EQ(store.names(), expected);
  EXPECT_FALSE(store.overlapped);
}

}  // namespace
}  // namespace flowweaver
