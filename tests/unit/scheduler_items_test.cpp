// foreach and matrix tasks in the scheduler: each item is a durable row with attempts of its
// own, and its task ends once every item has (exec/scheduler_items.cpp).
#include <gtest/gtest.h>

#include "exec/fan_out_items.h"
#include "scheduler_fixture.h"

namespace flowweaver {
namespace {

constexpr const char* kPipeline = R"(name: wf
tasks:
  - {name: list, uses: x.y}
  - {name: convert, uses: x.y, depends_on: [list], retries: 1, retry_delay: 1s}
  - {name: merge, uses: x.y, depends_on: [convert]}
)";

class SchedulerItemsTest : public SchedulerTest {
 protected:
  // Gives task `name` a foreach over `values`, listed as the engine would list them.
  void foreach_over(const std::string& name, nlohmann::json values, int max_parallel = 0) {
    auto fan_out = std::make_shared<FanOut>();
    fan_out->items = std::move(values);
    fan_out->max_parallel = max_parallel;
    for (uint32_t t = 0; t < manifest_.tasks.size(); ++t) {
      if (manifest_.tasks[t].name != name) continue;
      manifest_.tasks[t].fan_out = fan_out;
      calls_.not_a_call(t);
    }
    list_items_ = [this](uint32_t task, const OutputTable&) {
      ++listings_;
      const TaskSpec& spec = manifest_.tasks[task];
      return expand_fan_out(spec, spec.fan_out->items);
    };
  }

  std::map<std::string, TaskRecord> rows() {
    std::map<std::string, TaskRecord> out;
    for (TaskRecord& r : store_->load_tasks("run1")) out[r.task_name] = r;
    return out;
  }

  // The stored rows of the manifest's tasks, in its order: what a resume starts from.
  std::vector<TaskRecord> task_rows() {
    auto stored = rows();
    std::vector<TaskRecord> out;
    for (const TaskSpec& t : manifest_.tasks) out.push_back(stored.at(t.name));
    return out;
  }

  int listings_ = 0;
};

TEST_F(SchedulerItemsTest, EachItemIsARowAndTheTaskOutputsTheirOutputsInOrder) {
  load(kPipeline);
  foreach_over("convert", {"a", "b", "c"});
  SchedulerResult r = run({}, 2);
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(task(r, "convert").result, R"(["convert[0]-out","convert[1]-out","convert[2]-out"])");
  EXPECT_EQ(scripted_->inputs_seen("merge"), task(r, "convert").result);
  auto stored = rows();
  for (const char* item : {"convert[0]", "convert[1]", "convert[2]"}) {
    ASSERT_TRUE(stored.count(item)) << item;
    EXPECT_EQ(stored[item].status, TaskStatus::kCompleted) << item;
    EXPECT_EQ(stored[item].attempt, 1) << item;
    EXPECT_EQ(stored[item].position, 1) << item;  // listed with its task
  }
  EXPECT_EQ(stored["convert"].status, TaskStatus::kCompleted);
  EXPECT_EQ(r.tasks.size(), 3u);  // the result holds the manifest's tasks only
}

TEST_F(SchedulerItemsTest, AFailedItemFailsItsTaskOnceTheOthersHaveEnded) {
  load(kPipeline);
  foreach_over("convert", {1, 2, 3});
  SchedulerResult r = run({{"convert[1]", {Step::kPermanent}}});
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(task(r, "convert").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "convert").error, "1 of 3 items failed; the first: convert[1]: fatal");
  EXPECT_EQ(task(r, "merge").status, TaskStatus::kSkipped);
  auto stored = rows();
  EXPECT_EQ(stored["convert[0]"].status, TaskStatus::kCompleted);
  EXPECT_EQ(stored["convert[2]"].status, TaskStatus::kCompleted);
  EXPECT_EQ(stored["convert[1]"].status, TaskStatus::kFailed);
}

TEST_F(SchedulerItemsTest, AnItemIsRetriedOnItsOwnByItsTasksPolicy) {
  load(kPipeline);
  foreach_over("convert", {1, 2});
  SchedulerResult r = run({{"convert[0]", {Step::kRetryable, Step::kOk}}});
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  int item0 = 0, item1 = 0;
  for (const AttemptRecord& a : store_->load_attempts("run1")) {
    item0 += a.task_name == "convert[0]";
    item1 += a.task_name == "convert[1]";
  }
  EXPECT_EQ(item0, 2);
  EXPECT_EQ(item1, 1);
}

TEST_F(SchedulerItemsTest, MaxParallelCapsTheItemsRunningAtOnce) {
  load(kPipeline);
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i < 12; ++i) many.push_back(i);
  foreach_over("convert", many, 2);
  SchedulerResult r = run({}, 4);
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(calls_.most_items_at_once(), 2);
  EXPECT_EQ(nlohmann::json::parse(task(r, "convert").result).size(), 12u);
}

