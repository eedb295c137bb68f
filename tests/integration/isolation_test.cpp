// `isolation: process`: a plugin that crashes, aborts, exits or runs out of memory costs one
// attempt, named by its signal or exit code, and the host and the other tasks go on. In-process
// (the default), a crash takes the host down, and the state stays consistent and resumable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

std::vector<std::string> run_args(const std::string& manifest) {
  return {"run", manifest, "--plugin-dir", TEST_PLUGIN_DIR_CRASHY, "--grace-period", "1s"};
}

std::string one(const TempDir& dir, const std::string& sql) {
  std::vector<std::string> rows = query_column((dir.path() / "var" / "wf.db").string(), sql);
  return rows.empty() ? "<no row>" : rows.front();
}

TEST(IsolationTest, EachWayAPluginCanDieFailsOnlyItsAttemptAndIsRetried) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
defaults:
  isolation: process
  retries: 1
  retry_delay: 10ms
tasks:
  - {name: segv, uses: crashy.segfault}
  - {name: abort, uses: crashy.abort}
  - {name: exit, uses: crashy.exit}
  - {name: hog, uses: crashy.hog, memory_limit: 256MB}
  - {name: fine, uses: crashy.pid}
  - {name: after, uses: builtin.echo, with: {pid: "${tasks.fine.output.pid}"}, depends_on: [fine]}
)");
  FlowWeaverProcess host(run_args("wf.yaml"), dir.path(), deliberate_crash_env());
  ProcessResult r = host.wait();
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the crashing tasks failed; the host did not
  auto error_of = [&](const std::string& task) {
    return one(dir, "SELECT error FROM tasks WHERE task_name='" + task + "'");
  };
  EXPECT_THAT(error_of("segv"), HasSubstr("killed by signal 11 (SIGSEGV"));
  EXPECT_THAT(error_of("abort"), HasSubstr("killed by signal 6 (SIGABRT"));
  EXPECT_THAT(error_of("exit"), HasSubstr("exited with code 3 before returning a result"));
  EXPECT_THAT(error_of("hog"), HasSubstr("memory_limit of 268435456 bytes"));
  for (const char* task : {"segv", "abort", "exit", "hog"}) {
    EXPECT_EQ(one(dir, std::string("SELECT count(*) FROM attempts WHERE task_name='") + task + "'"),
              "2")
        << task << " is retried once, per policy";
  }
  EXPECT_EQ(one(dir, "SELECT status FROM tasks WHERE task_name='after'"), "COMPLETED");
  // It ran in a process of its own, not in the host's.
  Json fine = Json::parse(one(dir, "SELECT result FROM tasks WHERE task_name='fine'"));
  EXPECT_GT(fine["pid"].get<long>(), 0);
  EXPECT_NE(fine["pid"].get<long>(), static_cast<long>(host.pid()));
}

TEST(IsolationTest, ATimeoutEndsAChildThatIgnoresSigtermWithSigkill) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: stuck, uses: crashy.stubborn, isolation: process, timeout: 200ms}
)");
  ProcessResult r = run_flowweaver(run_args("wf.yaml"), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(one(dir, "SELECT error FROM tasks WHERE task_name='stuck'"),
              HasSubstr("timeout after 200ms"));
  // Written off by the runner (SIGKILL after half the grace period), not abandoned.
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("abandoned")));
}

