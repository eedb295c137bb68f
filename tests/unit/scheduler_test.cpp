// The scheduler with a fake clock, a scripted runner and a real (temporary) SQLite store.
#include <gtest/gtest.h>

#include "scheduler_fixture.h"

namespace flowweaver {
namespace {

constexpr const char* kDiamond = R"(name: wf
tasks:
  - {name: a, uses: x.y}
  - {name: b, uses: x.y, depends_on: [a]}
  - {name: c, uses: x.y, depends_on: [a]}
  - {name: d, uses: x.y, depends_on: [b, c]}
  - {name: e, uses: x.y}
)";

TEST_F(SchedulerTest, RunsInDeterministicTopologicalOrderWithOneWorker) {
  load(kDiamond);
  SchedulerResult r = run({});
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(scripted_->inputs_seen("d"), "\"b-out\"\"c-out\"");
  for (const TaskRecord& t : store_->load_tasks("run1")) {
    EXPECT_EQ(t.status, TaskStatus::kCompleted) << t.task_name;
  }
}

// Whoever restarts a host that died during a call must know which task was running.
TEST_F(SchedulerTest, NoTaskIsCalledBeforeItsRunningRowIsCommitted) {
  load(kDiamond);
  manifest_.tasks[2].retry.retries = 1;  // c: a retry is a start too
  std::vector<std::string> calls, called_unrecorded;
  before_call_ = [&](const std::string& task, int attempt) {
    std::string call = task + "#" + std::to_string(attempt);
    std::lock_guard<std::mutex> lock(store_->mutex);
    calls.push_back(call);
    if (!store_->committed_running.count(call)) called_unrecorded.push_back(call);
  };
  SchedulerResult r = run({{"c", {Step::kRetryable, Step::kOk}}}, 4);
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(calls.size(), 6u);  // c twice
  EXPECT_TRUE(called_unrecorded.empty()) << ::testing::PrintToString(called_unrecorded);
}

TEST_F(SchedulerTest, NoTaskStartsBeforeItsUpstreamCompletionIsCommitted) {
  load(kDiamond);
  std::vector<std::string> committed_when_started_d;
  SchedulerResult r = run({}, 4);
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  // The runner saw each upstream's output, which the scheduler publishes only with the commit;
  // and every completion was committed exactly once.
  auto done = store_->committed_completions;
  std::sort(done.begin(), done.end());
  EXPECT_EQ(done, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(scripted_->inputs_seen("b"), "\"a-out\"");
}

TEST_F(SchedulerTest, RetriesWithExponentialBackoffAndPersistsEachAttempt) {
  load(R"(name: wf
tasks:
  - name: flaky
    uses: x.y
    retries: 3
    retry_delay: 1s
    backoff: exponential
)");
  SchedulerResult r = run({{"flaky", {Step::kRetryable, Step::kRetryable, Step::kOk}}});
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  std::vector<AttemptRecord> attempts = store_->load_attempts("run1");
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].error, "transient 1");
  EXPECT_EQ(attempts[1].started_at - attempts[0].finished_at, Millis(1000));
  EXPECT_EQ(attempts[2].started_at - attempts[1].finished_at, Millis(2000));
  EXPECT_EQ(attempts[2].status, TaskStatus::kCompleted);
}

// The gap between each attempt's end and the next one's start, for task `flaky` of run1.
std::vector<Millis> retry_gaps(const std::vector<AttemptRecord>& attempts) {
  std::vector<Millis> gaps;
  for (size_t i = 1; i < attempts.size(); ++i) {
    gaps.push_back(
        std::chrono::duration_cast<Millis>(attempts[i].started_at - attempts[i - 1].finished_at));
  }
  return gaps;
}

TEST_F(SchedulerTest, ARetryAfterLongerThanTheRetryDelayIsWaited) {
  load("name: wf\ntasks:\n  - {name: flaky, uses: x.y, retries: 2, retry_delay: 1s}\n");
  SchedulerResult r = run({{"flaky", {Step::kRetryAfter3s, Step::kRetryable, Step::kOk}}});
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  // The second failure asks for nothing: back to the plain retry_delay.
  EXPECT_EQ(retry_gaps(store_->load_attempts("run1")),
            (std::vector<Millis>{Millis(3000), Millis(1000)}));
}

