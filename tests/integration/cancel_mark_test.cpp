// `flowweaver cancel` and `flowweaver mark`, end to end with the real binary: cancelling a run
// another process runs, one nobody runs, one already over; recording tasks by hand, as the
// operating guide's recovery procedure does, and the next run building on them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// `slow` sleeps for `duration` (cancelled, it stops at once); `c` comes after it and, with
// `reads_output`, reads its output's `v` (which only a `mark --output` gives it).
std::string chain(const std::string& duration, bool reads_output = false) {
  std::string c_with = reads_output ? "{got: \"${tasks.slow.output.v}\"}" : "{v: 3}";
  return "name: wf\ntasks:\n"
         "  - {name: a, uses: builtin.echo, with: {v: 1}}\n"
         "  - {name: slow, uses: builtin.sleep, with: {duration: " +
         duration +
         "}, depends_on: [a]}\n"
         "  - {name: c, uses: builtin.echo, with: " +
         c_with + ", depends_on: [slow]}\n";
}

bool slow_is_running(const std::string& db) {
  try {
    return query_one(db, "SELECT status FROM tasks WHERE task_name = 'slow'") == "RUNNING";
  } catch (const std::exception&) {
    return false;  // no file or table yet
  }
}

TEST(CancelMarkTest, CancelOfARunInAnotherProcessEndsItCancelledAndTheNextRunStartsAnew) {
  TempDir dir;
  dir.write("wf.yaml", chain("60s"));
  std::string db = (dir.path() / "var/wf.db").string();
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return slow_is_running(db); }));

  ProcessResult cancel = run_flowweaver({"cancel", "wf.yaml"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_THAT(cancel.out, HasSubstr("Cancel requested: process " + std::to_string(run.pid()) +
                                    " is cancelling run "));
  ProcessResult ended = run.wait();
  EXPECT_EQ(ended.exit_code, 4) << ended.err;  // the sleep was cancelled, not waited for
  EXPECT_THAT(ended.err, HasSubstr("CANCELLED (exit code 4)"));
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "CANCELLED");
  EXPECT_NE(query_one(db, "SELECT finished_at FROM runs"), "");
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name = 'a'"), "COMPLETED");
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name = 'slow'"), "PENDING");
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name = 'c'"), "PENDING");
  EXPECT_THAT(query_one(db, "SELECT error FROM attempts WHERE task_name = 'slow'"),
              StartsWith("cancelled: "));
  EXPECT_FALSE(fs::exists(db + ".cancel"));  // the request was taken

  // The next run does not resume a cancelled run: it starts a new one and runs every task.
  dir.write("wf.yaml", chain("1ms"));
  ProcessResult next = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.err, HasSubstr("starting run"));
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "2");
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs WHERE status = 'CANCELLED'"), "1");
}

TEST(CancelMarkTest, CancelOfARunWhoseProcessDiedRecordsItAndResetReopensIt) {
  TempDir dir;
  dir.write("wf.yaml", chain("60s"));
  std::string db = (dir.path() / "var/wf.db").string();
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return slow_is_running(db); }));
  run.signal(SIGKILL);
  run.wait();

  ProcessResult cancel = run_flowweaver({"cancel", "wf"}, dir.path());  // by workflow name
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_THAT(cancel.out, HasSubstr("was RUNNING with no process running it; it is now CANCELLED"));
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "CANCELLED");
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name = 'slow'"), "PENDING");
  EXPECT_EQ(query_one(db, "SELECT status || ': ' || error FROM attempts WHERE task_name = 'slow'"),
            "FAILED: cancelled: the host process had stopped during this attempt");

  // reset reopens it, as it does a COMPLETED run: the next run resumes it.
  std::string run_id = query_one(db, "SELECT run_id FROM runs");
  dir.write("wf.yaml", chain("1ms"));
  ProcessResult reset = run_flowweaver({"reset", "wf.yaml", "slow"}, dir.path());
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "PENDING");
  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resuming run " + run_id));
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM attempts WHERE task_name = 'a'"), "1");
}

