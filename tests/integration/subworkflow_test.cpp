// `uses: workflow.run` end to end with the real binary: a parent runs a child manifest as a run
// of its own, linked to it in the child's state; the child's outputs become the task's output;
// a resumed parent continues the same child run (after a failure, a kill -9, a shutdown); a
// cancelled parent cancels its child; validate points at the parent's line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The child: `work` (builtin.fail, failing its first `fail_times` attempts) and `slow` (a
// sleep of $CHILD_SLEEP, 1ms unless set), then `merge`; outputs the total and the label.
std::string child_manifest(int fail_times = 0) {
  return R"(name: child
params:
  count: {type: integer}
  label: {type: string, default: none}
outputs:
  total: ${tasks.merge.output.value}
  label: ${params.label}
tasks:
  - {name: work, uses: builtin.fail, with: {times: )" +
         std::to_string(fail_times) + R"(}}
  - {name: slow, uses: builtin.sleep, with: {duration: "${env.CHILD_SLEEP:-1ms}"}}
  - name: merge
    uses: builtin.echo
    depends_on: [work, slow]
    with: {value: "${params.count}"}
)";
}

const char* kParent = R"(name: parent
tasks:
  - {name: prep, uses: builtin.echo, with: {count: 3}}
  - name: sub
    uses: workflow.run
    depends_on: [prep]
    with:
      file: child.yaml
      params: {count: "${tasks.prep.output.count}", label: hello}
  - {name: report, uses: builtin.echo, depends_on: [sub], with: {got: "${tasks.sub.output.total}"}}
)";

class SubworkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("parent.yaml", kParent);
    dir_.write("child.yaml", child_manifest());
  }
  std::string parent_db() const { return (dir_.path() / "var/parent.db").string(); }
  std::string child_db() const { return (dir_.path() / "var/child.db").string(); }
  bool child_is_sleeping() const {
    try {
      return query_one(child_db(),
                       "SELECT group_concat(status) FROM (SELECT status FROM tasks WHERE "
                       "task_name IN ('work', 'slow') ORDER BY task_name)") == "RUNNING,COMPLETED";
    } catch (const std::exception&) {
      return false;  // no file or table yet
    }
  }

  TempDir dir_;
};

TEST_F(SubworkflowTest, TheParentCompletesWithTheChildsOutputsAndTheChildRunIsLinked) {
  ProcessResult r = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string parent_run = query_one(parent_db(), "SELECT run_id FROM runs");
  EXPECT_EQ(nlohmann::json::parse(
                query_one(parent_db(), "SELECT result FROM tasks WHERE task_name = 'sub'")),
            (nlohmann::json{{"total", 3}, {"label", "hello"}}));
  EXPECT_EQ(query_one(parent_db(), "SELECT result FROM tasks WHERE task_name = 'report'"),
            R"({"got":3})");
  EXPECT_EQ(query_one(child_db(),
                      "SELECT status || ' ' || parent_run_id || ' ' || parent_task || "
                      "' ' || parent_workflow FROM runs"),
            "COMPLETED " + parent_run + " sub parent");
  EXPECT_EQ(query_one(child_db(), "SELECT params FROM runs"), R"({"count":3,"label":"hello"})");
  EXPECT_EQ(query_one(parent_db(), "SELECT parent_run_id IS NULL FROM runs"), "1");
  EXPECT_THAT(r.err, HasSubstr("for task 'sub' of run " + parent_run + " of parent"));
  ProcessResult status = run_flowweaver({"status", "child.yaml"}, dir_.path());
  EXPECT_THAT(status.out, HasSubstr("Started by task 'sub' of run " + parent_run +
                                    " of parent (workflow.run)"));

  // A standalone run of the child is a run of its own: it does not touch the parent's.
  ProcessResult alone = run_flowweaver({"run", "child.yaml", "--param", "count=5"}, dir_.path());
  EXPECT_EQ(alone.exit_code, 0) << alone.err;
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM runs WHERE parent_run_id IS NULL"), "1");
}