TEST_F(SchedulerTest, ARetryDelayLongerThanTheRetryAfterIsKept) {
  load("name: wf\ntasks:\n  - {name: flaky, uses: x.y, retries: 1, retry_delay: 5s}\n");
  SchedulerResult r = run({{"flaky", {Step::kRetryAfter3s, Step::kOk}}});
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(retry_gaps(store_->load_attempts("run1")), std::vector<Millis>{Millis(5000)});
}

TEST_F(SchedulerTest, MaxRetryDelayCapsARetryAfter) {
  load(
      "name: wf\ntasks:\n  - {name: flaky, uses: x.y, retries: 1, retry_delay: 1s, "
      "max_retry_delay: 2s}\n");
  SchedulerResult r = run({{"flaky", {Step::kRetryAfter3s, Step::kOk}}});
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(retry_gaps(store_->load_attempts("run1")), std::vector<Millis>{Millis(2000)});
}

TEST_F(SchedulerTest, ExhaustedRetriesFailTheTaskAndSkipItsDependentsOnly) {
  load(R"(name: wf
tasks:
  - {name: a, uses: x.y, retries: 1, retry_delay: 10ms}
  - {name: b, uses: x.y, depends_on: [a]}
  - {name: c, uses: x.y, depends_on: [b]}
  - {name: other, uses: x.y}
)");
  SchedulerResult r = run({{"a", {Step::kRetryable}}});
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(task(r, "a").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "a").attempt, 2);
  EXPECT_EQ(task(r, "b").status, TaskStatus::kSkipped);
  EXPECT_EQ(task(r, "b").error, "upstream 'a' failed");
  EXPECT_EQ(task(r, "c").status, TaskStatus::kSkipped);
  EXPECT_EQ(task(r, "other").status, TaskStatus::kCompleted);
  auto stored = store_->load_tasks("run1");
  EXPECT_EQ(stored[2].status, TaskStatus::kSkipped);
}

TEST_F(SchedulerTest, PermanentErrorsAreNotRetried) {
  load("name: wf\ntasks:\n  - {name: a, uses: x.y, retries: 5}\n");
  SchedulerResult r = run({{"a", {Step::kPermanent}}});
  EXPECT_EQ(task(r, "a").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "a").attempt, 1);
  EXPECT_EQ(task(r, "a").error, "fatal");
}

TEST_F(SchedulerTest, TimeoutCancelsTheCallAndCountsAsAFailedAttempt) {
  load(
      "name: wf\ntasks:\n  - {name: slow, uses: x.y, timeout: 30s, retries: 1, retry_delay: 1s}\n");
  SchedulerResult r = run({{"slow", {Step::kBlockUntilCancelled}}});
  EXPECT_EQ(task(r, "slow").status, TaskStatus::kFailed);
  std::vector<AttemptRecord> attempts = store_->load_attempts("run1");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].error, "timeout after 30s");
  EXPECT_EQ(attempts[0].finished_at - attempts[0].started_at, Millis(30000));
  EXPECT_FALSE(r.abandoned_calls);
}

TEST_F(SchedulerTest, ACallIgnoringCancellationIsAbandonedAfterTheGracePeriod) {
  load(
      "name: wf\ntasks:\n  - {name: stuck, uses: x.y, timeout: 1s}\n  - {name: next, uses: x.y}\n");
  SchedulerResult r = run({{"stuck", {Step::kIgnoreCancellation}}});
  EXPECT_TRUE(r.abandoned_calls);
  EXPECT_EQ(task(r, "stuck").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "stuck").error,
            "timeout after 1s (the task ignored cancellation for 5s and was abandoned)");
  EXPECT_EQ(task(r, "next").status, TaskStatus::kCompleted);  // the run went on without it
  scripted_->release_and_drain();
}