// The service resumes a run a killed `run` left; `flowweaver cancel` from a shell reaches it by
// SIGUSR1: that run ends CANCELLED, and the service goes on serving.
TEST(CancelMarkTest, CancelOfARunTheServiceRunsCancelsThatRunAndTheServiceGoesOn) {
  TempDir dir;
  fs::create_directories(dir.path() / "workflows");
  dir.write("workflows/wf.yaml", chain("60s"));
  dir.write(
      "config.yaml",
      "workflows_dir: workflows\nstate_dir: var\nlog_dir: var/log\nlisten: \"127.0.0.1:0\"\n");
  std::string db = (dir.path() / "var/wf.db").string();
  {
    FlowWeaverProcess run({"run", "workflows/wf.yaml"}, dir.path());
    ASSERT_TRUE(wait_until([&] { return slow_is_running(db); }));
    run.signal(SIGKILL);
    run.wait();
  }
  std::string run_id = query_one(db, "SELECT run_id FROM runs");
  FlowWeaverProcess serve({"serve", "--config", "config.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    return serve.stderr_so_far().find("resuming run " + run_id) != std::string::npos &&
           slow_is_running(db);
  }));

  ProcessResult cancel = run_flowweaver({"cancel", "wf", "--state", "var/wf.db"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_THAT(cancel.out, HasSubstr("Cancel requested: process " + std::to_string(serve.pid())));
  ASSERT_TRUE(wait_until([&] { return query_one(db, "SELECT status FROM runs") == "CANCELLED"; }));
  EXPECT_THAT(query_one(db, "SELECT error FROM tasks WHERE task_name = 'slow'"),
              StartsWith("cancelled"));
  EXPECT_TRUE(wait_until([&] {
    return serve.stderr_so_far().find("cancel requested by `flowweaver cancel`") !=
           std::string::npos;
  }));
  ::usleep(200 * 1000);
  EXPECT_EQ(::kill(serve.pid(), 0), 0);  // still serving
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait().exit_code, 0);
}

// The JSON store holds the same records: a cancelled run, a marked task.
TEST(CancelMarkTest, CancelAndMarkWorkOnAJsonState) {
  TempDir dir;
  dir.write("wf.yaml", chain("60s", true));
  fs::path state = dir.path() / "s.json";
  auto runs = [&] { return nlohmann::json::parse(read_file(state))["runs"]; };
  FlowWeaverProcess run({"run", "wf.yaml", "--state", "s.json"}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    try {
      return runs()[0]["tasks"]["slow"]["status"] == "RUNNING";
    } catch (const std::exception&) {
      return false;  // not written yet
    }
  }));
  ProcessResult cancel = run_flowweaver({"cancel", "wf.yaml", "--state", "s.json"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(run.wait().exit_code, 4);
  EXPECT_EQ(runs()[0]["status"], "CANCELLED");

  ProcessResult mark = run_flowweaver(
      {"mark", "wf.yaml", "slow", "--completed", "--output", R"({"v": 7})", "--state", "s.json"},
      dir.path());
  EXPECT_EQ(mark.exit_code, 0) << mark.err;
  EXPECT_THAT(mark.out, HasSubstr("Created run "));  // the latest run is closed
  ProcessResult next = run_flowweaver({"run", "wf.yaml", "--state", "s.json"}, dir.path());
  EXPECT_EQ(next.exit_code, 0) << next.err;
  ASSERT_EQ(runs().size(), 2u);
  EXPECT_EQ(runs()[1]["tasks"]["c"]["result"], R"({"got":7})");
}

TEST(CancelMarkTest, CancelOfAClosedOrUnknownRunIsAClearError) {
  TempDir dir;
  dir.write("wf.yaml", chain("1ms"));
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  ProcessResult closed = run_flowweaver({"cancel", "wf.yaml"}, dir.path());
  EXPECT_EQ(closed.exit_code, 1);
  EXPECT_THAT(closed.err,
              ::testing::ContainsRegex("error: run [0-9T]+-[0-9a-f]+ of 'wf' is "
                                       "already COMPLETED: there is nothing to cancel"));
  ProcessResult unknown_run =
      run_flowweaver({"cancel", "wf.yaml", "--run", "20261126T042257123-000000"}, dir.path());
  EXPECT_EQ(unknown_run.exit_code, 2);
  EXPECT_THAT(unknown_run.err, HasSubstr("no run '20261126T042257123-000000' of 'wf' in "
                                         "var/wf.db (`flowweaver history` lists the runs)"));
  ProcessResult unknown_workflow = run_flowweaver({"cancel", "nosuch"}, dir.path());
  EXPECT_EQ(unknown_workflow.exit_code, 2);
  EXPECT_THAT(unknown_workflow.err, HasSubstr("no state at var/nosuch.db"));
}

// A FAILED run cannot be cancelled while another run of the state holds it: the holder is asked,
// does not take a request for a run it does not run, and the request is withdrawn.
TEST(CancelMarkTest, ARequestTheHolderDoesNotTakeIsWithdrawnWithAClearError) {
  TempDir dir;
  dir.write("wf.yaml",
            "name: wf\ntasks:\n  - {name: a, uses: builtin.fail, with: {permanent: true}}\n");
  std::string db = (dir.path() / "var/wf.db").string();
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  std::string failed = query_one(db, "SELECT run_id FROM runs");
  dir.write("wf.yaml", chain("60s"));
  FlowWeaverProcess run({"run", "wf.yaml", "--fresh"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return slow_is_running(db); }));

  ProcessResult cancel =
      run_flowweaver({"cancel", "wf.yaml", "--run", failed, "--timeout", "300ms"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 3);
  EXPECT_THAT(cancel.err, HasSubstr("error: process " + std::to_string(run.pid()) +
                                    " holds the state var/wf.db but did not take the request to "
                                    "cancel run " +
                                    failed +
                                    " within 300ms: it is not running "
                                    "that run"));
  EXPECT_FALSE(fs::exists(db + ".cancel"));
  EXPECT_EQ(query_one(db, "SELECT status FROM runs WHERE run_id = '" + failed + "'"), "FAILED");
  EXPECT_EQ(::kill(run.pid(), 0), 0);  // the running run goes on
  run.signal(SIGTERM);
  EXPECT_EQ(run.wait().exit_code, 143);
}

TEST(CancelMarkTest, MarkCompletedWithoutAStateLetsTheNextRunSkipItAndHandOnItsOutput) {
  TempDir dir;
  dir.write("wf.yaml", chain("60s", true));  // were `slow` run, the test would time out
  std::string db = (dir.path() / "var/wf.db").string();
  ProcessResult mark = run_flowweaver(
      {"mark", "wf.yaml", "slow", "--completed", "--output", R"({"v": 42})"}, dir.path());
  EXPECT_EQ(mark.exit_code, 0) << mark.err;
  EXPECT_THAT(mark.out, HasSubstr("Marked slow COMPLETED in run "));
  // Its upstream has not run: allowed, with a warning.
  EXPECT_THAT(mark.err, HasSubstr("warning: 'slow' depends on 'a', which is PENDING"));
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "PENDING");

  ProcessResult run = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("resuming run"));
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(db, "SELECT result FROM tasks WHERE task_name = 'c'"), R"({"got":42})");
  EXPECT_EQ(query_one(db,
                      "SELECT attempt || ' ' || status || ' ' || error FROM attempts "
                      "WHERE task_name = 'slow'"),
            "1 COMPLETED set by hand with flowweaver mark");
}