TEST_F(SubworkflowTest, AnExplicitStateFileKeepsTheChildsStateBesideIt) {
  fs::create_directories(dir_.path() / "state");
  ProcessResult r = run_flowweaver({"run", "parent.yaml", "--state", "state/p.db"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_one((dir_.path() / "state/child.db").string(), "SELECT status FROM runs"),
            "COMPLETED");
  EXPECT_FALSE(fs::exists(dir_.path() / "var/child.db"));
}

TEST_F(SubworkflowTest, AFailedChildFailsTheTaskAndTheParentsResumeResumesTheSameChildRun) {
  dir_.write("child.yaml", child_manifest(1));
  ProcessResult failed = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  std::string child_run = query_one(child_db(), "SELECT run_id FROM runs");
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "FAILED");
  EXPECT_THAT(query_one(parent_db(), "SELECT error FROM tasks WHERE task_name = 'sub'"),
              HasSubstr("sub-workflow run " + child_run + " of 'child' failed (work: "));

  ProcessResult resumed = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resuming run " + child_run + " of child"));
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "COMPLETED");
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM attempts WHERE task_name = 'slow'"),
            "1");  // completed in the first attempt, kept
  EXPECT_EQ(query_one(parent_db(), "SELECT attempt FROM tasks WHERE task_name = 'sub'"), "2");
}

TEST_F(SubworkflowTest, TheTasksRetriesResumeTheSameChildRun) {
  dir_.write("child.yaml", child_manifest(1));
  std::string parent = kParent;
  parent.replace(parent.find("    depends_on: [prep]"), 0,
                 "    retries: 1\n    retry_delay: 1ms\n");
  dir_.write("parent.yaml", parent);
  ProcessResult r = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM attempts WHERE task_name = 'work'"), "2");
}

TEST_F(SubworkflowTest, AParentKilledDuringItsChildResumesTheSameChildRun) {
  std::string child_run;
  {
    FlowWeaverProcess run({"run", "parent.yaml"}, dir_.path(), {{"CHILD_SLEEP", "60s"}});
    ASSERT_TRUE(wait_until([&] { return child_is_sleeping(); }));
    child_run = query_one(child_db(), "SELECT run_id FROM runs");
    run.signal(SIGKILL);
    run.wait();
  }
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "RUNNING");
  ProcessResult resumed = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resuming run " + child_run + " of child"));
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "COMPLETED");
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM attempts WHERE task_name = 'work'"),
            "1");  // done before the kill: not run again
}

TEST_F(SubworkflowTest, AShutdownOfTheParentInterruptsTheChildForTheNextRunToResume) {
  std::string child_run;
  {
    FlowWeaverProcess run({"run", "parent.yaml"}, dir_.path(), {{"CHILD_SLEEP", "60s"}});
    ASSERT_TRUE(wait_until([&] { return child_is_sleeping(); }));
    child_run = query_one(child_db(), "SELECT run_id FROM runs");
    run.signal(SIGTERM);
    ProcessResult stopped = run.wait();
    EXPECT_EQ(stopped.exit_code, 143) << stopped.err;
  }
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "INTERRUPTED");
  EXPECT_EQ(query_one(parent_db(), "SELECT status FROM runs"), "INTERRUPTED");
  ProcessResult resumed = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resuming run " + child_run + " of child"));
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM runs"), "1");
}

TEST_F(SubworkflowTest, CancellingTheParentCancelsTheChild) {
  FlowWeaverProcess run({"run", "parent.yaml"}, dir_.path(), {{"CHILD_SLEEP", "60s"}});
  ASSERT_TRUE(wait_until([&] { return child_is_sleeping(); }));
  ProcessResult cancel = run_flowweaver({"cancel", "parent.yaml"}, dir_.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  ProcessResult ended = run.wait();
  EXPECT_EQ(ended.exit_code, 4) << ended.err;
  EXPECT_EQ(query_one(parent_db(), "SELECT status FROM runs"), "CANCELLED");
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "CANCELLED");

  // Both are over: the next run of the parent starts anew, with a new child run.
  ProcessResult next = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM runs"), "2");
}