TEST_F(SchedulerTest, StopRequestCancelsRunningTasksAndLeavesThemPending) {
  load(
      "name: wf\ntasks:\n  - {name: long, uses: x.y}\n  - {name: after, uses: x.y, depends_on: "
      "[long]}\n");
  SchedulerResult r =
      run({{"long", {Step::kBlockUntilCancelled}}}, 1, std::nullopt, [this](Scheduler& s) {
        while (scripted_->started().empty()) std::this_thread::sleep_for(Millis(1));
        s.request_stop();
      });
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(task(r, "long").status, TaskStatus::kPending);
  EXPECT_EQ(task(r, "long").error, "interrupted by shutdown: cancelled");
  EXPECT_EQ(task(r, "after").status, TaskStatus::kPending);
  EXPECT_EQ(store_->load_tasks("run1")[0].status, TaskStatus::kPending);
}

TEST_F(SchedulerTest, WithADrainPeriodRunningTasksAreCancelledOnlyWhenItEnds) {
  load(
      "name: wf\ntasks:\n  - {name: long, uses: x.y}\n  - {name: after, uses: x.y, depends_on: "
      "[long]}\n");
  drain_period_ = Millis(20000);
  TimePoint stopped_at;
  SchedulerResult r =
      run({{"long", {Step::kBlockUntilCancelled}}}, 1, std::nullopt, [&](Scheduler& s) {
        while (scripted_->started().empty()) {
          std::this_thread::sleep_for(Millis(1));
        }
        stopped_at = clock_->now();
        s.request_stop();
      });
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(task(r, "long").error, "interrupted by shutdown: cancelled");
  EXPECT_EQ(task(r, "after").status, TaskStatus::kPending);
  std::vector<AttemptRecord> attempts = store_->load_attempts("run1");
  ASSERT_EQ(attempts.size(), 1u);
  // The call was left alone for the whole drain period (virtual time), then cancelled.
  EXPECT_GE(attempts[0].finished_at - stopped_at, Millis(20000));
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"long"}));
}

// A cancel does not drain: the running call is cancelled at once, and the run ends CANCELLED.
TEST_F(SchedulerTest, ACancelCancelsRunningTasksAtOnceAndEndsTheRunCancelled) {
  load(
      "name: wf\ntasks:\n  - {name: long, uses: x.y}\n  - {name: after, uses: x.y, depends_on: "
      "[long]}\n");
  drain_period_ = Millis(20000);
  TimePoint cancelled_at;
  SchedulerResult r =
      run({{"long", {Step::kBlockUntilCancelled}}}, 1, std::nullopt, [&](Scheduler& s) {
        while (scripted_->started().empty()) {
          std::this_thread::sleep_for(Millis(1));
        }
        freeze_time_ = true;
        cancelled_at = clock_->now();
        s.request_stop(StopReason::kCancel);
      });
  EXPECT_EQ(r.status, RunStatus::kCancelled);
  EXPECT_EQ(task(r, "long").status, TaskStatus::kPending);
  EXPECT_EQ(task(r, "long").error, "cancelled: cancelled");
  EXPECT_EQ(task(r, "after").status, TaskStatus::kPending);
  std::vector<AttemptRecord> attempts = store_->load_attempts("run1");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_LT(attempts[0].finished_at - cancelled_at, Millis(20000));
}

TEST_F(SchedulerTest, AStopRequestedBeforeTheRunStartsNothing) {
  load("name: wf\ntasks:\n  - {name: a, uses: x.y}\n");
  SchedulerResult r = run({}, 1, std::nullopt, nullptr, /*stop_first=*/true);
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_TRUE(scripted_->started().empty());
  EXPECT_EQ(task(r, "a").status, TaskStatus::kPending);
}

