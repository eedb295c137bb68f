// End-to-end runs of the real binary with the builtin plugin.
#include <gtest/gtest.h>

#include <sstream>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

TEST(RunTest, RunsADagPassesOutputsAndRecordsState) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
params:
  who: world
tasks:
  - name: a
    uses: builtin.echo
    with: {greeting: "hello ${params.who}", n: 50}
  - name: b
    uses: builtin.echo
    depends_on: [a]
    with: {text: "${tasks.a.output.greeting}", n: "${tasks.a.output.n}"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("COMPLETED"), std::string::npos);
  std::string db = (dir.path() / "var/wf.db").string();
  EXPECT_EQ(query_column(db, "SELECT status FROM tasks ORDER BY task_name"),
            (std::vector<std::string>{"COMPLETED", "COMPLETED"}));
  EXPECT_EQ(query_column(db, "SELECT result FROM tasks WHERE task_name = 'b'"),
            (std::vector<std::string>{R"({"n":50,"text":"hello world"})"}));
}

TEST(RunTest, RetriesUntilSuccessAndRecordsEveryAttempt) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: flaky
tasks:
  - name: flaky
    uses: builtin.fail
    with: {times: 2}
    retries: 3
    retry_delay: 10ms
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string db = (dir.path() / "var/flaky.db").string();
  EXPECT_EQ(query_column(db, "SELECT status || ':' || attempt FROM tasks"),
            (std::vector<std::string>{"COMPLETED:3"}));
  EXPECT_EQ(query_column(db, "SELECT status FROM attempts ORDER BY attempt"),
            (std::vector<std::string>{"FAILED", "FAILED", "COMPLETED"}));
}

TEST(RunTest, LogFileRecordsEveryStartFinishAndRetry) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: logged
tasks:
  - {name: once, uses: builtin.fail, with: {times: 1}, retries: 1, retry_delay: 10ms}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml", "--log-file", "run.log"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string log = read_file(dir.path() / "run.log");
  for (const char* expected :
       {"task=once attempt=1 started", "task=once attempt=1 failed duration=",
        "task=once retry: attempt 2 in", "task=once attempt=2 completed duration="}) {
    EXPECT_NE(log.find(expected), std::string::npos) << expected << " not in:\n" << log;
  }
  EXPECT_NE(log.find("run="), std::string::npos);

  ProcessResult quiet =
      run_flowweaver({"run", "wf.yaml", "--fresh", "--log-level", "warn"}, dir.path());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("started"), std::string::npos) << quiet.err;
  EXPECT_NE(quiet.err.find("task=once attempt=1 failed"), std::string::npos) << quiet.err;
}

TEST(RunTest, MaxWorkersOneRunsTasksInTheSameOrderEveryTime) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: ordered
tasks:
  - {name: c, uses: builtin.noop, depends_on: [a]}
  - {name: a, uses: builtin.noop}
  - {name: b, uses: builtin.noop}
  - {name: d, uses: builtin.noop, depends_on: [c, b]}
)");
  for (int i = 0; i < 3; ++i) {
    ProcessResult r =
        run_flowweaver({"run", "wf.yaml", "--fresh", "--max-workers", "1"}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The order of the log's "started" lines is the order the tasks ran in.
    std::vector<std::string> started;
    std::istringstream log(r.err);
    for (std::string line; std::getline(log, line);) {
      size_t task = line.find(" task=");
      if (task == std::string::npos || line.find(" attempt=1 started") == std::string::npos) {
        continue;
      }
      task += 6;
      started.push_back(line.substr(task, line.find(' ', task) - task));
    }
    EXPECT_EQ(started, (std::vector<std::string>{"a", "c", "b", "d"}))  // c before b: earlier in
        << r.err;                                                       // the file
  }
}

}  // namespace
}  // namespace flowweaver::testing