// The parent's process holds the child's state: `flowweaver cancel` of the child run reaches it
// there. The parent's task fails for good; its resume starts a new child run.
TEST_F(SubworkflowTest, CancellingTheChildRunItselfFailsTheParentsTask) {
  FlowWeaverProcess run({"run", "parent.yaml"}, dir_.path(), {{"CHILD_SLEEP", "60s"}});
  ASSERT_TRUE(wait_until([&] { return child_is_sleeping(); }));
  std::string child_run = query_one(child_db(), "SELECT run_id FROM runs");
  ProcessResult cancel = run_flowweaver({"cancel", "child.yaml"}, dir_.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out << cancel.err;
  ProcessResult ended = run.wait();
  EXPECT_EQ(ended.exit_code, 1) << ended.err;
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "CANCELLED");
  EXPECT_EQ(query_one(parent_db(), "SELECT status FROM runs"), "FAILED");
  EXPECT_EQ(query_one(parent_db(), "SELECT error FROM tasks WHERE task_name = 'sub'"),
            "sub-workflow run " + child_run + " of 'child' was cancelled");
  EXPECT_EQ(query_one(parent_db(), "SELECT attempt FROM tasks WHERE task_name = 'sub'"), "1");

  ProcessResult resumed = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one(child_db(), "SELECT count(*) FROM runs"), "2");
}

TEST_F(SubworkflowTest, AnOutputTheCompletedChildCannotGiveFailsTheTaskForGood) {
  std::string child = child_manifest();
  child.replace(child.find("${tasks.merge.output.value}"), 27, "${tasks.merge.output.nope}");
  dir_.write("child.yaml", child);
  std::string parent = kParent;
  parent.replace(parent.find("    depends_on: [prep]"), 0, "    retries: 3\n");
  dir_.write("parent.yaml", parent);
  ProcessResult r = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string child_run = query_one(child_db(), "SELECT run_id FROM runs");
  EXPECT_EQ(query_one(child_db(), "SELECT status FROM runs"), "COMPLETED");
  EXPECT_THAT(query_one(parent_db(), "SELECT error FROM tasks WHERE task_name = 'sub'"),
              HasSubstr("sub-workflow run " + child_run +
                        " of 'child' completed, but its output 'total': "
                        "${tasks.merge.output.nope}"));
  EXPECT_EQ(query_one(parent_db(), "SELECT attempt FROM tasks WHERE task_name = 'sub'"), "1");
}

// `reset` of the parent's task alone gives the stored outputs again; with the child's task reset
// too, the parent's next run resumes the same child run, which runs that task again.
TEST_F(SubworkflowTest, ResetOfTheChildsTaskIsRunByTheParentsNextRun) {
  ASSERT_EQ(run_flowweaver({"run", "parent.yaml"}, dir_.path()).exit_code, 0);
  std::string child_run = query_one(child_db(), "SELECT run_id FROM runs");
  ProcessResult reset_child = run_flowweaver({"reset", "child.yaml", "merge"}, dir_.path());
  EXPECT_EQ(reset_child.exit_code, 0) << reset_child.err;
  EXPECT_THAT(reset_child.out, HasSubstr("It is the child run of task 'sub' of run "));
  ASSERT_EQ(run_flowweaver({"reset", "parent.yaml", "sub"}, dir_.path()).exit_code, 0);
  ProcessResult again = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("resuming run " + child_run + " of child"));
  EXPECT_EQ(query_one(child_db(), "SELECT attempt FROM tasks WHERE task_name = 'merge'"), "2");
  EXPECT_EQ(query_one(child_db(), "SELECT attempt FROM tasks WHERE task_name = 'work'"), "1");

  ASSERT_EQ(run_flowweaver({"reset", "parent.yaml", "sub"}, dir_.path()).exit_code, 0);
  ProcessResult stored = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_THAT(stored.err,
              HasSubstr("sub-workflow run " + child_run + " of child already completed"));
  EXPECT_EQ(query_one(child_db(), "SELECT attempt FROM tasks WHERE task_name = 'merge'"), "2");
  EXPECT_EQ(query_one(parent_db(), "SELECT result FROM tasks WHERE task_name = 'report'"),
            R"({"got":3})");
}