TEST_F(SchedulerTest, ResumeKeepsCompletedTasksAndRerunsInterruptedOnes) {
  load(kDiamond);
  std::vector<TaskRecord> records = fresh_records();
  records[0].status = TaskStatus::kCompleted;  // a
  records[0].result = "\"stored-a\"";
  records[1].status = TaskStatus::kRunning;  // b: its process died
  records[1].attempt = 1;
  records[2].status = TaskStatus::kFailed;  // c: failed last time, runs again
  records[2].attempt = 2;
  SchedulerResult r = run({}, 1, records);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"b", "c", "d", "e"}));
  EXPECT_EQ(scripted_->inputs_seen("b"), "\"stored-a\"");
  EXPECT_EQ(task(r, "b").attempt, 2);
  EXPECT_EQ(task(r, "c").attempt, 3);
  std::vector<AttemptRecord> attempts = store_->load_attempts("run1");
  ASSERT_FALSE(attempts.empty());
  EXPECT_EQ(attempts[0].task_name, "b");
  // Not the task's fault (a kill -9, a power cut): recorded as interrupted, not as failed.
  EXPECT_EQ(attempts[0].status, TaskStatus::kInterrupted);
  EXPECT_EQ(attempts[0].error, "interrupted: the host process stopped during this attempt");
}

// The run's history as a host that crashed twice in `b`'s calls left it: two interrupted
// attempts, and `b` RUNNING its third.
std::vector<TaskRecord> died_under_b_twice(ObservedStore& store, std::vector<TaskRecord> records,
                                           TimePoint now) {
  records[0].status = TaskStatus::kCompleted;  // a
  records[0].result = "\"stored-a\"";
  for (int attempt = 1; attempt <= 2; ++attempt) {
    records[1].attempt = attempt;
    AttemptRecord died{"b",
                       attempt,
                       TaskStatus::kInterrupted,
                       "interrupted: the host process crashed (signal 11, SIGSEGV) while this "
                       "task was running in it (" +
                           std::to_string(attempt) + " of 3)",
                       now,
                       now};
    store.apply("run1", {{records[1], died}});
  }
  records[1].status = TaskStatus::kRunning;
  records[1].attempt = 3;
  store.apply("run1", {{records[0], std::nullopt}, {records[1], std::nullopt}});
  return records;
}

TEST_F(SchedulerTest, ATaskTheHostCrashedInThreeTimesFailsAndTheRestOfTheRunGoesOn) {
  load(kDiamond);
  std::vector<TaskRecord> records = died_under_b_twice(*store_, fresh_records(), clock_->now());
  crash_marker_ = (dir_ / "s.db.crashed").string();
  std::ofstream(crash_marker_) << "run1\tb\t2\t11\n"  // an older attempt: ignored
                               << "run1\tb\t3\t11\n";
  SchedulerResult r = run({}, 1, records);
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(task(r, "b").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "b").error,
            "the host process died 3 times while this task was running; it probably crashes the "
            "host: run it with `isolation: process`");
  EXPECT_EQ(task(r, "d").status, TaskStatus::kSkipped);
  EXPECT_EQ(task(r, "c").status, TaskStatus::kCompleted);
  EXPECT_EQ(task(r, "e").status, TaskStatus::kCompleted);
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"c", "e"}));
  std::vector<AttemptRecord> attempts = store_->load_attempts("run1");
  ASSERT_EQ(attempts.size(), 5u);  // b: 3 interrupted; c, e
  EXPECT_EQ(attempts[2].task_name, "b");
  EXPECT_EQ(attempts[2].status, TaskStatus::kInterrupted);
  EXPECT_EQ(attempts[2].error,
            "interrupted: the host process crashed (signal 11, SIGSEGV) while this task was "
            "running in it (3 of 3)");
  EXPECT_FALSE(std::filesystem::exists(crash_marker_)) << "its news is in the state now";
  for (const TaskRecord& t : store_->load_tasks("run1")) {
    if (t.task_name == "b") {
      EXPECT_EQ(t.status, TaskStatus::kFailed);
    } else if (t.task_name == "d") {
      EXPECT_EQ(t.status, TaskStatus::kSkipped);
    }
  }
}

