// Failure, interruption and resume, end to end with the real binary.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;

std::string db_of(const TempDir& dir, const std::string& workflow) {
  return (dir.path() / "var" / (workflow + ".db")).string();
}

TEST(ResumeTest, PermanentFailureSkipsDependentsThenResumeRunsOnlyWhatIsLeft) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: first, uses: builtin.echo, with: {v: 1}}
  - {name: flaky, uses: builtin.fail, with: {times: 1, permanent: true}, retries: 3, depends_on: [first]}
  - {name: after, uses: builtin.echo, with: {x: "${tasks.first.output.v}"}, depends_on: [flaky, first]}
  - {name: independent, uses: builtin.noop}
)");
  ProcessResult r1 = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r1.exit_code, 1) << r1.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(query_one(db, "SELECT status || ' ' || attempt FROM tasks WHERE task_name='flaky'"),
            "FAILED 1");
  EXPECT_EQ(query_one(db, "SELECT status || ': ' || error FROM tasks WHERE task_name='after'"),
            "SKIPPED: upstream 'flaky' failed");
  EXPECT_EQ(query_one(db, "SELECT status FROM tasks WHERE task_name='independent'"), "COMPLETED");
  EXPECT_THAT(r1.out, HasSubstr("FAILED"));
  // The guide's query, verbatim.
  EXPECT_EQ(query_column(db, "SELECT task_name, timestamp FROM tasks WHERE status = 'FAILED';"),
            (std::vector<std::string>{"flaky"}));
  std::string first_finished =
      query_one(db, "SELECT finished_at FROM tasks WHERE task_name='first'");

  ProcessResult plan = run_flowweaver({"plan", "wf.yaml"}, dir.path());
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("Resumes run"));
  EXPECT_THAT(plan.out, ::testing::ContainsRegex("skip +first"));
  EXPECT_THAT(plan.out, ::testing::ContainsRegex("run again +flaky +FAILED: deliberate failure"));

  ProcessResult r2 = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_THAT(r2.err, HasSubstr("resuming run"));
  EXPECT_EQ(query_column(db, "SELECT count(DISTINCT run_id) FROM tasks"),
            (std::vector<std::string>{"1"}));
  EXPECT_EQ(query_one(db, "SELECT status || ' ' || attempt FROM tasks WHERE task_name='flaky'"),
            "COMPLETED 2");
  EXPECT_EQ(query_one(db, "SELECT finished_at FROM tasks WHERE task_name='first'"), first_finished);
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM attempts WHERE task_name='first'"), "1");
  EXPECT_EQ(query_one(db, "SELECT result FROM tasks WHERE task_name='after'"), R"({"x":1})");

  // A finished run is never resumed: the next run is a new one, where `flaky` starts over at
  // attempt 1 and fails again.
  ProcessResult r3 = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r3.exit_code, 1);
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "2");
  ProcessResult history = run_flowweaver({"history", "wf.yaml"}, dir.path());
  EXPECT_EQ(history.exit_code, 0);
  EXPECT_EQ(std::count(history.out.begin(), history.out.end(), '\n'), 3);  // header + 2 runs
}

TEST(ResumeTest, TimeoutFailsTheAttemptQuicklyWithAClearError) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: slow, uses: builtin.sleep, with: {duration: 30s}, timeout: 200ms, retries: 1, retry_delay: 10ms}
)");
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(query_column(db, "SELECT error FROM attempts ORDER BY attempt"),
            (std::vector<std::string>{"timeout after 200ms", "timeout after 200ms"}));
}

// Starts a run whose middle task sleeps, waits until that task is RUNNING, sends `sig`.
ProcessResult interrupt_mid_run(const TempDir& dir, int sig) {
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.noop}
  - {name: b, uses: builtin.sleep, with: {duration: "${env.SLEEP_FOR:-30s}"}, depends_on: [a]}
  - {name: c, uses: builtin.noop, depends_on: [b]}
)");
  FlowWeaverProcess p({"run", "wf.yaml"}, dir.path());
  std::string db = db_of(dir, "wf");
  bool running = wait_until([&] {
    try {
      return query_one(db, "SELECT status FROM tasks WHERE task_name='b'") == "RUNNING";
    } catch (const std::exception&) {
      return false;  // the file or table does not exist yet
    }
  });
  EXPECT_TRUE(running);
  p.signal(sig);
  return p.wait();
}

