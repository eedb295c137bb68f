// file.wait_for's rules, on a fake clock: when a path counts as settled, and how the wait ends
// (ready, timed out, cancelled). Built into file_unit_tests by plugins/file.
#include <gtest/gtest.h>

#include <filesystem>
#include <flowweaver/sdk.hpp>
#include <fstream>
#include <stdexcept>

#include "path_waiter.h"
#include "settle_tracker.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = SettleTracker::Clock;

const Clock::time_point kStart{};

PathState file_of(uint64_t size, int64_t mtime_ns = 1) { return {true, size, mtime_ns}; }

TEST(SettleTrackerTest, APathMustExistUnchangedForTheSettlePeriod) {
  SettleTracker tracker(milliseconds(500));
  EXPECT_EQ(tracker.observe({}, kStart), std::nullopt);
  EXPECT_EQ(tracker.observe(file_of(10), kStart + milliseconds(100)), milliseconds(500));
  EXPECT_EQ(tracker.observe(file_of(10), kStart + milliseconds(400)), milliseconds(200));
  EXPECT_EQ(tracker.observe(file_of(20), kStart + milliseconds(500)), milliseconds(500));
  EXPECT_EQ(tracker.observe(file_of(20, 2), kStart + milliseconds(700)), milliseconds(500));
  EXPECT_EQ(tracker.observe(file_of(20, 2), kStart + milliseconds(1200)), milliseconds(0));
}

TEST(SettleTrackerTest, ADisappearanceStartsAgainAndZeroSettleIsReadyAtOnce) {
  SettleTracker tracker(milliseconds(100));
  tracker.observe(file_of(1), kStart);
  EXPECT_EQ(tracker.observe({}, kStart + milliseconds(50)), std::nullopt);
  EXPECT_EQ(tracker.observe(file_of(1), kStart + milliseconds(120)), milliseconds(100));
  SettleTracker at_once(milliseconds(0));
  EXPECT_EQ(at_once.observe(file_of(0), kStart), milliseconds(0));
}

class Scratch {
 public:
  Scratch() {
    std::string name = (fs::temp_directory_path() / "fw-wait-test-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = name;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// A clock that moves only when the waiter sleeps; `on_sleep` sees the time after each sleep.
struct FakeTime {
  Clock::time_point now = kStart + milliseconds(1000);
  std::vector<milliseconds> sleeps;
  std::function<bool(Clock::time_point)> on_sleep = [](Clock::time_point) { return true; };

  PathWaiter waiter() {
    return PathWaiter([this] { return now; },
                      [this](milliseconds pause) {
                        sleeps.push_back(pause);
                        now += pause;
                        return on_sleep(now);
                      });
  }
};

const WaitOptions kOptions{milliseconds(300), milliseconds(5000), milliseconds(100)};

TEST(PathWaiterTest, AFileWrittenWhileWaitingIsReadyOnceItStopsGrowing) {
  Scratch dir;
  fs::path path = dir / "incoming.csv";
  FakeTime time;
  int num_writes = 0;
  time.on_sleep = [&](Clock::time_point now) {
    if (now >= kStart + milliseconds(1500) && num_writes < 3) {
      std::ofstream(path, std::ios::app) << "row\n";
      ++num_writes;
    }
    return true;
  };
  WaitOutcome outcome = time.waiter().wait(path, kOptions);
  EXPECT_EQ(num_writes, 3);
  EXPECT_EQ(outcome.state.size, 12u);
  // Appears at 500ms, last grows at 700ms, ready 300ms later.
  EXPECT_EQ(outcome.waited, milliseconds(1000));
  for (milliseconds pause : time.sleeps) EXPECT_LE(pause, milliseconds(100));
}

TEST(PathWaiterTest, AnExistingFileWithZeroSettleIsReadyWithoutSleeping) {
  Scratch dir;
  std::ofstream(dir / "ready") << "x";
  FakeTime time;
  WaitOutcome outcome =
      time.waiter().wait(dir / "ready", {milliseconds(0), milliseconds(0), milliseconds(100)});
  EXPECT_EQ(outcome.waited, milliseconds(0));
  EXPECT_TRUE(time.sleeps.empty());
}

TEST(PathWaiterTest, TheTimeoutSaysWhetherThePathWasMissingOrStillChanging) {
  Scratch dir;
  FakeTime missing_time;
  try {
    missing_time.waiter().wait(dir / "never", kOptions);
    ADD_FAILURE() << "no timeout";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "timed out after 5000ms waiting for '" +
                                         (dir / "never").string() + "': it does not exist");
  }
  EXPECT_EQ(missing_time.now, kStart + milliseconds(6000));  // not a poll more

  fs::path growing = dir / "growing";
  FakeTime growing_time;
  growing_time.on_sleep = [&](Clock::time_point) {
    std::ofstream(growing, std::ios::app) << "x";
    return true;
  };
  try {
    growing_time.waiter().wait(growing, kOptions);
    ADD_FAILURE() << "no timeout";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("it exists but was still changing (last seen"),
              std::string::npos)
        << e.what();
  }
}

TEST(PathWaiterTest, CancellationEndsTheWaitAtTheNextSleep) {
  Scratch dir;
  FakeTime time;
  time.on_sleep = [](Clock::time_point) { return false; };
  try {
    time.waiter().wait(dir / "never", kOptions);
    ADD_FAILURE() << "not cancelled";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cancelled while waiting for '" + (dir / "never").string() + "'");
  }
  EXPECT_EQ(time.sleeps.size(), 1u);
}

TEST(PathWaiterTest, ASettleLongerThanTheTimeoutIsRefusedBeforeWaiting) {
  Scratch dir;
  FakeTime time;
  try {
    time.waiter().wait(dir / "x", {milliseconds(2000), milliseconds(1000), milliseconds(100)});
    ADD_FAILURE() << "not refused";
  } catch (const PermanentError& e) {
    EXPECT_EQ(std::string(e.what()),
              "parameter 'settle' (2000ms) is longer than 'timeout' (1000ms), so the wait could "
              "never succeed: shorten settle or lengthen timeout");
  }
  EXPECT_TRUE(time.sleeps.empty());
}

TEST(PathWaiterTest, APathUnderAFileDoesNotExistRatherThanFailing) {
  Scratch dir;
  std::ofstream(dir / "file") << "x";
  EXPECT_FALSE(stat_path(dir / "file" / "child").exists);
  EXPECT_TRUE(stat_path(dir / "file").exists);
}

}  // namespace
}  // namespace flowweaver