// A kill -9 or a power cut leaves no crash line: not the task's fault, however often.
TEST_F(SchedulerTest, AHostThatDiedWithoutCrashingInTheTaskCountsNothingAgainstIt) {
  load(kDiamond);
  std::vector<TaskRecord> records = died_under_b_twice(*store_, fresh_records(), clock_->now());
  crash_marker_ = (dir_ / "s.db.crashed").string();
  std::ofstream(crash_marker_) << "run1\tc\t3\t11\n";  // another task's attempt
  SchedulerResult r = run({}, 1, records);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(task(r, "b").attempt, 4);
  std::vector<AttemptRecord> attempts = store_->load_attempts("run1");
  ASSERT_GE(attempts.size(), 3u);
  EXPECT_EQ(attempts[2].status, TaskStatus::kInterrupted);
  EXPECT_EQ(attempts[2].error, "interrupted: the host process stopped during this attempt");
}

TEST_F(SchedulerTest, APersistedRetryDueTimeIsHonouredOnResume) {
  load("name: wf\ntasks:\n  - {name: a, uses: x.y, retries: 2}\n");
  std::vector<TaskRecord> records = fresh_records();
  TimePoint due = clock_->now() + Millis(7000);
  records[0].attempt = 1;
  records[0].next_attempt_at = due;
  records[0].error = "transient 1";
  SchedulerResult r = run({}, 1, records);
  EXPECT_EQ(task(r, "a").status, TaskStatus::kCompleted);
  EXPECT_GE(*task(r, "a").started_at, due);
}

TEST_F(SchedulerTest, AStoreFailureStopsTheRunAndKeepsWhatWasCommitted) {
  load("name: wf\ntasks:\n  - {name: a, uses: x.y}\n  - {name: b, uses: x.y, depends_on: [a]}\n");
  store_->fail_from_commit = 1;  // the commit holding a's COMPLETED (b waits for it) fails
  EXPECT_THROW(run({}), Error);
  std::vector<TaskRecord> stored = store_->load_tasks("run1");
  EXPECT_EQ(stored[0].status, TaskStatus::kPending);  // as created: a runs again on resume
  EXPECT_EQ(stored[1].status, TaskStatus::kPending);
  // b never starts; a may or may not have (the stop can come before a worker took it).
  std::vector<std::string> started = scripted_->started();
  EXPECT_EQ(std::count(started.begin(), started.end(), "b"), 0);
}

// The first commit here is a background one (exec/state_writer.h): a's failed attempt, written
// kFlushDelay after it was staged while the retry waits. Its failure must stop the run all the
// same, and nothing of it may reach the state.
TEST_F(SchedulerTest, AFailedBackgroundCommitStopsTheRun) {
  load(R"(name: wf
tasks:
  - {name: a, uses: x.y, retries: 1, retry_delay: 1s}
  - {name: b, uses: x.y, depends_on: [a]}
)");
  store_->fail_from_commit = 1;
  EXPECT_THROW(run({{"a", {Step::kRetryable}}}), Error);
  EXPECT_TRUE(store_->load_attempts("run1").empty());
  std::vector<TaskRecord> stored = store_->load_tasks("run1");
  EXPECT_EQ(stored[0].status, TaskStatus::kPending);
  EXPECT_EQ(stored[0].attempt, 0);
  std::vector<std::string> started = scripted_->started();
  EXPECT_EQ(std::count(started.begin(), started.end(), "b"), 0);
}

}  // namespace
}  // namespace flowweaver