TEST(ResumeTest, SigtermStopsGracefullyAndTheNextRunResumes) {
  TempDir dir;
  ProcessResult r = interrupt_mid_run(dir, SIGTERM);
  EXPECT_EQ(r.exit_code, 143) << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(query_one(db, "SELECT status FROM runs"), "INTERRUPTED");
  EXPECT_EQ(query_column(db, "SELECT status FROM tasks ORDER BY position"),
            (std::vector<std::string>{"COMPLETED", "PENDING", "PENDING"}));
  EXPECT_THAT(query_one(db, "SELECT error FROM tasks WHERE task_name='b'"),
              HasSubstr("interrupted by shutdown"));

  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path(), {{"SLEEP_FOR", "10ms"}});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM attempts WHERE task_name='a'"), "1");
  EXPECT_EQ(query_column(db, "SELECT status FROM tasks ORDER BY position"),
            (std::vector<std::string>{"COMPLETED", "COMPLETED", "COMPLETED"}));
}

TEST(ResumeTest, ASecondWriterIsRefusedNamingTheHolderAndADeadHolderBlocksNothing) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.noop}
  - {name: b, uses: builtin.sleep, with: {duration: "${env.SLEEP_FOR:-30s}"}, depends_on: [a]}
)");
  FlowWeaverProcess first({"run", "wf.yaml"}, dir.path());
  std::string db = db_of(dir, "wf");
  ASSERT_TRUE(wait_until([&] {
    try {
      return query_one(db, "SELECT status FROM tasks WHERE task_name='b'") == "RUNNING";
    } catch (const std::exception&) {
      return false;
    }
  }));
  std::string holder = "in use by another flowweaver process (PID " + std::to_string(first.pid());
  ProcessResult second = run_flowweaver({"run", "wf.yaml"}, dir.path(), {{"SLEEP_FOR", "10ms"}});
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_THAT(second.err, HasSubstr(holder)) << second.err;
  ProcessResult reset = run_flowweaver({"reset", "wf.yaml", "a"}, dir.path());
  EXPECT_EQ(reset.exit_code, 3);
  EXPECT_THAT(reset.err, HasSubstr(holder)) << reset.err;
  // Readers are not writers: status still works during the run.
  EXPECT_EQ(run_flowweaver({"status", "wf.yaml"}, dir.path()).exit_code, 0);

  first.signal(SIGKILL);
  first.wait();
  ProcessResult third = run_flowweaver({"run", "wf.yaml"}, dir.path(), {{"SLEEP_FOR", "10ms"}});
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");  // the killed run, resumed
}

TEST(ResumeTest, SigintExitsWith130) {
  TempDir dir;
  ProcessResult r = interrupt_mid_run(dir, SIGINT);
  EXPECT_EQ(r.exit_code, 130) << r.err;
}

TEST(ResumeTest, KillNineLosesNoCompletedTask) {
  TempDir dir;
  std::string yaml = "name: wf\ntasks:\n";
  for (int i = 0; i < 40; ++i) {
    yaml += "  - {name: t" + std::to_string(i) + ", uses: builtin.sleep, with: {duration: 40ms}" +
            (i > 0 ? ", depends_on: [t" + std::to_string(i - 1) + "]" : std::string()) + "}\n";
  }
  dir.write("wf.yaml", yaml);
  std::string db = db_of(dir, "wf");
  FlowWeaverProcess p({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    try {
      return std::stoi(query_one(db, "SELECT count(*) FROM tasks WHERE status='COMPLETED'")) >= 5;
    } catch (const std::exception&) {
      return false;
    }
  }));
  p.signal(SIGKILL);
  EXPECT_EQ(p.wait().exit_code, 128 + SIGKILL);
  std::map<std::string, std::string> completed_before;
  for (const std::string& row : query_column(
           db, "SELECT task_name || '|' || finished_at FROM tasks WHERE status='COMPLETED'")) {
    completed_before[row.substr(0, row.find('|'))] = row;
  }
  ASSERT_GE(completed_before.size(), 5u);

  ProcessResult resumed = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM tasks WHERE status='COMPLETED'"), "40");
  for (const auto& [name, row] : completed_before) {
    // Same finish time and a single completed attempt: it was not run again.
    EXPECT_EQ(query_one(db, "SELECT task_name || '|' || finished_at FROM tasks WHERE task_name='" +
                                name + "'"),
              row);
    EXPECT_EQ(
        query_one(db, "SELECT count(*) FROM attempts WHERE status='COMPLETED' AND task_name='" +
                          name + "'"),
        "1");
  }
  EXPECT_EQ(query_one(db, "PRAGMA integrity_check"), "ok");
}

