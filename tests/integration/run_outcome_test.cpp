// How runs end with trigger rules, allowed failures, handlers and a deadline for the whole run,
// on the real binary: the example manifests do what their comments say, handlers run after a
// failure, an interruption and a cancel, and the deadline holds across resumes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string task(const std::string& db, const std::string& name,
                 const std::string& column = "status") {
  return query_one(db, "SELECT " + column + " FROM tasks WHERE task_name = '" + name + "'");
}

bool running(const std::string& db, const std::string& name) {
  try {
    return task(db, name) == "RUNNING";
  } catch (const std::exception&) {
    return false;  // no file or table yet
  }
}

std::string example(const std::string& name) {
  return (fs::path(FLOWWEAVER_SOURCE_DIR) / "workflows/examples" / (name + ".yaml")).string();
}

TEST(RunOutcomeTest, AllowFailureExampleCompletesWithItsAdvisoryTaskFailed) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"run", example("allow_failure")}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string db = (dir.path() / "var/allow_failure.db").string();
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "COMPLETED");
  EXPECT_EQ(task(db, "lint") + ":" + task(db, "lint", "attempt"), "FAILED:2");
  EXPECT_EQ(task(db, "package"), "COMPLETED");  // none_failed
  EXPECT_EQ(task(db, "lint_report"), "SKIPPED");
  EXPECT_EQ(task(db, "lint_report", "error"), "upstream 'lint' failed (allowed)");
}

TEST(RunOutcomeTest, TriggerRulesExampleTakesTheFallbackAndSkipsThePage) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"run", example("trigger_rules")}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string db = (dir.path() / "var/trigger_rules.db").string();
  EXPECT_EQ(task(db, "primary"), "FAILED");
  EXPECT_EQ(task(db, "mirror"), "COMPLETED");   // all_failed
  EXPECT_EQ(task(db, "process"), "COMPLETED");  // one_success
  EXPECT_EQ(task(db, "page_oncall"), "SKIPPED");
  EXPECT_EQ(task(db, "page_oncall", "error"), "trigger rule one_failed: no upstream task failed");
  EXPECT_EQ(task(db, "publish"), "COMPLETED");
}

TEST(RunOutcomeTest, HandlersExampleCleansUpAndDoesNotAlertWhenTheBackupWorks) {
  TempDir dir;
  ProcessResult r =
      run_flowweaver({"run", example("handlers")}, dir.path(), {{"TMPDIR", dir.path().string()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string db = (dir.path() / "var/handlers.db").string();
  EXPECT_EQ(task(db, "backup"), "COMPLETED");
  EXPECT_EQ(task(db, "alert"), "SKIPPED");
  EXPECT_EQ(task(db, "alert", "error"), "the run did not fail");
  EXPECT_EQ(task(db, "cleanup"), "COMPLETED");
  EXPECT_EQ(task(db, "report"), "COMPLETED");  // after cleanup, with ${run.status}
  EXPECT_THAT(task(db, "report", "result"), HasSubstr("ended completed"));
}

// `step` fails unless `fixed`; `after` depends on it; alert on failure, cleanup on exit (after
// `note`, so handlers depend on each other too).
std::string failing_run(bool fixed, bool cleanup_fails = false) {
  std::string step = fixed ? "{name: step, uses: builtin.echo, with: {v: 1}}"
                           : "{name: step, uses: builtin.fail, with: {permanent: true, message: "
                             "disk full}}";
  return "name: wf\ntasks:\n  - " + step +
         "\n"
         "  - {name: after, uses: builtin.echo, with: {v: 2}, depends_on: [step]}\n"
         "on_failure:\n"
         "  - {name: alert, uses: builtin.echo, with: {v: alert}}\n"
         "on_exit:\n"
         "  - {name: note, uses: builtin.echo, with: {v: note}}\n"
         "  - {name: cleanup, depends_on: [note], " +
         (cleanup_fails ? "uses: builtin.fail, with: {permanent: true}}\n"
                        : "uses: builtin.echo, with: {v: cleanup}}\n");
}

TEST(RunOutcomeTest, OnFailureAndOnExitRunAfterAFailureAndAgainAtTheEndOfTheResume) {
  TempDir dir;
  std::string db = (dir.path() / "var/wf.db").string();
  dir.write("wf.yaml", failing_run(false));
  ProcessResult failed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "FAILED");
  EXPECT_EQ(task(db, "step", "error"), "disk full (attempt 1)");  // the handlers hide nothing
  EXPECT_EQ(task(db, "after", "error"), "upstream 'step' failed");
  EXPECT_EQ(task(db, "alert"), "COMPLETED");
  EXPECT_EQ(task(db, "note"), "COMPLETED");
  EXPECT_EQ(task(db, "cleanup"), "COMPLETED");
  // on_exit comes last: after every on_failure handler has ended.
  EXPECT_EQ(query_one(db,
                      "SELECT (SELECT finished_at FROM tasks WHERE task_name = 'alert') <= "
                      "(SELECT started_at FROM tasks WHERE task_name = 'note')"),
            "1");

  // What a resume would do: `step` runs again, `after` is decided again once `step` ends.
  ProcessResult plan = run_flowweaver({"plan", "wf.yaml"}, dir.path());
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("re-decide  after"));
  EXPECT_THAT(plan.out, HasSubstr("was SKIPPED: upstream 'step' failed"));

  // Fixed, the run resumes from `step`; at its end the run did not fail: no alert this time,
  // and the on_exit handlers run again (their second attempt).
  dir.write("wf.yaml", failing_run(true));
  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "COMPLETED");
  EXPECT_EQ(task(db, "after"), "COMPLETED");
  EXPECT_EQ(task(db, "alert"), "SKIPPED");
  EXPECT_EQ(task(db, "cleanup") + ":" + task(db, "cleanup", "attempt"), "COMPLETED:2");
}