namespace flowweaver {
namespace {

TEST_F(SchedulerTest, TheRunDeadlineFailsWaitingRetriesAndRunningCallsThenRunsTheHandlers) {
  load(R"(name: wf
timeout: 10s
tasks:
  - {name: flaky, uses: x.y, retries: 5, retry_delay: 8s}
  - {name: slow, uses: x.y}
  - {name: after, uses: x.y, depends_on: [slow]}
on_failure:
  - {name: alert, uses: x.y}
on_exit:
  - {name: cleanup, uses: x.y, depends_on: []}
)");
  TimePoint start = clock_->now();
  SchedulerResult r = run({{"flaky", {Step::kRetryable}}, {"slow", {Step::kBlockUntilCancelled}}},
                          /*max_workers=*/2);
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(clock_->now() - start, Millis(10000));  // not the 16 s of flaky's second retry
  EXPECT_EQ(task(r, "flaky").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "flaky").attempt, 2);
  EXPECT_EQ(task(r, "flaky").error, "workflow timeout after 10s");
  EXPECT_EQ(task(r, "slow").error, "workflow timeout after 10s");
  EXPECT_EQ(task(r, "after").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "after").attempt, 0);
  EXPECT_EQ(task(r, "alert").status, TaskStatus::kCompleted);
  EXPECT_EQ(task(r, "cleanup").status, TaskStatus::kCompleted);
  EXPECT_EQ(handlers_saw_, "FAILED:flaky,slow,after,");
}

TEST_F(SchedulerTest, AFalseConditionSkipsTheTaskAndAFailingOneFailsItWithoutRetry) {
  load(R"(name: wf
tasks:
  - {name: a, uses: x.y}
  - {name: gated, uses: x.y, depends_on: [a]}
  - {name: join, uses: x.y, depends_on: [gated], trigger_rule: none_failed}
  - {name: broken, uses: x.y, depends_on: [a], retries: 3}
  - {name: after_broken, uses: x.y, depends_on: [broken]}
)");
  condition_ = [this](uint32_t t, const std::vector<TaskRecord>& records) {
    const std::string& name = manifest_.tasks[t].name;
    if (name == "gated") {
      EXPECT_EQ(records[0].status, TaskStatus::kCompleted);  // its upstream, with its output
      EXPECT_EQ(records[0].result, "\"a-out\"");
      return ConditionVerdict{ConditionVerdict::Kind::kSkip, "condition false"};
    }
    if (name == "broken") {
      return ConditionVerdict{ConditionVerdict::Kind::kFail, "condition: no such output"};
    }
    return ConditionVerdict{};
  };
  SchedulerResult r = run({});
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(task(r, "gated").status, TaskStatus::kSkipped);
  EXPECT_EQ(task(r, "gated").error, "condition false");
  EXPECT_EQ(task(r, "join").status, TaskStatus::kCompleted);  // a plain skip is no failure
  EXPECT_EQ(task(r, "broken").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "broken").attempt, 0);
  EXPECT_EQ(task(r, "after_broken").error, "upstream 'broken' failed");
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"a", "join"}));
}

TEST_F(SchedulerTest, AStopBeforeTheRunStillRunsOnExitButNotOnFailure) {
  load(R"(name: wf
tasks:
  - {name: a, uses: x.y}
on_failure:
  - {name: alert, uses: x.y}
on_exit:
  - {name: cleanup, uses: x.y}
)");
  SchedulerResult r = run({}, 1, std::nullopt, nullptr, /*stop_first=*/true);
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(task(r, "a").status, TaskStatus::kPending);
  EXPECT_EQ(task(r, "alert").status, TaskStatus::kSkipped);
  EXPECT_EQ(task(r, "cleanup").status, TaskStatus::kCompleted);
  EXPECT_EQ(handlers_saw_, "INTERRUPTED:");
}

}  // namespace
}  // namespace flowweaver