TEST_F(SchedulerItemsTest, WithoutACapItemsShareEveryWorker) {
  load(kPipeline);
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i < 40; ++i) many.push_back(i);
  foreach_over("convert", many);
  SchedulerResult r = run({}, 4);
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_GT(calls_.most_items_at_once(), 2);
}

TEST_F(SchedulerItemsTest, AnEmptyListCompletesTheTaskAtOnce) {
  load(kPipeline);
  foreach_over("convert", nlohmann::json::array());
  SchedulerResult r = run({});
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(task(r, "convert").result, "[]");
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"list", "merge"}));
}

TEST_F(SchedulerItemsTest, AListThatCannotBeMadeFailsTheTaskWithoutRetry) {
  load(kPipeline);
  foreach_over("convert", "${tasks.list.output}");  // a string: expand_fan_out refuses it
  SchedulerResult r = run({});
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(task(r, "convert").status, TaskStatus::kFailed);
  EXPECT_EQ(task(r, "convert").error.rfind("${tasks.list.output} is not a list", 0), 0u)
      << task(r, "convert").error;
  EXPECT_EQ(listings_, 1);
  EXPECT_EQ(task(r, "merge").status, TaskStatus::kSkipped);
}

TEST_F(SchedulerItemsTest, AResumeRunsOnlyTheItemsThatDidNotComplete) {
  load(kPipeline);
  foreach_over("convert", {"a", "b", "c", "d"});
  SchedulerResult first = run({{"convert[2]", {Step::kPermanent}}});
  ASSERT_EQ(first.status, RunStatus::kFailed);

  SchedulerResult second = run({}, 1, task_rows());
  ASSERT_EQ(second.status, RunStatus::kCompleted);
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"convert[2]", "merge"}));
  EXPECT_EQ(task(second, "convert").result,
            R"(["convert[0]-out","convert[1]-out","convert[2]-out","convert[3]-out"])");
  auto stored = rows();
  EXPECT_EQ(stored["convert[2]"].attempt, 2);  // numbered on from the first run's
  EXPECT_EQ(stored["convert"].attempt, 2);
}

// A host that died while items ran left them, and their task, RUNNING.
TEST_F(SchedulerItemsTest, ItemsLeftRunningByADeadHostRunAgainAndOnlyThey) {
  load(kPipeline);
  foreach_over("convert", {"a", "b", "c"});
  std::vector<TaskRecord> records = fresh_records();
  TimePoint t0 = clock_->now();
  records[0].status = TaskStatus::kCompleted;
  records[0].result = "\"list-out\"";
  records[0].attempt = 1;
  records[1].status = TaskStatus::kRunning;
  records[1].attempt = 1;
  std::vector<TaskUpdate> updates = {{records[0], std::nullopt}, {records[1], std::nullopt}};
  auto item = [&](const std::string& name, TaskStatus status) {
    TaskRecord r;
    r.task_name = name;
    r.position = 1;
    r.status = status;
    r.attempt = 1;
    r.started_at = t0;
    r.timestamp = t0;
    if (status == TaskStatus::kCompleted) r.result = "\"kept\"";
    updates.push_back({r, std::nullopt});
  };
  item("convert[0]", TaskStatus::kCompleted);
  item("convert[1]", TaskStatus::kRunning);
  store_->apply("run1", updates);

  SchedulerResult r = run({}, 1, task_rows());
  ASSERT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(scripted_->started(), (std::vector<std::string>{"convert[1]", "convert[2]", "merge"}));
  EXPECT_EQ(task(r, "convert").result, R"(["kept","convert[1]-out","convert[2]-out"])");
  EXPECT_EQ(task(r, "convert").attempt, 1);  // the attempt the dead host began, made again
  std::vector<std::string> interrupted;
  for (const AttemptRecord& a : store_->load_attempts("run1")) {
    if (a.status == TaskStatus::kInterrupted) interrupted.push_back(a.task_name);
  }
  EXPECT_EQ(interrupted, (std::vector<std::string>{"convert[1]"}));
}

TEST_F(SchedulerItemsTest, AStopLeavesTheTaskPendingAndItsFinishedItemsDone) {
  load(kPipeline);
  foreach_over("convert", {"a", "b", "c"});
  freeze_time_ = false;
  SchedulerResult r =
      run({{"convert[1]", {Step::kBlockUntilCancelled}}}, 1, std::nullopt, [this](Scheduler& s) {
        while (scripted_->started().size() < 3) {
          std::this_thread::sleep_for(Millis(1));
        }
        freeze_time_ = true;
        s.request_stop();
      });
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  auto stored = rows();
  EXPECT_EQ(stored["convert"].status, TaskStatus::kPending);
  EXPECT_EQ(stored["convert"].attempt, 0);
  EXPECT_EQ(stored["convert[0]"].status, TaskStatus::kCompleted);
  EXPECT_EQ(stored["convert[1]"].status, TaskStatus::kPending);
}

}  // namespace
}  // namespace flowweaver
