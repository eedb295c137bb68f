// Reading a state whole for migrate-state (state/stored_runs.h): runs in the order they were
// created, grouped by workflow, and the attempts a killed SQLite writer held back restored.
#include "state/stored_runs.h"

#include <gtest/gtest.h>

#include "scratch_dir.h"
#include "state/state_store.h"

namespace flowweaver {
namespace {

TimePoint at_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

RunRecord run(const std::string& id, const std::string& workflow, RunStatus status) {
  return {id, workflow, status, at_ms(1700000000000), std::nullopt, "abc"};
}

TaskRecord completed(const std::string& name, int position) {
  TaskRecord t;
  t.task_name = name;
  t.position = position;
  t.status = TaskStatus::kCompleted;
  t.attempt = 1;
  t.timestamp = at_ms(1700000001000);
  t.started_at = at_ms(1700000000500);
  t.finished_at = at_ms(1700000001000);
  return t;
}

TEST(StoredRunsTest, RunsComeOldestFirstByWorkflowInTheOrderOfTheirFirstRun) {
  testing::ScratchDir dir;
  auto store = open_state_store(dir.file("s.db"), Durability::kNormal);
  store->create_run(run("r1", "b", RunStatus::kCompleted), {});
  store->create_run(run("r2", "a", RunStatus::kCompleted), {});
  store->create_run(run("r3", "b", RunStatus::kFailed), {});
  std::vector<WorkflowRuns> read = read_runs_by_workflow(*store);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].workflow, "b");
  ASSERT_EQ(read[0].runs.size(), 2u);
  EXPECT_EQ(read[0].runs[0].run.run_id, "r1");
  EXPECT_EQ(read[0].runs[1].run.run_id, "r3");
  EXPECT_EQ(read[1].workflow, "a");
  EXPECT_EQ(workflows_with_runs(*store), (std::vector<std::string>{"b", "a"}));
}

// A writer killed while it held back a COMPLETED attempt (StateStore::apply_awaited) leaves the
// task row without its attempt row; the copy has both, as the file's next writer would.
TEST(StoredRunsTest, ARunningRunGetsTheCompletedAttemptsItsWriterHeldBack) {
  testing::ScratchDir dir;
  auto store = open_state_store(dir.file("s.db"), Durability::kNormal);
  store->create_run(run("r1", "wf", RunStatus::kRunning), {completed("a", 0), completed("b", 1)});
  store->create_run(run("r2", "wf", RunStatus::kFailed), {completed("a", 0)});
  AttemptRecord b{"b", 1, TaskStatus::kCompleted, "", at_ms(1700000000500), at_ms(1700000001000)};
  store->apply("r1", {{completed("b", 1), b}});
  std::vector<WorkflowRuns> read = read_runs_by_workflow(*store);
  ASSERT_EQ(read.size(), 1u);
  const std::vector<AttemptRecord>& running = read[0].runs[0].attempts;
  ASSERT_EQ(running.size(), 2u);  // b's as stored, a's restored
  EXPECT_EQ(running[1].task_name, "a");
  EXPECT_EQ(running[1].status, TaskStatus::kCompleted);
  EXPECT_EQ(running[1].started_at, at_ms(1700000000500));
  EXPECT_EQ(running[1].finished_at, at_ms(1700000001000));
  EXPECT_TRUE(read[0].runs[1].attempts.empty());  // a run that ended is copied as it is
}

}  // namespace
}  // namespace flowweaver