TEST(ResumeTest, StatusAndResetFollowTheFailedTaskRunbook) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.echo, with: {v: 2}, depends_on: [a]}
  - {name: c, uses: builtin.noop}
)");
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  ProcessResult status = run_flowweaver({"status", "wf.yaml"}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, ::testing::ContainsRegex("a +COMPLETED +1"));
  ProcessResult reset = run_flowweaver({"reset", "wf.yaml", "a"}, dir.path());
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_THAT(reset.out, HasSubstr("Reset 2 task(s)"));
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(query_column(db, "SELECT status FROM tasks ORDER BY position"),
            (std::vector<std::string>{"PENDING", "PENDING", "COMPLETED"}));
  ProcessResult again = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");  // the reset run was resumed
  EXPECT_EQ(query_one(db, "SELECT attempt FROM tasks WHERE task_name='a'"), "2");
  EXPECT_EQ(query_one(db, "SELECT attempt FROM tasks WHERE task_name='c'"), "1");
  ProcessResult bad = run_flowweaver({"reset", "wf.yaml", "zz"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("no task 'zz'"));
  ProcessResult json = run_flowweaver({"status", "--state", "var/wf.db", "--json"}, dir.path());
  EXPECT_THAT(json.out, HasSubstr("\"status\": \"COMPLETED\""));
}

TEST(ResumeTest, TheGuidesDeleteRowRunbookRerunsThatTask) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: extract, uses: builtin.echo, with: {v: 1}}
  - {name: load, uses: builtin.fail, with: {times: 1}, depends_on: [extract]}
)");
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  std::string db = db_of(dir, "wf");
  {
    SQLite::Database writable(db, SQLite::OPEN_READWRITE);
    writable.exec("DELETE FROM tasks WHERE task_name = 'load'");  // the operating guide's step
  }
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(db, "SELECT status || ' ' || attempt FROM tasks WHERE task_name = 'load'"),
            "COMPLETED 2");
  // Attempt numbers went on from the recorded ones: the failed attempt's history is kept.
  EXPECT_EQ(
      query_column(db, "SELECT status FROM attempts WHERE task_name = 'load' ORDER BY attempt"),
      (std::vector<std::string>{"FAILED", "COMPLETED"}));
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM attempts WHERE task_name = 'extract'"), "1");
}

TEST(ResumeTest, JsonStateFileRunsAndResumes) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.fail, with: {times: 1}, depends_on: [a]}
)");
  ProcessResult r1 = run_flowweaver({"run", "wf.yaml", "--state", "state.json"}, dir.path());
  EXPECT_EQ(r1.exit_code, 1) << r1.err;
  std::string text = read_file(dir.path() / "state.json");
  EXPECT_THAT(text, HasSubstr("\"FAILED\""));
  ProcessResult r2 = run_flowweaver({"run", "wf.yaml", "--state", "state.json"}, dir.path());
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  ProcessResult status = run_flowweaver({"status", "--state", "state.json"}, dir.path());
  EXPECT_THAT(status.out, ::testing::ContainsRegex("b +COMPLETED +2"));
}

TEST(ResumeTest, UnusableStatePathsAreClearErrors) {
  TempDir dir;
  dir.write("wf.yaml", "name: wf\ntasks:\n  - {name: a, uses: builtin.noop}\n");
  std::filesystem::create_directories(dir.path() / "adir");
  ProcessResult r = run_flowweaver({"run", "wf.yaml", "--state", "adir"}, dir.path());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("state path adir is a directory"));
  ProcessResult manifest_dir = run_flowweaver({"validate", "adir"}, dir.path());
  EXPECT_EQ(manifest_dir.exit_code, 2);
  EXPECT_THAT(manifest_dir.err, HasSubstr("adir: is a directory, not a manifest file"));
}

// A URL names a backend: one this flowweaver does not have is refused by every command that
// takes --state, naming the forms it accepts, and nothing is created (not a directory
// "mysql:" for a path read literally).
TEST(ResumeTest, AStateUrlOfAnUnknownSchemeIsRefusedAndCreatesNothing) {
  TempDir dir;
  dir.write("wf.yaml", "name: wf\ntasks:\n  - {name: a, uses: builtin.noop}\n");
  const std::string url = "mysql://db.example/flow";
  const std::string refusal = "this flowweaver knows no mysql:// backend; give a postgresql://";
  ProcessResult run = run_flowweaver({"run", "wf.yaml", "--state", url}, dir.path());
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, HasSubstr(refusal));
  for (const char* command : {"status", "check", "history"}) {
    ProcessResult r = run_flowweaver({command, "--state", url}, dir.path());
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_THAT(r.err, HasSubstr(refusal)) << command;
  }
  ProcessResult backup = run_flowweaver({"backup", "--state", url, "copy.db"}, dir.path());
  EXPECT_EQ(backup.exit_code, 2);
  EXPECT_THAT(backup.err, HasSubstr(refusal));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "mysql:"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "copy.db"));
}

TEST(ResumeTest, ACorruptStateFileIsRefusedAndNotOverwritten) {
  TempDir dir;
  dir.write("wf.yaml", "name: wf\ntasks:\n  - {name: a, uses: builtin.noop}\n");
  std::string junk(4096, 'x');
  dir.write("var/wf.db", junk);
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("var/wf.db"));
  EXPECT_EQ(read_file(dir.path() / "var/wf.db"), junk);
}

}  // namespace
}  // namespace flowweaver::testing