namespace flowweaver {
namespace {

constexpr const char* kPoolOfOne = R"(name: wf
tasks:
  - {name: first, uses: x.y, pool: p}
  - {name: low, uses: x.y, pool: p}
  - {name: high, uses: x.y, pool: p, priority: 5}
  - {name: mid, uses: x.y, pool: p, priority: 1}
  - {name: free, uses: x.y}
)";

TEST_F(SchedulerTest, APoolOfOneRunsItsTasksOneAtATimeInPriorityOrder) {
  load(kPoolOfOne);
  pools_ = std::make_shared<PoolSlots>(std::map<std::string, int>{{"p", 1}});
  std::atomic<int> in_pool{0};
  std::atomic<int> most_in_pool{0};
  before_call_ = [&](const std::string& task, int) {
    if (task == "free") return;
    // The call holds the slot for this window; an overlapping call would be seen in it.
    int now = ++in_pool;
    most_in_pool = std::max(most_in_pool.load(), now);
    std::this_thread::sleep_for(Millis(20));
    --in_pool;
  };
  SchedulerResult r = run({}, /*max_workers=*/4);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(most_in_pool.load(), 1);
  std::vector<std::string> pool_order;
  for (const std::string& t : scripted_->started()) {
    if (t != "free") pool_order.push_back(t);
  }
  EXPECT_EQ(pool_order, (std::vector<std::string>{"first", "high", "mid", "low"}));
  // A task of no pool did not wait behind the pool's queue.
  std::vector<std::string> started = scripted_->started();
  EXPECT_LT(std::find(started.begin(), started.end(), "free") - started.begin(), 3);
  EXPECT_EQ(pools_->counts()[0].used, 0);
  EXPECT_EQ(pools_->counts()[0].waiting, 0);
}

TEST_F(SchedulerTest, ASlotFreedByAnotherRunWakesAWaitingTask) {
  load(kPoolOfOne);
  pools_ = std::make_shared<PoolSlots>(std::map<std::string, int>{{"p", 1}});
  PoolSlots::Ticket other_run = pools_->request("p", 100, nullptr);
  SchedulerResult r = run({}, 2, std::nullopt, [&](Scheduler&) {
    // Waits until the run has queued its pool tasks behind the other run's slot.
    while (pools_->counts()[0].waiting < 4) std::this_thread::sleep_for(Millis(1));
    EXPECT_EQ(pools_->counts()[0].used, 1);
    pools_->release(other_run);
  });
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(scripted_->started().size(), 5u);
  EXPECT_EQ(pools_->counts()[0].used, 0);
}

TEST_F(SchedulerTest, AStopWithdrawsPoolWaitsAndAFailedAttemptFreesItsSlot) {
  load(R"(name: wf
tasks:
  - {name: breaks, uses: x.y, pool: p, allow_failure: true}
  - {name: long, uses: x.y, pool: p}
  - {name: waits, uses: x.y, pool: p}
)");
  pools_ = std::make_shared<PoolSlots>(std::map<std::string, int>{{"p", 1}});
  SchedulerResult r = run({{"breaks", {Step::kPermanent}}, {"long", {Step::kBlockUntilCancelled}}},
                          2, std::nullopt, [&](Scheduler& s) {
                            while (scripted_->started().size() < 2) {
                              std::this_thread::sleep_for(Millis(1));
                            }
                            s.request_stop();
                          });
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_EQ(task(r, "breaks").status, TaskStatus::kFailed);
  // The failure freed the slot for `long`; the stop withdrew the wait of `waits`.
  EXPECT_EQ(task(r, "long").attempt, 1);
  EXPECT_EQ(task(r, "waits").status, TaskStatus::kPending);
  EXPECT_EQ(task(r, "waits").attempt, 0);
  EXPECT_EQ(pools_->counts()[0].used, 0);
  EXPECT_EQ(pools_->counts()[0].waiting, 0);
}

}  // namespace
}  // namespace flowweaver

namespace flowweaver {
namespace {

TEST_F(SchedulerTest, TheRunDeadlineWithdrawsAWaitForAPoolSlot) {
  load(R"(name: wf
timeout: 1m
tasks:
  - {name: waits, uses: x.y, pool: p}
)");
  pools_ = std::make_shared<PoolSlots>(std::map<std::string, int>{{"p", 1}});
  PoolSlots::Ticket other_run = pools_->request("p", 0, nullptr);  // never given back in time
  SchedulerResult r = run({});
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(task(r, "waits").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "waits").error, "workflow timeout after 1m");
  EXPECT_EQ(task(r, "waits").attempt, 0);
  EXPECT_EQ(pools_->counts()[0].waiting, 0);
  EXPECT_EQ(pools_->counts()[0].used, 1);
  pools_->release(other_run);
}

}  // namespace
}  // namespace flowweaver