TEST(RunOutcomeTest, AFailingHandlerFailsASuccessfulRunAndAResumeRunsOnlyIt) {
  TempDir dir;
  std::string db = (dir.path() / "var/wf.db").string();
  dir.write("wf.yaml", failing_run(true, /*cleanup_fails=*/true));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "FAILED");
  EXPECT_EQ(task(db, "after"), "COMPLETED");
  EXPECT_EQ(task(db, "alert"), "SKIPPED");  // the DAG did not fail
  EXPECT_EQ(task(db, "cleanup"), "FAILED");

  // The DAG had ended well: the resume keeps it and the handlers that completed, and runs the
  // failed handler again.
  dir.write("wf.yaml", failing_run(true));
  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(task(db, "step", "attempt"), "1");
  EXPECT_EQ(task(db, "note", "attempt"), "1");
  EXPECT_EQ(task(db, "cleanup") + ":" + task(db, "cleanup", "attempt"), "COMPLETED:2");
}

TEST(RunOutcomeTest, AKillDuringTheHandlersOfARunThatWentWellRunsOnlyTheUnfinishedOnesOnResume) {
  TempDir dir;
  std::string db = (dir.path() / "var/wf.db").string();
  auto manifest = [](const std::string& duration) {
    return "name: wf\ntasks:\n  - {name: a, uses: builtin.echo, with: {v: 1}}\n"
           "on_exit:\n  - {name: note, uses: builtin.echo, with: {v: note}}\n"
           "  - {name: slow_cleanup, uses: builtin.sleep, with: {duration: " +
           duration + "}, depends_on: [note]}\n";
  };
  dir.write("wf.yaml", manifest("60s"));
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return running(db, "slow_cleanup"); }));
  run.signal(SIGKILL);
  run.wait();
  dir.write("wf.yaml", manifest("1ms"));
  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "COMPLETED");
  EXPECT_EQ(task(db, "a", "attempt"), "1");
  EXPECT_EQ(task(db, "note", "attempt"), "1");
  EXPECT_EQ(task(db, "slow_cleanup") + ":" + task(db, "slow_cleanup", "attempt"), "COMPLETED:2");
}

// `slow` sleeps until stopped; cleanup runs on exit, alert on failure.
constexpr const char* kSlowWithHandlers = R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: slow, uses: builtin.sleep, with: {duration: 60s}, depends_on: [a]}
  - {name: c, uses: builtin.echo, with: {v: 3}, depends_on: [slow]}
on_failure:
  - {name: alert, uses: builtin.echo, with: {v: alert}}
on_exit:
  - {name: cleanup, uses: builtin.echo, with: {v: cleanup}}
)";

TEST(RunOutcomeTest, SigtermRunsOnlyOnExitAndLeavesTheRunToResume) {
  TempDir dir;
  std::string db = (dir.path() / "var/wf.db").string();
  dir.write("wf.yaml", kSlowWithHandlers);
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return running(db, "slow"); }));
  run.signal(SIGTERM);
  ProcessResult ended = run.wait();
  EXPECT_EQ(ended.exit_code, 143) << ended.err;
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "INTERRUPTED");
  EXPECT_EQ(task(db, "slow"), "PENDING");
  EXPECT_EQ(task(db, "cleanup"), "COMPLETED");
  EXPECT_EQ(task(db, "alert"), "SKIPPED");
}

TEST(RunOutcomeTest, CancelRunsOnlyOnExit) {
  TempDir dir;
  std::string db = (dir.path() / "var/wf.db").string();
  dir.write("wf.yaml", kSlowWithHandlers);
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return running(db, "slow"); }));
  ProcessResult cancel = run_flowweaver({"cancel", "wf.yaml"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  ProcessResult ended = run.wait();
  EXPECT_EQ(ended.exit_code, 4) << ended.err;
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "CANCELLED");
  EXPECT_EQ(task(db, "cleanup"), "COMPLETED");
  EXPECT_EQ(task(db, "alert"), "SKIPPED");
}

TEST(RunOutcomeTest, TheRunDeadlineFailsWhatIsUnfinishedRunsTheHandlersAndHoldsAcrossResumes) {
  TempDir dir;
  std::string db = (dir.path() / "var/wf.db").string();
  dir.write("wf.yaml", std::string("timeout: 1s\n") + kSlowWithHandlers);
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "FAILED");
  EXPECT_EQ(task(db, "a"), "COMPLETED");
  EXPECT_EQ(task(db, "slow") + ": " + task(db, "slow", "error"),
            "FAILED: workflow timeout after 1s");
  EXPECT_EQ(task(db, "c") + ": " + task(db, "c", "error"), "FAILED: workflow timeout after 1s");
  EXPECT_EQ(task(db, "c", "attempt"), "0");  // never started
  EXPECT_EQ(task(db, "alert"), "COMPLETED");
  EXPECT_EQ(task(db, "cleanup"), "COMPLETED");

  // The deadline counts from the run's start: a resume past it starts nothing of the DAG.
  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 1) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resuming run"));
  EXPECT_EQ(task(db, "slow", "attempt"), "1");
  EXPECT_EQ(task(db, "slow", "error"), "workflow timeout after 1s");
  EXPECT_EQ(task(db, "cleanup", "attempt"), "2");
}

}  // namespace
}  // namespace flowweaver::testing