TEST(CancelMarkTest, MarkFailedRecordsTheErrorAndTheNextRunTriesTheTaskAgain) {
  TempDir dir;
  dir.write("wf.yaml", chain("1ms"));
  std::string db = (dir.path() / "var/wf.db").string();
  ProcessResult mark = run_flowweaver(
      {"mark", "wf.yaml", "a", "--failed", "--error", "the export was empty"}, dir.path());
  EXPECT_EQ(mark.exit_code, 0) << mark.err;
  EXPECT_EQ(query_one(db, "SELECT status || ': ' || error FROM tasks WHERE task_name = 'a'"),
            "FAILED: the export was empty");
  EXPECT_EQ(query_one(db, "SELECT error FROM attempts WHERE task_name = 'a'"),
            "set by hand with flowweaver mark: the export was empty");
  ProcessResult run = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(query_one(db, "SELECT attempt FROM tasks WHERE task_name = 'a'"), "2");
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
}

TEST(CancelMarkTest, MarkRefusesBadJsonAnUnknownTaskAndAStateInUse) {
  TempDir dir;
  dir.write("wf.yaml", chain("60s"));
  ProcessResult bad_json =
      run_flowweaver({"mark", "wf.yaml", "slow", "--completed", "--output", "{v: 1}"}, dir.path());
  EXPECT_EQ(bad_json.exit_code, 2);
  EXPECT_THAT(bad_json.err, HasSubstr("error: --output is not valid JSON: "));
  EXPECT_THAT(bad_json.err, HasSubstr("give the task's output as the JSON it would have returned, "
                                      "quoted for the shell, e.g. --output '{\"rows\": 120}'"));
  EXPECT_FALSE(fs::exists(dir.path() / "var"));  // nothing was written

  ProcessResult typo = run_flowweaver({"mark", "wf.yaml", "slwo", "--completed"}, dir.path());
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("no task 'slwo' in wf.yaml (did you mean 'slow'?)"));

  ProcessResult neither = run_flowweaver({"mark", "wf.yaml", "slow"}, dir.path());
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_THAT(neither.err, HasSubstr("give --completed or --failed"));

  std::string db = (dir.path() / "var/wf.db").string();
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return slow_is_running(db); }));
  ProcessResult in_use = run_flowweaver({"mark", "wf.yaml", "slow", "--completed"}, dir.path());
  EXPECT_EQ(in_use.exit_code, 3);
  EXPECT_THAT(in_use.err, HasSubstr("is in use by another flowweaver process (PID " +
                                    std::to_string(run.pid()) + ")"));
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name = 'slow'"), "RUNNING");
  run.signal(SIGTERM);
  EXPECT_EQ(run.wait().exit_code, 143);
}

}  // namespace
}  // namespace flowweaver::testing