TEST(IsolationTest, InProcessACrashTakesTheHostDownAndTheRunResumes) {
  TempDir dir;
  const std::string manifest = R"(name: wf
tasks:
  - {name: first, uses: crashy.pid}
  - {name: boom, uses: crashy.segfault, depends_on: [first], isolation: ISOLATION}
)";
  auto with_isolation = [&](const std::string& mode) {
    std::string text = manifest;
    text.replace(text.find("ISOLATION"), 9, mode);
    dir.write("wf.yaml", text);
  };
  with_isolation("in-process");
  ProcessResult crashed = run_flowweaver(run_args("wf.yaml"), dir.path(), deliberate_crash_env());
  EXPECT_EQ(crashed.exit_code, 128 + SIGSEGV) << crashed.err;
  EXPECT_EQ(one(dir, "SELECT status FROM tasks WHERE task_name='first'"), "COMPLETED");
  EXPECT_EQ(one(dir, "PRAGMA integrity_check"), "ok");
  ProcessResult check = run_flowweaver({"check", "--state", "var/wf.db"}, dir.path());
  EXPECT_EQ(check.exit_code, 1) << check.out;  // the run was left RUNNING
  EXPECT_THAT(check.out, HasSubstr("RUNNING"));

  // Resumed with the crashing task isolated: `first` is not run again, `boom` fails alone.
  with_isolation("process");
  ProcessResult resumed = run_flowweaver(run_args("wf.yaml"), dir.path(), deliberate_crash_env());
  EXPECT_EQ(resumed.exit_code, 1) << resumed.err;
  EXPECT_EQ(one(dir, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(one(dir, "SELECT count(*) FROM attempts WHERE task_name='first'"), "1");
  EXPECT_THAT(one(dir, "SELECT error FROM tasks WHERE task_name='boom'"),
              HasSubstr("killed by signal 11 (SIGSEGV"));
}

TEST(IsolationTest, AnInProcessTaskTheHostDiesUnderThreeTimesFailsAndTheRunGoesOn) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: first, uses: crashy.pid}
  - {name: boom, uses: crashy.segfault, depends_on: [first]}
  - {name: after, uses: crashy.pid, depends_on: [boom]}
  - {name: other, uses: crashy.pid, depends_on: [first]}
)");
  // `flowweaver run` calls tasks in its own process by default: each run dies with `boom`.
  for (int death = 1; death <= 3; ++death) {
    ProcessResult crashed = run_flowweaver(run_args("wf.yaml"), dir.path(), deliberate_crash_env());
    ASSERT_EQ(crashed.exit_code, 128 + SIGSEGV) << "run " << death << ": " << crashed.err;
    // The attempt was recorded as started before the call: the task is known, not PENDING.
    EXPECT_EQ(one(dir, "SELECT status || ' ' || attempt FROM tasks WHERE task_name='boom'"),
              "RUNNING " + std::to_string(death));
  }
  ProcessResult status = run_flowweaver({"status", "--state", "var/wf.db"}, dir.path());
  EXPECT_THAT(status.out, HasSubstr("interrupted: the host died while 'boom' was running (2 of 3"));

  ProcessResult last = run_flowweaver(run_args("wf.yaml"), dir.path(), deliberate_crash_env());
  EXPECT_EQ(last.exit_code, 1) << last.err;
  EXPECT_EQ(one(dir, "SELECT status FROM tasks WHERE task_name='boom'"), "FAILED");
  EXPECT_EQ(one(dir, "SELECT error FROM tasks WHERE task_name='boom'"),
            "the host process died 3 times while this task was running; it probably crashes the "
            "host: run it with `isolation: process`");
  EXPECT_EQ(one(dir, "SELECT status FROM tasks WHERE task_name='after'"), "SKIPPED");
  EXPECT_EQ(one(dir, "SELECT status FROM tasks WHERE task_name='other'"), "COMPLETED");
  // Interrupted attempts are not failed ones: the task's fault is not proven by one death.
  EXPECT_EQ(one(dir, "SELECT group_concat(status) FROM attempts WHERE task_name='boom'"),
            "INTERRUPTED,INTERRUPTED,INTERRUPTED");
  status = run_flowweaver({"status", "--state", "var/wf.db"}, dir.path());
  EXPECT_THAT(status.out, HasSubstr("interrupted: the host died while 'boom' was running (3 of 3"));
}

}  // namespace
}  // namespace flowweaver::testing