TEST_F(SubworkflowTest, AChildTaskNamingAnUndeclaredPoolFailsTheTaskNamingThePool) {
  std::string child = child_manifest();
  child.replace(child.find("  - name: merge\n"), 15, "  - name: merge\n    pool: db\n");
  dir_.write("child.yaml", child);
  ProcessResult r = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(query_one(parent_db(), "SELECT error FROM tasks WHERE task_name = 'sub'"),
            "sub-workflow 'child': task 'merge' names pool 'db', which is not declared (give it "
            "slots with --pool db=N, or in the service's `pools:`)");
  EXPECT_FALSE(fs::exists(child_db()));  // nothing of the child ran

  ProcessResult with_pool = run_flowweaver({"run", "parent.yaml", "--pool", "db=1"}, dir_.path());
  EXPECT_EQ(with_pool.exit_code, 0) << with_pool.err;
}

TEST(SubworkflowExampleTest, TheExampleRunsItsChildAndReportsItsOutputs) {
  TempDir dir;
  ProcessResult r = run_flowweaver(
      {"run", FLOWWEAVER_SOURCE_DIR "/workflows/examples/subworkflow.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_one((dir.path() / "var/subworkflow_example.db").string(),
                      "SELECT result FROM tasks WHERE task_name = 'report'"),
            R"({"label":"orders-eu","orders":[12,30,8]})");
  EXPECT_EQ(query_one((dir.path() / "var/subworkflow_child.db").string(),
                      "SELECT status || ' ' || parent_task FROM runs"),
            "COMPLETED summarize");
}

TEST_F(SubworkflowTest, ValidateAcceptsWorkflowRunAndPointsAtTheParentsLines) {
  ProcessResult ok = run_flowweaver({"validate", "parent.yaml"}, dir_.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  ProcessResult plan = run_flowweaver({"plan", "parent.yaml"}, dir_.path());
  EXPECT_EQ(plan.exit_code, 0) << plan.err;

  dir_.write("a.yaml",
             "name: a\ntasks:\n  - {name: to_b, uses: workflow.run, with: {file: b.yaml}}\n");
  dir_.write("b.yaml",
             "name: b\ntasks:\n  - {name: to_a, uses: workflow.run, with: {file: a.yaml}}\n");
  ProcessResult cycle = run_flowweaver({"validate", "a.yaml"}, dir_.path());
  EXPECT_EQ(cycle.exit_code, 2);
  EXPECT_THAT(cycle.err, HasSubstr("a.yaml:3:51: task 'to_b': in sub-workflow "));
  EXPECT_THAT(cycle.err, HasSubstr("workflow cycle: a.yaml -> b.yaml -> a.yaml"));

  dir_.write("parent.yaml", std::string(kParent) +
                                "  - {name: more, uses: workflow.run, with: "
                                "{file: child.yaml, params: {cuont: 1}}}\n");
  ProcessResult bad = run_flowweaver({"run", "parent.yaml"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("parent.yaml:11:79: task 'more': workflow 'child' has no param "
                                 "'cuont' (did you mean 'count'?)"));
  EXPECT_FALSE(fs::exists(parent_db()));
}

}  // namespace
}  // namespace flowweaver::testing
